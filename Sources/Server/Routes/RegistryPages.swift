import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Operations
import Store

/// The participant's registry data in HTML (`/participants/{id}`): its details, resources,
/// contacts and members, with forms for those who may change them. Each form is a thin adapter
/// over `RegistryOperations`, which authorises and validates as for the API: on success a 303
/// back to the page with a notice and an anchor, on a refusal the page again with the API's
/// sentence, its codes in `X-Refusal`, and what was typed still in the form.
struct RegistryPages {
    let workflow: WorkflowPages
    /// Check results and enforcement, for `/participants/{id}/results`.
    let results: CheckResultStore

    var pages: Pages { workflow.pages }
    var participants: ParticipantStore { workflow.participants }
    var catalogs: CatalogStore { workflow.catalogs }
    var operations: RegistryOperations { workflow.operations.registry }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("/participants/:participant") { request, context in
            try await workflow.page(context, .readParticipant, id: "participant", of: { $0 }) { session, id in
                try await participantPage(id, session, notice: request.query("notice"))
            }
        }
        router.get("/participants/:participant/results") { request, context in
            try await workflow.page(context, .readParticipant, id: "participant", of: { $0 }) { session, id in
                try await resultsPage(id, session, cursor: request.query("cursor"))
            }
        }
        router.post("/participants/:participant/details") { request, context in
            try await registryForm(request, context, form: "details") { id, session, fields, change in
                _ = try await operations.editParticipant(
                    id, edit: Self.edit(fields), expectedVersion: Self.version(fields), by: session.actor, change: change)
                return ("details-saved", "details")
            }
        }
        router.post("/participants/:participant/resources") { request, context in
            try await registryForm(request, context, form: "resource") { id, session, fields, change in
                _ = try await operations.addResource(
                    ResourceDraft(kind: fields["kind"].flatMap(ResourceKind.init(rawValue:)), value: fields["value"] ?? ""), to: id,
                    by: session.actor, change: change)
                return ("resource-added", "resources")
            }
        }
        router.post("/participants/:participant/resources/:resource/remove") { request, context in
            try await registryForm(request, context, form: "resources") { id, session, _, change in
                try await operations.removeResource(try context.parameters.uuid("resource"), of: id, by: session.actor, change: change)
                return ("resource-removed", "resources")
            }
        }
        router.post("/participants/:participant/contacts") { request, context in
            try await registryForm(request, context, form: "contact") { id, session, fields, change in
                _ = try await operations.addContact(Self.contact(fields), to: id, by: session.actor, change: change)
                return ("contact-added", "contacts")
            }
        }
        router.post("/participants/:participant/contacts/:contact") { request, context in
            // The id is read inside the form's handling, so a malformed one is the page's 404, as
            // for every other page; the form's name only reopens the right form after a refusal.
            let named = (context.parameters.get("contact") ?? "").lowercased()
            return try await registryForm(request, context, form: "contact-\(named)") { id, session, fields, change in
                let contact = try context.parameters.uuid("contact")
                _ = try await operations.updateContact(
                    contact, of: id, with: Self.contact(fields), expectedVersion: Self.version(fields), by: session.actor, change: change)
                return ("contact-saved", "contact-\(contact.uuidString.lowercased())")
            }
        }
        router.post("/participants/:participant/contacts/:contact/remove") { request, context in
            try await registryForm(request, context, form: "contacts") { id, session, _, change in
                try await operations.removeContact(try context.parameters.uuid("contact"), of: id, by: session.actor, change: change)
                return ("contact-removed", "contacts")
            }
        }
        router.post("/participants/:participant/members") { request, context in
            try await registryForm(request, context, form: "member") { id, session, fields, change in
                let role = try Self.membershipRole(fields["role"])
                try await operations.setMember(email: fields["email"] ?? "", role: role, of: id, by: session.actor, change: change)
                return ("member-saved", "members")
            }
        }
        router.post("/participants/:participant/members/:user/remove") { request, context in
            try await registryForm(request, context, form: "members") { id, session, _, change in
                try await operations.removeMember(try context.parameters.uuid("user"), of: id, by: session.actor, change: change)
                return ("member-removed", "members")
            }
        }
    }

    /// A form on the participant in the path, posted by someone who may read it (the operation
    /// decides whether they may change it, as on the API): the change, then the page again with
    /// `(notice, anchor)`, or with the refusal and the typed values in the form named `form`.
    func registryForm(
        _ request: Request, _ context: AppRequestContext, form: String,
        _ change: @escaping (UUID, BrowserSession, [String: String], ChangeContext) async throws -> (notice: String, anchor: String)
    ) async throws -> Response {
        try await workflow.form(request, context, .readParticipant, of: { try context.parameters.uuid("participant") }) { session, fields in
            let id = try context.parameters.uuid("participant")
            do {
                let (notice, anchor) = try await change(id, session, fields, workflow.change(session, context))
                return WorkflowPages.redirect(to: "/participants/\(id.uuidString.lowercased())", notice: notice, anchor: anchor)
            } catch {
                return try await WorkflowPages.refused(error) { message, status in
                    try await participantPage(id, session, error: message, status: status, draft: fields, form: form)
                }
            }
        }
    }

    // MARK: Reading the forms

    /// The details form: every field it shows (the status select only for the secretariat); a
    /// program is a checkbox `program_<code>`.
    static func edit(_ fields: [String: String]) -> ParticipantEdit {
        let programs = fields.keys.filter { $0.hasPrefix("program_") }.map { String($0.dropFirst("program_".count)) }.sorted()
        return ParticipantEdit(
            legalName: fields["legal_name"] ?? "", displayName: fields["display_name"] ?? "", country: fields["country"] ?? "",
            website: .some(fields["website"] ?? ""), status: fields["status"], programs: programs)
    }

    static func contact(_ fields: [String: String]) -> ContactDraft {
        ContactDraft(
            role: fields["role"].flatMap(ContactRole.init(rawValue:)), name: fields["name"], email: fields["email"], phone: fields["phone"],
            available24x7: fields["available_24x7"] != nil)
    }

    static func membershipRole(_ value: String?) throws(StoreError) -> MembershipRole {
        guard let role = value.flatMap(MembershipRole.init(rawValue:)) else {
            throw StoreError.invalid([FieldRefusal("role", "required", "Choose the member's role.")])
        }
        return role
    }

    /// The version the form was shown at; a form without one is as stale as an old one.
    static func version(_ fields: [String: String]) -> Int { Int(fields["version"] ?? "") ?? 0 }
}
