import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Operations
import Store

/// The workflow in HTML: the applicant's applications, the auditors' queue and review page, the
/// admins' view of conflicts (the participant's registry data: `RegistryPages`, on this plumbing). Every form carries the session's CSRF token; every page works
/// without JavaScript. Every POST runs the same operation as the REST API (`Operations`): on
/// success it redirects to the page with a notice and an anchor, on a refusal it shows the page
/// again with the refusal's sentence (and its code in the `X-Refusal` header).
struct WorkflowPages {
    let pages: Pages
    let operations: Operations
    let applications: ApplicationStore
    let reviews: ReviewStore
    let participants: ParticipantStore
    let catalogs: CatalogStore
    let measurements: MeasurementStore
    let evidenceMaxBytes: Int
    /// What a certification's latest check measured with (the enforcement page).
    let results: CheckResultStore

    func register(on router: RouterGroup<AppRequestContext>) {
        registerApplicationForms(on: router)
        registerReviewForms(on: router)
        registerDisputeForms(on: router)
        registerEnforcementForms(on: router)
        router.get("/applications") { request, context in
            try await page(context, .applyForCertification) { session in
                try await applicationsPage(session, now: context.now, error: nil, status: .ok, notice: request.query("notice"))
            }
        }
        router.get("/applications/:application") { request, context in
            try await page(context, .readApplication, id: "application", of: applications.participant(ofApplication:)) { session, id in
                try await applicationPage(id, session, now: context.now, error: nil, status: .ok, notice: request.query("notice"))
            }
        }
        router.get("/queue") { request, context in
            try await page(context, .reviewApplications) { session in
                try await queuePage(request, session, now: context.now, error: nil, status: .ok, notice: request.query("notice"))
            }
        }
        router.get("/review/:item") { request, context in
            try await page(context, .reviewApplications) { session in
                try await reviewPage(
                    try context.parameters.uuid("item"), session, now: context.now, error: nil, status: .ok, notice: request.query("notice"))
            }
        }
        router.get("/admin/conflicts") { _, context in
            try await page(context, .readConflicts) { session in try await conflictsPage(session) }
        }
    }

    // MARK: Forms

    /// The applicant's forms: each a thin adapter over `ApplicationOperations`.
    func registerApplicationForms(on router: RouterGroup<AppRequestContext>) {
        router.post("/applications") { request, context in
            try await form(request, context, .applyForCertification) { session, fields in
                do {
                    guard let participant = fields["participant_id"].flatMap(UUID.init(uuidString:)),
                        let tier = fields["tier"].flatMap(Tier.init(rawValue:))
                    else {
                        throw StoreError.invalid([FieldRefusal("participant_id", "required", "Choose a participant, a program and a tier.")])
                    }
                    let created = try await operations.applications.create(
                        participant: participant, program: fields["program"] ?? "", tier: tier, by: session.actor, change: change(session, context))
                    return Self.redirect(to: "/applications/\(created.id.uuidString.lowercased())", notice: "application-created")
                } catch {
                    return try await Self.refused(error) { message, status in
                        try await applicationsPage(session, now: context.now, error: message, status: status, draft: fields)
                    }
                }
            }
        }
        router.post("/applications/:application/commitments") { request, context in
            try await applicationForm(request, context) { id, session, fields in
                let action = try Self.action(fields["action"])
                _ = try await operations.applications.commit(
                    id, action: action, statement: fields["statement"] ?? "", by: session.actor, change: change(session, context))
                return ("commitment-saved", "action-\(action)")
            }
        }
        router.post("/applications/:application/commitments/:action/remove") { request, context in
            try await applicationForm(request, context) { id, session, _ in
                let action = try context.parameters.require("action")
                _ = try await operations.applications.removeCommitment(id, action: action, by: session.actor, change: change(session, context))
                return ("commitment-removed", "action-\(action)")
            }
        }
        router.post("/applications/:application/evidence") { request, context in
            // Who may upload here is decided before a byte of the file is read, and the form's
            // CSRF field before its file part is taken in.
            try await page(context, .editApplication, id: "application", of: applications.participant(ofApplication:)) { session, id in
                guard let boundary = MultipartForm.boundary(request.headers[.contentType] ?? "") else {
                    throw Problem.unsupportedMediaType("Upload evidence with the page's form.")
                }
                let upload = try await MultipartForm.read(request, boundary: boundary, maxBytes: evidenceMaxBytes) { fields in
                    try Pages.checkCSRF(fields.field("csrf"), session)
                }
                try Pages.checkCSRF(upload.field("csrf"), session)
                let draft = ["action", "effective_from", "effective_until", "supersedes"].reduce(into: [String: String]()) { draft, name in
                    draft[name] = upload.field(name)
                }
                return try await applicationChange(id, session, now: context.now, draft: draft) {
                    let action = try Self.action(upload.field("action"))
                    let evidence = try WorkflowRoutes.evidence(from: upload, maxBytes: evidenceMaxBytes)
                    _ = try await operations.applications.addEvidence(
                        id, action: action, evidence, by: session.actor, change: change(session, context))
                    return ("evidence-added", "action-\(action)")
                }
            }
        }
        router.post("/applications/:application/evidence-url") { request, context in
            try await applicationForm(request, context) { id, session, fields in
                let action = try Self.action(fields["action"])
                let draft = EvidenceDraft(
                    content: .url(fields["url"] ?? ""), effectiveFrom: fields["effective_from"], effectiveUntil: fields["effective_until"])
                _ = try await operations.applications.addEvidence(id, action: action, draft, by: session.actor, change: change(session, context))
                return ("evidence-added", "action-\(action)")
            }
        }
        router.post("/applications/:application/submit") { request, context in
            try await applicationForm(request, context) { id, session, fields in
                _ = try await operations.applications.submit(
                    id, expectedVersion: Int(fields["version"] ?? "") ?? 0, by: session.actor, change: change(session, context))
                return ("submitted", "submit")
            }
        }
        router.post("/applications/:application/withdraw") { request, context in
            try await applicationForm(request, context) { id, session, fields in
                _ = try await operations.applications.withdraw(
                    id, expectedVersion: Int(fields["version"] ?? "") ?? 0, by: session.actor, change: change(session, context))
                return ("withdrawn", nil)
            }
        }
        router.post("/applications/:application/comments") { request, context in
            try await applicationForm(request, context) { id, session, fields in
                _ = try await operations.applications.comment(
                    id, body: fields["body"] ?? "", isInternal: false, by: session.actor, change: change(session, context))
                return ("comment-added", "comments")
            }
        }
    }

