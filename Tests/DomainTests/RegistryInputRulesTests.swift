import Domain
import Foundation
import Routing
import Testing

/// The registry's input rules, as pure functions: the codes the API and the pages both answer.
@Suite("Registry input rules")
struct RegistryInputRulesTests {
    static func codes(_ refusals: [FieldRefusal]) -> [String] { refusals.map { "\($0.field)=\($0.refusal.code)" } }

    @Test("a participant's details: names, country, website, programs, status")
    func details() {
        #expect(InputRules.legalName("Reseaux IP Europeens NCC").isEmpty)
        #expect(Self.codes(InputRules.legalName("")) == ["legal_name=required"])
        #expect(Self.codes(InputRules.legalName(String(repeating: "x", count: 201))) == ["legal_name=too_long"])
        #expect(Self.codes(InputRules.legalName("Evil\u{202E}Corp")) == ["legal_name=invalid_characters"])
        #expect(Self.codes(InputRules.participantName(String(repeating: "x", count: 101))) == ["display_name=too_long"])
        #expect(InputRules.country("nl").isEmpty && Country.canonical("nl") == "NL")
        #expect(Self.codes(InputRules.country("XX")) == ["country=invalid_country"])
        #expect(Self.codes(InputRules.country("")) == ["country=required"])
        #expect(InputRules.website("").isEmpty && InputRules.website("https://www.ripe.net").isEmpty)
        #expect(Self.codes(InputRules.website("javascript:alert(1)")) == ["website=invalid_url"])
        #expect(Self.codes(InputRules.programs([])) == ["programs=required"])
        #expect(Self.codes(InputRules.programs(["a", "b", "c", "d", "e"])) == ["programs=too_many"])
        #expect(Self.codes(InputRules.participantStatus("gone")) == ["status=invalid"])
    }

    @Test("a claim in canonical form, or why not; the same value twice")
    func resources() throws {
        #expect(try InputRules.resource("as3333", kind: .asn, limits: .standard).get().value == .asn(3333))
        #expect(try InputRules.resource("2001:67C:2E8:0::/48", kind: .prefix, limits: .standard).get().value.description == "2001:67c:2e8::/48")
        if case .failure(let refusal) = InputRules.resource("AS3333", kind: nil, limits: .standard) {
            #expect(refusal.field == "kind" && refusal.refusal.code == "required")
        } else {
            Issue.record("a claim without a kind was accepted")
        }
        for (text, kind, code) in [
            ("", ResourceKind.asn, "required"), ("AS64512", .asn, "bogon_asn"), ("10.0.0.0/8", .prefix, "bogon_prefix"),
            ("193.0.0.1/21", .prefix, "host_bits_set"),
        ] {
            guard case .failure(let refusal) = InputRules.resource(text, kind: kind, limits: .standard, field: "resources[0].value") else {
                Issue.record("\(text) was accepted")
                continue
            }
            #expect(refusal.field == "resources[0].value" && refusal.refusal.code == code, "\(text)")
        }
        let value = ResourceValue.asn(3333)
        #expect(Self.codes(InputRules.duplicates([("a", value), ("b", .asn(3320)), ("c", value)])) == ["c=duplicate"])
    }

    @Test("a contact: a role, an email address, an optional name and phone; a member's email")
    func contacts() {
        #expect(InputRules.contact(role: .noc, name: "", email: "noc@ripe.net", phone: "+31 20 535 4444").isEmpty)
        #expect(
            Self.codes(InputRules.contact(role: nil, name: "", email: "noc-at-ripe.net", phone: "call us", prefix: "contacts[1].")) == [
                "contacts[1].role=required", "contacts[1].email=invalid_email", "contacts[1].phone=invalid_phone",
            ])
        #expect(Self.codes(InputRules.contact(role: .abuse, name: "", email: "", phone: "")) == ["email=required"])
        #expect(Self.codes(InputRules.memberEmail("someone")) == ["email=invalid_email"])
        #expect(Self.codes(InputRules.verification(reason: "", url: "ftp://x")) == ["reason=required", "url=invalid_url"])
    }
}
