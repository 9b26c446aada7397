import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Operations
import Postgres
import Store

/// The secretariat's pages: accounts, catalog drafts and publishing, resource verification.
/// Like the workflow pages (whose plumbing they use: `page`, `form`, `refused`), they work
/// without JavaScript, authorise through `Access.decide`, and every POST runs the operation
/// the REST API runs, so a refusal has the same codes (`X-Refusal`) and the same sentence.
struct AdminPages {
    /// The workflow pages' plumbing: sessions, CSRF, error pages, refusals.
    let web: WorkflowPages
    let operations: Operations
    let users: UserStore
    let catalogs: CatalogStore
    let participants: ParticipantStore
    let database: PostgresPool
    let sources: SourceRoutes

    var pages: Pages { web.pages }

    init(web: WorkflowPages, services: Services) {
        self.web = web
        operations = services.operations
        users = services.users
        catalogs = services.catalogs
        participants = services.participants
        database = services.database
        sources = SourceRoutes(sourcesFile: services.settings.snapshotSources, fetches: services.snapshotFetches)
    }

    func register(on router: RouterGroup<AppRequestContext>) {
        registerUsers(on: router)
        registerCatalogs(on: router)
        registerResources(on: router)
        router.get("/admin/sources") { _, context in
            try await web.page(context, .readJobs) { session in try await sourcesPage(session) }
        }
    }

    // MARK: Users

    func registerUsers(on router: RouterGroup<AppRequestContext>) {
        router.get("/admin/users") { request, context in
            try await web.page(context, .manageUsers) { session in
                try await usersPage(session, cursor: request.query("cursor"), notice: request.query("notice"))
            }
        }
        router.post("/admin/users") { request, context in
            try await web.form(request, context, .manageUsers) { session, fields in
                do {
                    guard let role = fields["role"].flatMap(UserRole.init(rawValue:)) else {
                        throw StoreError.invalid([FieldRefusal("role", "required", "Choose the account's role.")])
                    }
                    // Shown once, on the page this answers with: never in an address or a log.
                    let password = Secrets.password()
                    let user = try await users.withEmailConflicts {
                        try await database.transaction { connection in
                            try await operations.accounts.createUser(
                                email: fields["email"] ?? "", displayName: fields["display_name"] ?? "", role: role,
                                organisation: fields["organisation"], password: password, by: session.actor, change: web.change(session, context),
                                on: connection)
                        }
                    }
                    return try await usersPage(
                        session, created: .init(name: user.displayName, email: user.email, password: password), status: .created)
                } catch {
                    return try await WorkflowPages.refused(error) { message, status in
                        try await usersPage(session, error: message, status: status, draft: fields)
                    }
                }
            }
        }
        router.post("/admin/users/:user") { request, context in
            try await web.form(request, context, .manageUsers) { session, fields in
                let id = try context.parameters.uuid("user")
                do {
                    let role = try fields["role"].map { text throws(StoreError) in
                        guard let role = UserRole(rawValue: text) else {
                            throw StoreError.invalid([FieldRefusal("role", "required", "Choose the account's role.")])
                        }
                        return role
                    }
                    let disabled = fields["disabled"].map { $0 == "true" }
                    _ = try await operations.accounts.updateUser(
                        id, displayName: nil, role: role, disabled: disabled, expectedVersion: Int(fields["version"] ?? "") ?? 0,
                        by: session.actor, change: web.change(session, context))
                    let notice = disabled.map { $0 ? "user-disabled" : "user-enabled" } ?? "role-changed"
                    return WorkflowPages.redirect(to: "/admin/users", notice: notice, anchor: "user-\(id.uuidString.lowercased())")
                } catch {
                    return try await WorkflowPages.refused(error) { message, status in
                        try await usersPage(session, error: message, status: status)
                    }
                }
            }
        }
    }

    // MARK: Catalogs

    func registerCatalogs(on router: RouterGroup<AppRequestContext>) {
        router.get("/admin/catalogs") { request, context in
            try await web.page(context, .readCatalogDrafts) { session in
                try await catalogsPage(session, notice: request.query("notice"))
            }
        }
        router.post("/admin/catalogs/:program/versions") { request, context in
            try await web.form(request, context, .writeCatalog) { session, _ in
                let program = try context.parameters.require("program")
                do {
                    let draft = try await operations.catalogs.createDraft(
                        of: program, document: nil, by: session.actor, change: web.change(session, context))
                    return WorkflowPages.redirect(to: Self.versionPath(program, draft.version), notice: "draft-created", anchor: "editor")
                } catch {
                    return try await WorkflowPages.refused(error) { message, status in
                        try await catalogsPage(session, error: message, status: status)
                    }
                }
            }
        }
        router.get("/admin/catalogs/:program/versions/:version") { request, context in
            try await web.page(context, .readCatalogDrafts) { session in
                let (program, version) = try Self.version(context)
                return try await catalogVersionPage(program, version, session, notice: request.query("notice"))
            }
        }
        router.post("/admin/catalogs/:program/versions/:version") { request, context in
            try await web.form(request, context, .writeCatalog) { session, fields in
                let (program, version) = try Self.version(context)
                do {
                    let document = try Self.document(fields["document"] ?? "")
                    _ = try await operations.catalogs.updateDraft(
                        version, of: program, document: document, expectedRowVersion: Int(fields["row_version"] ?? "") ?? 0, by: session.actor,
                        change: web.change(session, context))
                    return WorkflowPages.redirect(to: Self.versionPath(program, version), notice: "draft-saved", anchor: "editor")
                } catch {
                    return try await WorkflowPages.refused(error) { message, status in
                        try await catalogVersionPage(
                            program, version, session, error: message, problems: Self.problems(error), status: status, typed: fields["document"])
                    }
                }
            }
        }
        router.get("/admin/catalogs/:program/versions/:version/publish") { _, context in
            try await web.page(context, .writeCatalog) { session in
                let (program, version) = try Self.version(context)
                return try await publishPage(program, version, session)
            }
        }
        router.post("/admin/catalogs/:program/versions/:version/publish") { request, context in
            try await web.form(request, context, .writeCatalog) { session, fields in
                let (program, version) = try Self.version(context)
                do {
                    _ = try await operations.catalogs.publish(
                        version, of: program, expectedRowVersion: Int(fields["row_version"] ?? "") ?? 0, by: session.actor,
                        change: web.change(session, context))
                    return WorkflowPages.redirect(to: Self.versionPath(program, version), notice: "catalog-published")
                } catch {
                    return try await WorkflowPages.refused(error) { message, status in
                        try await catalogVersionPage(program, version, session, error: message, status: status)
                    }
                }
            }
        }
    }