    /// The auditors' forms: each a thin adapter over `ReviewOperations`.
    func registerReviewForms(on router: RouterGroup<AppRequestContext>) {
        router.post("/queue/:item/claim") { request, context in
            try await form(request, context, .reviewApplications) { session, _ in
                let id = try context.parameters.uuid("item")
                do {
                    _ = try await operations.reviews.claim(id, by: session.actor, change: change(session, context))
                    return Self.redirect(to: "/review/\(id.uuidString.lowercased())", notice: "claimed")
                } catch {
                    return try await Self.refused(error) { message, status in
                        try await queuePage(request, session, now: context.now, error: message, status: status)
                    }
                }
            }
        }
        router.post("/review/:item/decision") { request, context in
            try await reviewForm(request, context) { id, session, fields in
                var comments: [String: String] = [:]
                for (key, value) in fields where key.hasPrefix("comment_") { comments[String(key.dropFirst("comment_".count))] = value }
                _ = try await operations.reviews.decide(
                    id, decision: fields["decision"].flatMap(Decision.init(rawValue:)), reasons: fields["reasons"], actionComments: comments,
                    by: session.actor, change: change(session, context))
                return Self.redirect(to: "/review/\(id.uuidString.lowercased())", notice: "decision-recorded", anchor: "decision")
            }
        }
        router.post("/review/:item/release") { request, context in
            try await reviewForm(request, context) { id, session, _ in
                _ = try await operations.reviews.release(id, by: session.actor, change: change(session, context))
                return Self.redirect(to: "/queue", notice: "released")
            }
        }
        router.post("/review/:item/comments") { request, context in
            try await reviewForm(request, context) { id, session, fields in
                _ = try await operations.reviews.comment(
                    onItem: id, body: fields["body"] ?? "", isInternal: fields["internal"] == "true", by: session.actor,
                    change: change(session, context))
                return Self.redirect(to: "/review/\(id.uuidString.lowercased())", notice: "comment-added", anchor: "comments")
            }
        }
    }

    // MARK: Plumbing

    /// A page for signed-in users who may perform `permission` (on the participant `of` names,
    /// when the permission concerns one), decided by `Access.decide`: others are sent to sign
    /// in, or shown a 403 page with the rule that refused; refusals become error pages.
    func page(
        _ context: AppRequestContext, _ permission: Permission, of participant: (() async throws -> UUID)? = nil,
        _ body: (BrowserSession) async throws -> Response
    ) async throws -> Response {
        guard let session = context.session else { return WebRoutes.redirect(to: "/login") }
        do {
            let concerned = try await participant?()
            if case .forbidden(let rule) = Access.decide(permission, actor: session.actor, participant: concerned) {
                throw Problem.forbidden(rule)
            }
            return try await body(session)
        } catch let problem as Problem {
            return try errorPage(problem, session)
        } catch let error as StoreError {
            return try errorPage(Problem.from(error), session)
        }
    }

    /// A page about the thing whose id is the path's `parameter`, which `participant` maps to the
    /// participant it concerns: a malformed id, like an unknown one, is the 404 page.
    func page(
        _ context: AppRequestContext, _ permission: Permission, id parameter: String, of participant: @escaping (UUID) async throws -> UUID,
        _ body: (BrowserSession, UUID) async throws -> Response
    ) async throws -> Response {
        try await page(context, permission, of: { try await participant(try context.parameters.uuid(parameter)) }) { session in
            try await body(session, try context.parameters.uuid(parameter))
        }
    }

