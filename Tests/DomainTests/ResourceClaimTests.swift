import Domain
import Routing
import Testing

@Suite("Resources as the registry accepts them")
struct ResourceClaimTests {
    @Test("ASNs: AS prefix in any case, plain digits, the 32-bit range")
    func asns() throws {
        #expect(try ASNumber.parse("AS3333") == 3333)
        #expect(try ASNumber.parse("as3333") == 3333)
        #expect(try ASNumber.parse("3333") == 3333)
        #expect(try ASNumber.parse("4199999999") == 4_199_999_999)
        for bad in ["", "AS", "AS-1", "-1", "3333.5", "4294967296", "99999999999", "AS 3333", "३३३३", "0x10", "+3333"] {
            #expect(throws: Refusal.self, "\(bad)") { try ASNumber.parse(bad) }
            #expect((try? ASNumber.parse(bad)) == nil)
        }
        let error = #expect(throws: Refusal.self) { try ASNumber.parse("4294967296") }
        #expect(error?.code == "invalid_asn")
    }

    @Test(
        "bogon ASNs are refused with the reason",
        arguments: [
            (0 as UInt32, "RFC 7607"), (23456, "AS_TRANS"), (64496, "documentation"), (64511, "documentation"), (64512, "private"),
            (65534, "private"), (65535, "RFC 7300"), (65536, "documentation"), (65551, "documentation"), (65552, "IANA"), (131071, "IANA"),
            (4_200_000_000, "private"), (4_294_967_294, "private"), (4_294_967_295, "RFC 7300"),
        ])
    func bogonASNs(asn: UInt32, reason: String) {
        let error = #expect(throws: Refusal.self) { try ASNumber.parse("AS\(asn)") }
        #expect(error?.code == "bogon_asn")
        #expect(error?.message.contains(reason) == true)
        // Neighbours of the reserved ranges are fine.
        #expect(ASNumber.bogonReason(131072) == nil)
        #expect(ASNumber.bogonReason(4_199_999_999) == nil)
        #expect(ASNumber.bogonReason(64495) == nil)
    }

    @Test("prefixes come back in canonical form: RFC 5952 for IPv6, embedded IPv4, upper case")
    func canonicalPrefixes() throws {
        #expect(try PrefixClaim.parse("193.0.0.0/21").description == "193.0.0.0/21")
        #expect(try PrefixClaim.parse(" 193.0.0.0/21 ").description == "193.0.0.0/21")
        #expect(try PrefixClaim.parse("2001:067C:02E8:0000::/48").description == "2001:67c:2e8::/48")
        #expect(try PrefixClaim.parse("2001:DB9:0:0:0:0:0:0/32").description == "2001:db9::/32")
        #expect(try PrefixClaim.parse("2a00:0:0:0:0:0:0:0/12").description == "2a00::/12")
        // An IPv4-mapped address is IPv6 space (::ffff:0:0/96 sits inside the ::/8 bogon block).
        let mapped = #expect(throws: Refusal.self) { try PrefixClaim.parse("::ffff:193.0.0.0/117") }
        #expect(mapped?.code == "bogon_prefix")
        // Embedded IPv4 in the last 32 bits of a global address is read as such.
        #expect(try PrefixClaim.parse("2001:67c:2e8::c100:0/112", allowTooSpecific: true).description == "2001:67c:2e8::c100:0/112")
        #expect(try PrefixClaim.parse("2001:67c:2e8::193.0.0.0/112", allowTooSpecific: true).description == "2001:67c:2e8::c100:0/112")
    }

    @Test(
        "malformed and special prefixes are refused with a code",
        arguments: [
            ("193.0.0.1/21", "host_bits_set"), ("2001:67c:2e8::1/48", "host_bits_set"), ("193.0.0.0", "invalid_prefix"),
            ("193.0.0.0/33", "invalid_prefix"), ("2001:67c::/129", "invalid_prefix"), ("193.0.0/21", "invalid_prefix"),
            ("1:2:3:4:5:6:7:8:9/64", "invalid_prefix"), ("2001:::/32", "invalid_prefix"), ("193.0.0.0/+21", "invalid_prefix"),
            ("::/0", "bogon_prefix"), ("0.0.0.0/0", "bogon_prefix"), ("::/128", "bogon_prefix"), ("10.1.0.0/16", "bogon_prefix"),
            ("192.168.0.0/16", "bogon_prefix"), ("2001:db8::/32", "bogon_prefix"), ("fe80::/10", "bogon_prefix"), ("fc00::/8", "bogon_prefix"),
            ("100.64.0.0/10", "bogon_prefix"), ("224.0.0.0/4", "bogon_prefix"), ("193.0.0.0/25", "too_specific"),
            ("2001:67c:2e8::/49", "too_specific"),
        ])
    func refusedPrefixes(text: String, code: String) {
        let error = #expect(throws: Refusal.self) { try PrefixClaim.parse(text) }
        #expect(error?.code == code, "\(text): \(error?.message ?? "")")
    }

    @Test("host bits set: the refusal suggests the network")
    func hostBitsSuggestion() {
        let error = #expect(throws: Refusal.self) { try PrefixClaim.parse("193.0.0.1/21") }
        #expect(error?.message.contains("Did you mean 193.0.0.0/21?") == true)
    }

    @Test("peering LANs may be longer than the global table allows; routed prefixes may not")
    func peeringLANs() throws {
        #expect(try ResourceValue.parse("192.54.43.0/25", kind: .peeringLAN) == .prefix(try IPPrefix("192.54.43.0/25")))
        #expect(throws: Refusal.self) { try ResourceValue.parse("192.54.43.0/25", kind: .prefix) }
        #expect(try ResourceValue.parse("AS15743", kind: .routeServerASN) == .asn(15743))
        #expect(throws: Refusal.self) { try ResourceValue.parse("192.54.43.0/24", kind: .asn) }
        #expect(throws: Refusal.self) { try ResourceValue.parse("AS15743", kind: .prefix) }
    }

    @Test("countries are ISO 3166-1 alpha-2 codes, any case in, upper case out")
    func countries() {
        #expect(Country.codes.count == 249)
        #expect(Country.canonical("nl") == "NL")
        #expect(Country.canonical("GR") == "GR")
        #expect(Country.canonical("UK") == nil)  // the ISO code is GB
        #expect(Country.canonical("XX") == nil)
        #expect(Country.canonical("NLD") == nil)
    }

    @Test("contact details: emails and phone numbers")
    func contactDetails() {
        #expect(ContactRules.isEmail("noc@ripe.net"))
        #expect(!ContactRules.isEmail("noc@ripe"))
        #expect(!ContactRules.isEmail("noc ripe.net"))
        #expect(!ContactRules.isEmail("a@b@c.net"))
        #expect(!ContactRules.isEmail("noc@.net"))
        #expect(ContactRules.isPhone("+31 20 535 4444"))
        #expect(ContactRules.isPhone("(020) 535-4444"))
        #expect(!ContactRules.isPhone("call me"))
        #expect(!ContactRules.isPhone("31+20"))
        #expect(!ContactRules.isPhone("12345"))
    }
}
