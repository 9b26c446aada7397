import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// A participant's home for its registry data: its details, its resources with their
/// verification state in words and what to do about an unverified one, its contacts and its
/// members, each with the forms its members may use (`RegistryPages`). Staff who may only read
/// see the same page without forms.
struct ParticipantPageModel: Encodable, Sendable {
    struct Details: Encodable, Sendable {
        let legalName: String
        let displayName: String
        let country: String
        let website: String
        let version: Int
        let programs: [Program]
        /// Only the secretariat changes the status.
        let canChangeStatus: Bool
        let statusOptions: [Option]
    }
    struct Program: Encodable, Sendable {
        let code: String
        let name: String
        let checked: Bool
    }
    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }
    struct Resource: Encodable, Sendable {
        let id: String
        let value: String
        let kind: String
        let state: String
        /// What the state rests on, or what the participant can do about it.
        let explanation: String
        let verified: Bool
    }
    struct Contact: Encodable, Sendable {
        let id: String
        let role: String
        let name: String?
        let email: String
        let phone: String?
        let always: Bool
        /// The edit form's values: the contact's, or what was typed when the edit was refused.
        let form: ContactForm
        /// The edit form is open (it was refused, so the person sees why).
        let open: Bool
    }
    struct ContactForm: Encodable, Sendable {
        let roles: [Option]
        let name: String
        let email: String
        let phone: String
        let always: Bool
        let version: Int
    }
    /// A certification, linked to its enforcement page (status, appeal, decisions).
    struct Certification: Encodable, Sendable {
        let program: String
        let state: String
        let inputs: String?
        let enforcement: String
    }
    struct Member: Encodable, Sendable {
        let userID: String
        let name: String
        let email: String
        let role: String
        /// Not when this is the last owner (`MembershipRules`): the page offers no button that must fail.
        let removable: Bool
    }

    let csrf: String?
    let links: [NavLink]
    let participantID: String
    let name: String
    let legalName: String
    let country: String
    let website: String?
    let status: String
    let programs: String
    let canEdit: Bool
    let canManageMembers: Bool
    let details: Details
    let resources: [Resource]
    let hasUnverified: Bool
    let resourceKinds: [Option]
    let resourceValue: String
    let contacts: [Contact]
    let newContact: ContactForm
    let certifications: [Certification]
    let hasCertifications: Bool
    let members: [Member]
    let memberEmail: String
    let memberRoles: [Option]
    let error: String?
    let notice: String?
}