    /// The error page for a refusal, with its codes in `X-Refusal`.
    func errorPage(_ problem: Problem, _ session: BrowserSession) throws -> Response {
        var response = try pages.error(problem, session: session)
        response.headers[Self.refusalHeader] = problem.refusalCode
        return response
    }

    /// A url-encoded form post: the page rules, then the session's CSRF token.
    func form(
        _ request: Request, _ context: AppRequestContext, _ permission: Permission, of participant: (() async throws -> UUID)? = nil,
        _ body: (BrowserSession, [String: String]) async throws -> Response
    ) async throws -> Response {
        try await page(context, permission, of: participant) { session in
            let fields: [String: String]
            switch try await FormFields.read(request, context, limit: 256 * 1024) {
            case .success(let read): fields = read
            case .failure(.nul): throw Problem.invalidCharacters(field: nil)
            case .failure(.repeated): throw Problem.malformedBody("The form gives a field twice.")
            case .failure(.notUTF8): throw Problem.malformedBody("The form is not valid UTF-8.")
            }
            try Pages.checkCSRF(fields["csrf"], session)
            return try await body(session, fields)
        }
    }

    /// A form on the application in the path, shown to those who may read it: the change, then
    /// the application again with a notice and an anchor (`(notice, anchor)` from `change`), or
    /// with the refusal.
    func applicationForm(
        _ request: Request, _ context: AppRequestContext,
        _ change: @escaping (UUID, BrowserSession, [String: String]) async throws -> (notice: String, anchor: String?)
    ) async throws -> Response {
        try await form(
            request, context, .readApplication, of: { try await applications.participant(ofApplication: try context.parameters.uuid("application")) }
        ) {
            session, fields in
            let id = try context.parameters.uuid("application")
            return try await applicationChange(id, session, now: context.now, draft: fields) { try await change(id, session, fields) }
        }
    }

    /// `draft`: what the form sent, for the page to show again on a refusal.
    func applicationChange(
        _ id: UUID, _ session: BrowserSession, now: Date, draft: [String: String],
        _ change: () async throws -> (notice: String, anchor: String?)
    ) async throws -> Response {
        do {
            let (notice, anchor) = try await change()
            return Self.redirect(to: "/applications/\(id.uuidString.lowercased())", notice: notice, anchor: anchor)
        } catch {
            return try await Self.refused(error) { message, status in
                try await applicationPage(id, session, now: now, error: message, status: status, draft: draft)
            }
        }
    }

    /// A form on the review item in the path: the change's redirect, or the review page with the refusal.
    func reviewForm(
        _ request: Request, _ context: AppRequestContext, _ change: @escaping (UUID, BrowserSession, [String: String]) async throws -> Response
    ) async throws -> Response {
        try await form(request, context, .reviewApplications) { session, fields in
            let id = try context.parameters.uuid("item")
            do {
                return try await change(id, session, fields)
            } catch {
                return try await Self.refused(error) { message, status in
                    try await reviewPage(id, session, now: context.now, error: message, status: status, draft: fields)
                }
            }
        }
    }

    func change(_ session: BrowserSession, _ context: AppRequestContext) -> ChangeContext {
        ChangeContext(actor: session.actor, requestID: context.requestID, at: context.now)
    }

    /// The action a form names.
    static func action(_ value: String?) throws(StoreError) -> String {
        guard let value, !value.isEmpty else { throw StoreError.invalid([FieldRefusal("action", "required", "Choose an action.")]) }
        return value
    }

    /// 303 to `path?notice=<notice>#<anchor>`: the page says what happened, where it happened.
    static func redirect(to path: String, notice: String, anchor: String? = nil) -> Response {
        WebRoutes.redirect(to: "\(path)?notice=\(notice)" + (anchor.map { "#\($0)" } ?? ""))
    }

    /// The page shown again (by `render`) with the refusal's sentence and status; the refusal's
    /// codes in `X-Refusal` (`field=code,…`, or the problem type), the same the API answers.
    /// Anything unexpected is rethrown (a 500 that says nothing).
    static func refused(_ error: any Error, render: (String, HTTPResponse.Status) async throws -> Response) async throws -> Response {
        let problem: Problem
        switch error {
        case let found as Problem: problem = found
        case let found as StoreError where !found.isInternal: problem = Problem.from(found)
        default: throw error
        }
        var response = try await render(problem.sentence, HTTPResponse.Status(code: problem.status))
        response.headers[refusalHeader] = problem.refusalCode
        return response
    }

    static let refusalHeader = HTTPField.Name("X-Refusal")!
}

extension Problem {
    /// What a page shows for this problem: the fields' sentences, or the detail.
    var sentence: String { errors.map { $0.map(\.message).joined(separator: " ") } ?? detail }

    /// The problem's stable codes: `field=code` for each field, or the type's last part.
    var refusalCode: String {
        if let errors { return errors.map { "\($0.field)=\($0.code)" }.joined(separator: ",") }
        return String(type.split(separator: "/").last ?? "")
    }
}
