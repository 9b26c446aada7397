import Foundation
import Testing

@testable import Routing

/// The allocation-free IPv6 parser must agree with the general one wherever it answers, and
/// leave everything unusual to it.
@Suite("IPv6 fast path")
struct IPv6FastPathTests {
    static func fast(_ text: String) -> UInt128? {
        Array(text.utf8).withUnsafeBufferPointer { IPAddress.parseV6Fast($0) }
    }

    static func general(_ text: String) -> UInt128? {
        try? IPAddress.parseV6General(Array(text.utf8)[...])
    }

    @Test("random addresses in canonical, upper-case and full forms parse the same both ways")
    func agreement() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20_000 {
            // Zero runs of every length, so `::` lands everywhere.
            var value = UInt128(generator.next() as UInt64) << 64 | UInt128(generator.next() as UInt64)
            let zeroed = Int.random(in: 0...8, using: &generator)
            let start = Int.random(in: 0...(8 - zeroed), using: &generator)
            for group in start..<(start + zeroed) { value &= ~(UInt128(0xffff) << UInt128(112 - 16 * group)) }
            if round % 97 == 0 { value = 0 }
            let canonical = IPAddress(family: .v6, bits: value).description
            let groups = (0..<8).map { String(UInt16(truncatingIfNeeded: value >> UInt128(112 - 16 * $0)), radix: 16) }
            let full = groups.map { String(repeating: "0", count: 4 - $0.count) + $0 }.joined(separator: ":")
            for text in [canonical, canonical.uppercased(), full, groups.joined(separator: ":")] {
                #expect(Self.fast(text) == value, "\(text)")
                #expect(Self.general(text) == value, "\(text)")
            }
        }
    }

    @Test("malformed and unusual forms: the fast path declines, the general parser decides")
    func declines() {
        let malformed = [
            "", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:", "12345::", "g::",
            "1::2:", "::1:", " ::1", "::1 ",
        ]
        for text in malformed {
            #expect(Self.fast(text) == nil, "\(text)")
            #expect(Self.general(text) == nil, "\(text)")
        }
        // Embedded IPv4 is left to the general parser, which reads it.
        #expect(Self.fast("::ffff:192.0.2.1") == nil)
        #expect(Self.general("::ffff:192.0.2.1") == UInt128(0xffff_c000_0201))
        #expect(Self.fast("1:2:3:4:5:6:7::") == Self.general("1:2:3:4:5:6:7::"))
        #expect(Self.fast("::2:3:4:5:6:7:8") == Self.general("::2:3:4:5:6:7:8"))
        #expect(Self.fast("::") == 0)
    }

    @Test("prefixes through the byte parser: strict refuses host bits, lenient clears them")
    func prefixes() throws {
        func parse(_ text: String, strict: Bool) -> IPPrefix? {
            Array(text.utf8).withUnsafeBufferPointer { IPPrefix.parse($0, strict: strict) }
        }
        #expect(parse("2001:67c:2e8::/48", strict: true) == (try IPPrefix("2001:67c:2e8::/48")))
        #expect(parse("2001:67C:2E8:0::/48", strict: true)?.description == "2001:67c:2e8::/48")
        #expect(parse("2001:67c:2e8::1/48", strict: true) == nil)
        #expect(parse("2001:67c:2e8::1/48", strict: false)?.description == "2001:67c:2e8::/48")
        #expect(parse("2001:67c:2e8::/129", strict: false) == nil)
        #expect(parse("::ffff:192.0.2.0/120", strict: true) == (try IPPrefix("::ffff:c000:200/120")))
    }
}

@Suite("RPKI state ordinals")
struct RPKIStateOrdinalTests {
    @Test("ordinal is the position in allCases, as the per-state arrays of validate assume")
    func ordinals() {
        for (position, state) in RPKIState.allCases.enumerated() { #expect(state.ordinal == position) }
    }
}