    static func versionPath(_ program: String, _ version: Int) -> String {
        "/admin/catalogs/\(program.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")/versions/\(version)"
    }

    /// The program and version number in the path; a version that is not a positive whole number is the 404 page.
    static func version(_ context: AppRequestContext) throws -> (String, Int) {
        (try context.parameters.require("program"), try CatalogRoutes.versionNumber(context))
    }

    /// The catalog document typed into the draft's text area, read exactly as the API reads a
    /// request's `{"document": …}` (strictly: a field the catalog does not have is refused), so
    /// the refusals name the same fields (`document.…`) with the same sentences. Text that is not
    /// JSON at all is a refusal of the field, not a 400: the page shows it with the text kept.
    static func document(_ text: String) throws -> CatalogDocument? {
        let data = Data("{\"document\":\(text)\n}".utf8)
        do {
            let input = try Request.decodeJSON(CatalogRoutes.DraftInput.self, from: data)
            try UnknownFields.refuse(input: data, decoded: input)
            return input.document
        } catch let problem {
            guard let errors = problem.errors else {
                throw StoreError.invalid([
                    FieldRefusal("document", "invalid_json", "The document is not valid JSON: look for a missing comma, quote or bracket.")
                ])
            }
            throw StoreError.invalid(errors.map { FieldRefusal($0.field, $0.code, $0.message) })
        }
    }

    /// A refusal's problems with the document, one per field, for the list under the editor.
    static func problems(_ error: any Error) -> [AdminCatalogVersionPageModel.Problem] {
        guard case .invalid(let refusals) = error as? StoreError else { return [] }
        return refusals.map { refusal in
            let place = refusal.field.hasPrefix("document.") ? String(refusal.field.dropFirst("document.".count)) : refusal.field
            return .init(place: place, message: refusal.refusal.message)
        }
    }

    // MARK: Resources

    func registerResources(on router: RouterGroup<AppRequestContext>) {
        router.get("/admin/resources") { request, context in
            try await web.page(context, .verifyResources) { session in
                try await resourcesPage(
                    session, participant: request.query("participant").flatMap(UUID.init(uuidString:)), notice: request.query("notice"))
            }
        }
        router.post("/admin/resources/:participant/:resource/verify") { request, context in
            try await resourceForm(request, context) { participant, resource, session, fields in
                _ = try await operations.registry.verifyResource(
                    resource, of: participant, reason: fields["reason"], url: fields["url"], by: session.actor, change: web.change(session, context))
                return "resource-verified"
            }
        }
        router.post("/admin/resources/:participant/:resource/unverify") { request, context in
            try await resourceForm(request, context) { participant, resource, session, fields in
                _ = try await operations.registry.unverifyResource(
                    resource, of: participant, reason: fields["reason"], by: session.actor, change: web.change(session, context))
                return "resource-unverified"
            }
        }
    }

    /// A verification form: the change, then the list the form was on (`view`: the claims awaiting
    /// verification, or the participant's resources) at the resource, or that list again with
    /// the refusal and the reason as typed.
    func resourceForm(
        _ request: Request, _ context: AppRequestContext,
        _ change: @escaping (UUID, UUID, BrowserSession, [String: String]) async throws -> String
    ) async throws -> Response {
        try await web.form(request, context, .verifyResources) { session, fields in
            let participant = try context.parameters.uuid("participant")
            let resource = try context.parameters.uuid("resource")
            let shown = fields["view"] == "participant" ? participant : nil
            do {
                let notice = try await change(participant, resource, session, fields)
                let list = shown.map { "/admin/resources?participant=\($0.uuidString.lowercased())&" } ?? "/admin/resources?"
                return WebRoutes.redirect(to: "\(list)notice=\(notice)#resource-\(resource.uuidString.lowercased())")
            } catch {
                return try await WorkflowPages.refused(error) { message, status in
                    try await resourcesPage(
                        session, participant: shown, error: message, status: status, draft: (resource, fields["reason"] ?? "", fields["url"] ?? ""))
                }
            }
        }
    }
}
