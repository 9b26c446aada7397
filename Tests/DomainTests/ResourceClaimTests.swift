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
        #expect(try PrefixClaim.parse("2a00:0:0:0:0:0:0:0/19").description == "2a00::/19")
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
            // Space that contains special-purpose blocks: a squat of everything around them.
            ("64.0.0.0/2", "contains_special_purpose"), ("0.0.0.0/1", "contains_special_purpose"), ("96.0.0.0/4", "contains_special_purpose"),
            ("100.0.0.0/8", "contains_special_purpose"), ("192.0.0.0/8", "contains_special_purpose"), ("2000::/3", "contains_special_purpose"),
            ("2001::/16", "contains_special_purpose"),
            // Shorter than the registry accepts (/8, /19), though free of special-purpose space.
            ("80.0.0.0/4", "too_broad"), ("4.0.0.0/6", "too_broad"), ("2a00::/12", "too_broad"), ("2c00::/18", "too_broad"),
        ])
    func refusedPrefixes(text: String, code: String) {
        let error = #expect(throws: Refusal.self) { try PrefixClaim.parse(text) }
        #expect(error?.code == code, "\(text): \(error?.message ?? "")")
    }

    @Test("the shortest claimable prefix is a setting; the boundaries themselves are fine")
    func claimLimits() throws {
        #expect(try PrefixClaim.parse("80.0.0.0/8").description == "80.0.0.0/8")
        #expect(try PrefixClaim.parse("2a00::/19").description == "2a00::/19")
        let strict = ClaimLimits(minIPv4Length: 12, minIPv6Length: 29)
        let error = #expect(throws: Refusal.self) { try PrefixClaim.parse("80.0.0.0/11", limits: strict) }
        #expect(error?.code == "too_broad" && error?.message.contains("/12") == true)
        #expect(try PrefixClaim.parse("80.0.0.0/12", limits: strict).description == "80.0.0.0/12")
        #expect((try? ResourceValue.parse("2a00::/28", kind: .prefix, limits: strict)) == nil)
        #expect(try ResourceValue.parse("2a00::/29", kind: .prefix, limits: strict) == .prefix(try IPPrefix("2a00::/29")))
        // Peering LANs keep their exception for long prefixes, not for short ones.
        #expect(try ResourceValue.parse("80.81.192.0/21", kind: .peeringLAN) == .prefix(try IPPrefix("80.81.192.0/21")))
        #expect((try? ResourceValue.parse("64.0.0.0/2", kind: .peeringLAN)) == nil)
    }

    @Test("RPKI verification: a VRP covering the prefix, allowing its length, for a verified ASN of the participant")
    func authorisingVRP() throws {
        let claim = try IPPrefix("193.0.4.0/22")
        func vrp(_ prefix: String, _ maxLength: UInt8, _ asn: ASN) throws -> VRP { VRP(prefix: try IPPrefix(prefix), maxLength: maxLength, asn: asn) }
        let exact = try vrp("193.0.4.0/22", 22, 3333)
        let covering = try vrp("193.0.0.0/16", 24, 3333)
        #expect(ResourceVerification.authorisingVRP(for: claim, among: [covering, exact], verifiedASNs: [3333]) == exact)
        #expect(ResourceVerification.authorisingVRP(for: claim, among: [covering], verifiedASNs: [3333]) == covering)
        // Too short a maxLength, another ASN, AS0, a more specific VRP, another family: none proves anything.
        let refusals = [
            try vrp("193.0.0.0/16", 21, 3333), try vrp("193.0.4.0/22", 22, 3334), try vrp("193.0.4.0/22", 22, 0), try vrp("193.0.4.0/23", 24, 3333),
            try vrp("2001:67c::/32", 48, 3333),
        ]
        #expect(ResourceVerification.authorisingVRP(for: claim, among: refusals, verifiedASNs: [3333, 0]) == nil)
        // An unverified ASN proves nothing either.
        #expect(ResourceVerification.authorisingVRP(for: claim, among: [exact], verifiedASNs: []) == nil)
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