extension RegistryPages {
    /// The participant's page; `draft` is what a refused form sent (`form` names which one:
    /// `details`, `resource`, `contact`, `contact-<id>`, `member`), shown again in that form.
    func participantPage(
        _ id: UUID, _ session: BrowserSession, error: String? = nil, status: HTTPResponse.Status = .ok, draft: [String: String] = [:],
        form: String? = nil, notice: String? = nil
    ) async throws -> Response {
        let participant = try await participants.get(id)
        let names = try await PageWords.programNames(catalogs)
        let frame = PageFrame(session)
        let canEdit = Access.decide(.editParticipant, actor: session.actor, participant: id) == .allowed
        let canManageMembers = Access.decide(.manageMembers, actor: session.actor, participant: id) == .allowed
        let canChangeStatus = Access.decide(.changeParticipantStatus, actor: session.actor, participant: id) == .allowed
        func typed(_ field: String, in target: String, or value: String) -> String { form == target ? draft[field] ?? "" : value }

        let detailsDraft = form == "details"
        let details = ParticipantPageModel.Details(
            legalName: typed("legal_name", in: "details", or: participant.legalName),
            displayName: typed("display_name", in: "details", or: participant.displayName),
            country: typed("country", in: "details", or: participant.country),
            website: typed("website", in: "details", or: participant.website ?? ""), version: participant.version,
            programs: names.sorted { $0.value < $1.value }.map { code, name in
                .init(
                    code: code, name: name,
                    checked: detailsDraft ? draft["program_\(code)"] != nil : participant.programs.contains(code))
            },
            canChangeStatus: canChangeStatus,
            statusOptions: ["active", "inactive"].map { value in
                .init(value: value, label: value, selected: typed("status", in: "details", or: participant.status) == value)
            })

        let resources = try await participants.resources(of: id).map { resource in
            ParticipantPageModel.Resource(
                id: resource.id.uuidString.lowercased(), value: resource.value, kind: PageWords.resourceKind(resource.kind),
                state: PageWords.verification(resource.verification.state), explanation: PageWords.verificationExplanation(resource),
                verified: resource.verification.state == .verified)
        }
        let draftKind = form == "resource" ? draft["kind"] : nil
        let kinds = ResourceKind.allCases.map { kind in
            ParticipantPageModel.Option(value: kind.rawValue, label: PageWords.resourceKind(kind), selected: draftKind == kind.rawValue)
        }

        func roles(_ selected: String?) -> [ParticipantPageModel.Option] {
            ContactRole.allCases.map { .init(value: $0.rawValue, label: PageWords.contactRole($0), selected: selected == $0.rawValue) }
        }
        let contacts = try await participants.contacts(of: id).map { contact in
            let target = "contact-\(contact.id.uuidString.lowercased())"
            let refused = form == target
            return ParticipantPageModel.Contact(
                id: contact.id.uuidString.lowercased(), role: PageWords.contactRole(contact.role), name: contact.name, email: contact.email,
                phone: contact.phone, always: contact.available24x7,
                form: .init(
                    roles: roles(refused ? draft["role"] : contact.role.rawValue), name: typed("name", in: target, or: contact.name ?? ""),
                    email: typed("email", in: target, or: contact.email), phone: typed("phone", in: target, or: contact.phone ?? ""),
                    always: refused ? draft["available_24x7"] != nil : contact.available24x7, version: contact.version),
                open: refused)
        }
        let newContact = ParticipantPageModel.ContactForm(
            roles: roles(form == "contact" ? draft["role"] : nil), name: typed("name", in: "contact", or: ""),
            email: typed("email", in: "contact", or: ""), phone: typed("phone", in: "contact", or: ""),
            always: form == "contact" && draft["available_24x7"] != nil, version: 0)

        let enforcement = try await results.enforcement(of: id)
        let inputs = try await results.latestInputs(of: enforcement.map(\.certificationID))
        let certifications = enforcement.map { certification in
            ParticipantPageModel.Certification(
                program: "\(names[certification.program] ?? certification.program) (\(PageWords.tier(certification.tier)))",
                state: PageWords.enforcementState(certification.status),
                inputs: inputs[certification.certificationID].map { "Latest check: " + $0.note },
                enforcement: "/certifications/\(certification.certificationID.uuidString.lowercased())/enforcement")
        }
        let members = try await participants.members(of: id)
        let model = ParticipantPageModel(
            csrf: frame.csrf, links: frame.links, participantID: id.uuidString.lowercased(), name: participant.displayName,
            legalName: participant.legalName, country: participant.country, website: participant.website,
            status: participant.status,
            programs: participant.programs.map { names[$0] ?? $0 }.joined(separator: ", "), canEdit: canEdit,
            canManageMembers: canManageMembers, details: details, resources: resources,
            hasUnverified: resources.contains { !$0.verified }, resourceKinds: kinds, resourceValue: typed("value", in: "resource", or: ""),
            contacts: contacts, newContact: newContact, certifications: certifications,
            hasCertifications: !certifications.isEmpty,
            members: members.map { member in
                .init(
                    userID: member.userID.uuidString.lowercased(), name: member.displayName, email: member.email,
                    role: PageWords.membershipRole(member.role),
                    removable: MembershipRules.lastOwnerRefusal(
                        leavingIsOwner: member.role == .owner, otherOwners: members.filter { $0.role == .owner && $0.userID != member.userID }.count)
                        == nil)
            },
            memberEmail: typed("email", in: "member", or: ""),
            memberRoles: MembershipRole.allCases.reversed().map { role in
                .init(value: role.rawValue, label: PageWords.membershipRole(role), selected: form == "member" && draft["role"] == role.rawValue)
            },
            error: error, notice: PageWords.notice(notice))
        return try pages.render("participant", model: model, status: status)
    }
}
