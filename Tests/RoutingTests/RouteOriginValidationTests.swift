import Routing
import Testing

/// RFC 6811 §2, case by case.
@Suite("Route origin validation by hand")
struct RouteOriginValidationTests {
    func vrp(_ prefix: String, _ maxLength: UInt8, _ asn: ASN) throws -> VRP {
        VRP(prefix: try IPPrefix(prefix), maxLength: maxLength, asn: asn)
    }

    @Test("maxLength boundaries")
    func maxLength() throws {
        let index = VRPIndex([try vrp("192.0.2.0/24", 24, 64500), try vrp("198.51.100.0/22", 24, 64500)])
        #expect(index.state(of: try IPPrefix("192.0.2.0/24"), origin: 64500) == .valid)
        #expect(index.state(of: try IPPrefix("192.0.2.0/25"), origin: 64500) == .invalidTooSpecific)
        #expect(index.state(of: try IPPrefix("198.51.100.0/22"), origin: 64500) == .valid)
        #expect(index.state(of: try IPPrefix("198.51.101.0/24"), origin: 64500) == .valid)
        #expect(index.state(of: try IPPrefix("198.51.101.0/25"), origin: 64500) == .invalidTooSpecific)
        // Less specific than the VRP: not covered.
        #expect(index.state(of: try IPPrefix("198.51.96.0/21"), origin: 64500) == .notFound)
    }

    @Test("covered by another origin's VRP is invalid; uncovered is not-found")
    func wrongOrigin() throws {
        let index = VRPIndex([try vrp("192.0.2.0/24", 24, 64500)])
        #expect(index.state(of: try IPPrefix("192.0.2.0/24"), origin: 64501) == .invalidWrongOrigin)
        #expect(index.state(of: try IPPrefix("203.0.113.0/24"), origin: 64500) == .notFound)
    }

    @Test("any matching VRP among several makes the route valid")
    func multipleVRPs() throws {
        let index = VRPIndex([
            try vrp("10.0.0.0/8", 8, 64500),  // covers, too short for /16
            try vrp("10.0.0.0/8", 24, 64501),  // another origin
            try vrp("10.1.0.0/16", 16, 64502),  // the match for AS64502
        ])
        #expect(index.state(of: try IPPrefix("10.1.0.0/16"), origin: 64502) == .valid)
        #expect(index.state(of: try IPPrefix("10.1.0.0/16"), origin: 64501) == .valid)
        #expect(index.state(of: try IPPrefix("10.1.0.0/16"), origin: 64500) == .invalidTooSpecific)
        #expect(index.state(of: try IPPrefix("10.1.0.0/16"), origin: 64503) == .invalidWrongOrigin)
        #expect(index.covering(try IPPrefix("10.1.0.0/16")).count == 3)
    }

    @Test("an AS0 VRP makes covered routes invalid unless another VRP matches")
    func asZero() throws {
        let index = VRPIndex([try vrp("192.0.2.0/24", 32, 0)])
        #expect(index.state(of: try IPPrefix("192.0.2.0/24"), origin: 64500) == .invalidWrongOrigin)
        #expect(index.state(of: try IPPrefix("192.0.2.0/24"), origin: 0) == .invalidWrongOrigin)
        let withMatch = VRPIndex([try vrp("192.0.2.0/24", 32, 0), try vrp("192.0.2.0/24", 24, 64500)])
        #expect(withMatch.state(of: try IPPrefix("192.0.2.0/24"), origin: 64500) == .valid)
    }

    @Test("an AS_SET origin matches nothing")
    func asSet() throws {
        let index = VRPIndex([try vrp("192.0.2.0/24", 24, 64500)])
        #expect(index.state(of: try IPPrefix("192.0.2.0/24"), origin: nil) == .invalidWrongOrigin)
        #expect(index.state(of: try IPPrefix("203.0.113.0/24"), origin: nil) == .notFound)
    }

    @Test("IPv6, and families never cover each other")
    func ipv6() throws {
        let index = VRPIndex([try vrp("2001:db8::/32", 48, 64500), try vrp("0.0.0.0/0", 32, 64501)])
        #expect(index.state(of: try IPPrefix("2001:db8:1::/48"), origin: 64500) == .valid)
        #expect(index.state(of: try IPPrefix("2001:db8:1::/49"), origin: 64500) == .invalidTooSpecific)
        #expect(index.state(of: try IPPrefix("2001:db9::/32"), origin: 64500) == .notFound)
        #expect(index.state(of: try IPPrefix("2001:db8::/32"), origin: 64501) == .invalidWrongOrigin)
        #expect(index.state(of: try IPPrefix("::/0"), origin: 64501) == .notFound)
    }
}
