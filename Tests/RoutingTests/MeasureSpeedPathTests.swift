import Foundation
import SeededRandom
import Testing

@testable import Routing

/// The shortcuts `measure` takes on a full table (a table of its own for counted pairs, parallel
/// shards, rows composed as bytes, the bogon screen) against the plain ways they replaced.
@Suite("measure's fast paths against the plain ways")
struct MeasureSpeedPathTests {
    @Test("%.4f written as C writes it, halves and signs included")
    func fixedFourDecimals() {
        var random = SplitMix(state: 7)
        var values: [Double] = [0, -0.0, 1, -10, 0.5, 0.12345, 0.00005, -0.00005, 0.99995, 0.99994999, 123.45675, 1e-9, -1e-9, 2.5e14, 1e300]
        // Shares and scores as measure makes them: ratios of counts.
        for _ in 0..<20_000 {
            let announcements = Int.random(in: 1...5_000, using: &random)
            let valid = Int.random(in: 0...announcements, using: &random)
            let invalid = Int.random(in: 0...(announcements - valid), using: &random)
            values.append((Double(valid) - 10 * Double(invalid)) / Double(announcements))
            values.append(Double(valid) / Double(announcements))
        }
        for _ in 0..<20_000 { values.append(Double(bitPattern: random.next() & 0x7FF0_FFFF_FFFF_FFFF) * (random.next() & 1 == 0 ? 1 : -1)) }
        var mismatches: [String] = []
        for value in values {
            var bytes = [UInt8](repeating: 0, count: 400)
            let count = bytes.withUnsafeMutableBufferPointer { buffer in
                var line = LineWriter(at: buffer.baseAddress!)
                line.fixed4(value)
                return line.at - buffer.baseAddress!
            }
            let ours = String(decoding: bytes[..<count], as: UTF8.self)
            let c = String(format: "%.4f", value)
            if ours != c && mismatches.count < 5 { mismatches.append("\(value): \(ours), C \(c)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("the announcement table keeps each pair once, through growth, both families apart")
    func announcementSet() throws {
        var random = SplitMix(state: 11)
        var table = AnnouncementSet()
        var plain: Set<String> = []
        for _ in 0..<60_000 {
            let family: IPFamily = random.next() & 3 == 0 ? .v6 : .v4
            let prefix = PropertyTests.randomPrefix(family, using: &random)
            let origin = ASN(random.next() % 50)
            let inserted = table.insert(prefix, origin: origin)
            #expect(inserted == plain.insert("\(family) \(prefix) \(origin)").inserted)
        }
        #expect(table.count == plain.count)
        // The same bits as IPv4 and IPv6 (::/0-style addresses) are different announcements.
        var families = AnnouncementSet()
        let inserted = [(IPFamily.v4, 1), (.v6, 1), (.v6, 1), (.v6, 2)].map { family, origin in
            families.insert(IPPrefix(family: family, bits: 0, length: 8), origin: ASN(origin))
        }
        #expect(inserted == [true, true, false, true])
    }

    @Test("the special-purpose screen answers as a scan of every block does")
    func bogonScreen() throws {
        var random = SplitMix(state: 3)
        let bogons = Bogons()
        let blocks = Bogons.specialPurposeBlocks
        var prefixes = blocks + blocks.map { $0.truncated(to: max($0.length, 1) - 1) }
        for _ in 0..<50_000 {
            let family: IPFamily = random.next() & 1 == 0 ? .v6 : .v4
            let length = UInt8.random(in: 0...UInt8(family.width), using: &random)
            prefixes.append(IPPrefix(family: family, bits: UInt128(random.next()) << 64 | UInt128(random.next()), length: length))
        }
        // Inside the blocks of 224.0.0.0/4 and 240.0.0.0/4, whose first bytes are a range.
        prefixes += try ["225.1.0.0/16", "239.255.255.0/24", "255.255.255.255/32", "223.255.0.0/16", "0.0.0.0/0", "fe80::/64", "fc00::/6"]
            .map { try IPPrefix($0) }
        for prefix in prefixes {
            let scanned = blocks.filter { $0.contains(prefix) }.min { $0.length < $1.length }
            let expected: Bogons.PrefixReason? = prefix.length == 0 ? .defaultRoute : scanned.map { .specialPurpose($0) }
            #expect(bogons.reason(for: prefix) == expected, "\(prefix)")
        }
    }

    @Test("a table measured in shards on two cores gives the rows one thread gives, explanations included")
    func shardsAgreeWithOneThread() throws {
        var random = SplitMix(state: 5)
        let vrps = (0..<400).map { _ in
            let prefix = PropertyTests.randomPrefix(.v4, using: &random)
            return VRP(prefix: prefix, maxLength: min(32, prefix.length + UInt8(random.next() % 4)), asn: ASN(random.next() % 40))
        }
        let index = VRPIndex(vrps)
        var announcements: [Announcement] = []
        for _ in 0..<20_000 {
            let prefix = PropertyTests.randomPrefix(random.next() % 5 == 0 ? .v6 : .v4, using: &random)
            let origin = ASN(random.next() % 60)
            announcements.append(Announcement(prefix: prefix, origin: origin))
            // Duplicates, as a table seen from several peers has them.
            if random.next() % 4 == 0 { announcements.append(Announcement(prefix: prefix, origin: origin)) }
        }
        let asOf = Date(timeIntervalSince1970: 1_700_000_000)
        var sharded = Measurement(vrps: index, asOf: asOf)
        sharded.reserveCapacity(routes: announcements.count)
        sharded.add(contentsOf: announcements)
        var single = Measurement(vrps: index, asOf: asOf)
        for announcement in announcements { single.add(announcement) }
        let (ours, theirs) = (sharded.metrics(), single.metrics())
        #expect(ours.count == theirs.count)
        #expect(ours.map(\.asn) == ours.map(\.asn).sorted())
        for (row, expected) in zip(ours, theirs) {
            var (a, b) = ([UInt8](), [UInt8]())
            MetricsCSV.append(row, irrGiven: false, to: &a)
            MetricsCSV.append(expected, irrGiven: false, to: &b)
            #expect(a == b)
            #expect(row.explanations == expected.explanations)
        }
        #expect(ours.reduce(0) { $0 + $1.announcements } == Set(announcements.map { "\($0.prefix) \($0.origin!)" }).count)
    }
}
