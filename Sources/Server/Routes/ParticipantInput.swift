import Domain
import Foundation
import Store

/// `POST /participants`: the organisation, its programs, and optionally its first resources and contacts.
struct ParticipantInput: Codable {
    var legalName: String
    var displayName: String?
    var country: String
    var website: String?
    var programs: [String]
    var resources: [ResourceInput]?
    var contacts: [ContactInput]?

    enum CodingKeys: String, CodingKey {
        case country, website, programs, resources, contacts
        case legalName = "legal_name"
        case displayName = "display_name"
    }

    /// Checks every field; the 422 lists all that are wrong.
    func validated(limits: ClaimLimits = .standard) throws(Problem) -> NewParticipant {
        var checks = FieldChecks()
        let legalName = checks.text("legal_name", legalName, max: Limits.legalName.max)
        let displayName = checks.text("display_name", displayName ?? legalName, max: Limits.displayName.max)
        let country = checks.country("country", country)
        let website = checks.website("website", website)
        if programs.isEmpty { checks.fail("programs", "required", "A participant takes part in at least one program.") }
        _ = checks.count("programs", programs.count, max: 4)
        var resources: [NewResource] = []
        if checks.count("resources", self.resources?.count ?? 0, max: 1000) {
            for (index, input) in (self.resources ?? []).enumerated() {
                if let value = checks.resource("resources[\(index)].value", kind: input.kind, value: input.value, limits: limits) {
                    resources.append(NewResource(kind: input.kind, value: value))
                }
            }
        }
        let duplicates = Dictionary(grouping: resources.indices, by: { resources[$0].value }).filter { $0.value.count > 1 }
        for (value, indices) in duplicates {
            checks.fail("resources[\(indices[1])].value", "duplicate", "\(value) is listed more than once.")
        }
        var contacts: [NewContact] = []
        if checks.count("contacts", self.contacts?.count ?? 0, max: 50) {
            for (index, input) in (self.contacts ?? []).enumerated() {
                if let contact = checks.contact("contacts[\(index)]", input) { contacts.append(contact) }
            }
        }
        try checks.check()
        return NewParticipant(
            legalName: legalName!, displayName: displayName!, country: country!, website: website, programs: programs,
            resources: resources, contacts: contacts
        )
    }
}

/// `PATCH /participants/{id}`: any subset of the fields; `"website": null` clears the website.
struct ParticipantPatch: Codable {
    var legalName: String?
    var displayName: String?
    var country: String?
    var website: String??
    var status: String?
    var programs: [String]?

    enum CodingKeys: String, CodingKey {
        case country, website, status, programs
        case legalName = "legal_name"
        case displayName = "display_name"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        legalName = try container.decodeIfPresent(String.self, forKey: .legalName)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        country = try container.decodeIfPresent(String.self, forKey: .country)
        if container.contains(.website) {
            website = .some(try container.decodeNil(forKey: .website) ? nil : try container.decode(String.self, forKey: .website))
        }
        status = try container.decodeIfPresent(String.self, forKey: .status)
        programs = try container.decodeIfPresent([String].self, forKey: .programs)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(legalName, forKey: .legalName)
        try container.encodeIfPresent(displayName, forKey: .displayName)
        try container.encodeIfPresent(country, forKey: .country)
        if let website { try container.encode(website, forKey: .website) }
        try container.encodeIfPresent(status, forKey: .status)
        try container.encodeIfPresent(programs, forKey: .programs)
    }

    func validated() throws(Problem) -> ParticipantChanges {
        var checks = FieldChecks()
        var changes = ParticipantChanges()
        if let legalName { changes.legalName = checks.text("legal_name", legalName, max: Limits.legalName.max) }
        if let displayName { changes.displayName = checks.text("display_name", displayName, max: Limits.displayName.max) }
        if let country { changes.country = checks.country("country", country) }
        if let website { changes.website = .some(website.flatMap { checks.website("website", $0) }) }
        if let status {
            if ["active", "inactive"].contains(status) {
                changes.status = status
            } else {
                checks.fail("status", "invalid", "status is active or inactive.")
            }
        }
        if let programs {
            if programs.isEmpty { checks.fail("programs", "required", "A participant takes part in at least one program.") }
            if checks.count("programs", programs.count, max: 4) { changes.programs = programs }
        }
        try checks.check()
        return changes
    }
}

/// A resource to claim: `{"kind": "asn", "value": "AS3333"}`.
struct ResourceInput: Codable {
    var kind: ResourceKind
    var value: String
}

/// `POST …/resources/{id}/verify`: the evidence that the participant holds the resource.
struct VerificationInput: Codable {
    var reason: String?
    var url: String?
}

/// `POST …/resources/{id}/unverify`: why the verification is withdrawn.
struct UnverificationInput: Codable {
    var reason: String?
}

/// `POST /resources/rpki-verification`: one participant, or every participant when absent.
struct RPKIVerificationInput: Codable {
    var participantID: UUID?

    enum CodingKeys: String, CodingKey {
        case participantID = "participant_id"
    }
}

/// A contact: role, email, optional name and phone, and whether it answers around the clock.
struct ContactInput: Codable {
    var role: ContactRole
    var name: String?
    var email: String?
    var phone: String?
    var available24x7: Bool?

    enum CodingKeys: String, CodingKey {
        case role, name, email, phone
        case available24x7 = "available_24x7"
    }
}

/// `POST /participants/{id}/members`: an existing applicant, by email.
struct MemberInput: Codable {
    var email: String
    var role: MembershipRole?
}

/// The answer to `POST /participants/{id}/members`, the same whether or not an applicant has the email.
struct MemberRequest: Encodable {
    let email: String
    let role: MembershipRole
    let detail = "If an applicant account has this email, it is now a member with this role; the members list shows who is a member."
}
