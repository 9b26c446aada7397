import Routing
import SeededRandom
import Testing

/// The indexed structures against brute force over random prefixes, both families.
@Suite("Prefix structures against brute force")
struct PropertyTests {

    /// Random prefixes clustered in a small address range, so that covering relations are common.
    static func randomPrefix(_ family: IPFamily, using random: inout SplitMix) -> IPPrefix {
        let width = UInt8(family.width)
        let length = UInt8.random(in: 0...width, using: &random)
        // Only the top 12 bits vary, so prefixes nest often.
        let top = UInt128(random.next() & 0xfff) << 116
        return IPPrefix(family: family, bits: top | (UInt128(random.next()) << 52), length: length)
    }

    static func bruteForceState(_ vrps: [VRP], route: IPPrefix, origin: ASN?) -> String {
        let covering = vrps.filter { $0.prefix.contains(route) }
        if covering.isEmpty { return "not-found" }
        if covering.contains(where: { $0.asn == origin && $0.asn != 0 && route.length <= $0.maxLength }) { return "valid" }
        return "invalid"
    }

    @Test("RFC 6811 states and covering VRPs equal a linear scan", arguments: [1 as UInt64, 2, 3, 4, 5])
    func validation(seed: UInt64) {
        var random = SplitMix(state: seed)
        for family in [IPFamily.v4, .v6] {
            let vrps = (0..<300).map { _ in
                let prefix = Self.randomPrefix(family, using: &random)
                let maxLength = UInt8.random(in: prefix.length...UInt8(family.width), using: &random)
                return VRP(prefix: prefix, maxLength: maxLength, asn: ASN.random(in: 0...4, using: &random))
            }
            let index = VRPIndex(vrps)
            for _ in 0..<2_000 {
                let route = Self.randomPrefix(family, using: &random)
                let origin: ASN? = Bool.random(using: &random) ? ASN.random(in: 0...4, using: &random) : nil
                let expected = Self.bruteForceState(vrps, route: route, origin: origin)
                #expect(index.state(of: route, origin: origin).rfc6811 == expected, "seed \(seed): \(route) AS\(String(describing: origin))")
                #expect(Set(index.covering(route)) == Set(vrps.filter { $0.prefix.contains(route) }), "seed \(seed): \(route)")
            }
        }
    }

    @Test("PrefixSet.covering finds the shortest covering member, like a linear scan", arguments: [11 as UInt64, 12, 13])
    func prefixSet(seed: UInt64) {
        var random = SplitMix(state: seed)
        for family in [IPFamily.v4, .v6] {
            let members = (0..<200).map { _ in Self.randomPrefix(family, using: &random) }
            let set = PrefixSet(members)
            for _ in 0..<2_000 {
                let probe = Self.randomPrefix(family, using: &random)
                let expected = members.filter { $0.contains(probe) }.min { $0.length < $1.length }
                #expect(set.covering(probe) == expected, "seed \(seed): \(probe)")
            }
        }
    }

    @Test("text round-trips: parse(description) is the same prefix", arguments: [21 as UInt64, 22])
    func textRoundTrip(seed: UInt64) throws {
        var random = SplitMix(state: seed)
        for _ in 0..<5_000 {
            let family: IPFamily = Bool.random(using: &random) ? .v4 : .v6
            // Full-width random bits here, and sometimes runs of zero groups for the :: rules.
            var bits = UInt128(random.next()) << 64 | UInt128(random.next())
            if family == .v6 && Bool.random(using: &random) { bits &= ~(UInt128(0xffff_ffff) << UInt128(16 * Int.random(in: 0...5, using: &random))) }
            let prefix = IPPrefix(family: family, bits: bits, length: UInt8.random(in: 0...UInt8(family.width), using: &random))
            #expect(try IPPrefix(prefix.description) == prefix, "\(prefix)")
        }
    }

    @Test("validate's one-copy row writer equals the general prefix and origin writers")
    func rowWriter() throws {
        var random = SplitMix(state: 6)
        let edges: [(UInt32, UInt8, ASN)] = [
            (0, 0, 0), (0xffff_ffff, 32, .max), (0x0a00_0000, 8, 9), (0xc000_0200, 24, 10), (0x6400_0000, 10, 99_999),
        ]
        let randomOnes = (0..<10_000).map { _ in
            let length = UInt8.random(in: 0...32, using: &random)
            let address = UInt32(truncatingIfNeeded: random.next()) & (length == 0 ? 0 : ~UInt32(0) << (32 - UInt32(length)))
            return (address, length, ASN(truncatingIfNeeded: random.next() >> UInt64.random(in: 0...63, using: &random)))
        }
        let row = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { row.deallocate() }
        for (address, length, origin) in edges + randomOnes {
            let announcement = Announcement(prefix: IPPrefix(family: .v4, bits: UInt128(address) << 96, length: length), origin: origin)
            var expected: [UInt8] = []
            announcement.prefix.write(to: &expected)
            expected.append(UInt8(ascii: ","))
            announcement.writeOrigin(to: &expected)
            let written = try #require(announcement.writeIPv4Fields(to: row))
            #expect(Array(UnsafeBufferPointer(start: row, count: written)) == expected)
        }
        let v6 = Announcement(prefix: try IPPrefix("2001:db8::/32"), origin: 64500)
        let set = Announcement(prefix: try IPPrefix("192.0.2.0/24"), origin: nil, originText: "{64500,64501}")
        #expect(v6.writeIPv4Fields(to: row) == nil && set.writeIPv4Fields(to: row) == nil)
    }
}
