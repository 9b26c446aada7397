import Domain
import Foundation
import Operations
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

    /// The draft the operation checks (`RegistryOperations.createParticipant`).
    var draft: ParticipantDraft {
        ParticipantDraft(
            legalName: legalName, displayName: displayName, country: country, website: website, programs: programs,
            resources: (resources ?? []).map(\.draft), contacts: (contacts ?? []).map(\.draft))
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

    /// The edit the operation checks (`RegistryOperations.editParticipant`).
    var edit: ParticipantEdit {
        ParticipantEdit(legalName: legalName, displayName: displayName, country: country, website: website, status: status, programs: programs)
    }
}

/// A resource to claim: `{"kind": "asn", "value": "AS3333"}`.
struct ResourceInput: Codable {
    var kind: ResourceKind
    var value: String

    var draft: ResourceDraft { ResourceDraft(kind: kind, value: value) }
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

    var draft: ContactDraft { ContactDraft(role: role, name: name, email: email, phone: phone, available24x7: available24x7 ?? false) }
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
