import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// A participant's registry data, read-only: its resources with their verification state, its
/// contacts and its members. Changes go through the API for now.
struct ParticipantPageModel: Encodable, Sendable {
    struct Resource: Encodable, Sendable {
        let value: String
        let kind: String
        let state: String
        let reason: String?
    }
    struct Contact: Encodable, Sendable {
        let role: String
        let email: String
        let phone: String?
        let always: Bool
    }
    struct Member: Encodable, Sendable {
        let name: String
        let email: String
        let role: String
    }

    let csrf: String?
    let links: [NavLink]
    let name: String
    let legalName: String
    let country: String
    let website: String?
    let programs: String
    let resources: [Resource]
    let contacts: [Contact]
    let members: [Member]
}

extension WorkflowPages {
    func participantPage(_ id: UUID, _ session: BrowserSession) async throws -> Response {
        let participant = try await participants.get(id)
        let names = try await PageWords.programNames(catalogs)
        let frame = PageFrame(session)
        let model = ParticipantPageModel(
            csrf: frame.csrf, links: frame.links, name: participant.displayName, legalName: participant.legalName,
            country: participant.country, website: participant.website,
            programs: participant.programs.map { names[$0] ?? $0 }.joined(separator: ", "),
            resources: try await participants.resources(of: id).map { resource in
                .init(
                    value: resource.value, kind: PageWords.resourceKind(resource.kind),
                    state: PageWords.verification(resource.verification.state), reason: resource.verification.reason)
            },
            contacts: try await participants.contacts(of: id).map { contact in
                .init(role: PageWords.contactRole(contact.role), email: contact.email, phone: contact.phone, always: contact.available24x7)
            },
            members: try await participants.members(of: id).map { .init(name: $0.displayName, email: $0.email, role: $0.role.rawValue) })
        return try pages.render("participant", model: model)
    }
}
