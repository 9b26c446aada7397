import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The workflow in HTML: the applicant's applications, the auditors' queue and review page, the
/// admins' view of conflicts. Every form carries the session's CSRF token; every page works
/// without JavaScript. The same operations are in the REST API.
struct WorkflowPages {
    let pages: Pages
    let applications: ApplicationStore
    let reviews: ReviewStore
    let participants: ParticipantStore
    let catalogs: CatalogStore
    let measurements: MeasurementStore
    let evidenceMaxBytes: Int

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("/applications") { request, context in
            try await page(context, roles: [.applicant, .admin]) { session in
                try await applicationsPage(session, now: context.now, error: nil, status: .ok, notice: request.query("notice"))
            }
        }
        router.post("/applications") { request, context in
            try await form(request, context, roles: [.applicant, .admin]) { session, fields in
                do {
                    guard let participant = fields["participant_id"].flatMap(UUID.init(uuidString:)),
                        let tier = fields["tier"].flatMap(Tier.init(rawValue:))
                    else {
                        throw Problem.invalid("participant_id", "required", "Choose a participant, a program and a tier.")
                    }
                    try Self.require(session, .editApplication, participant)
                    let created = try await applications.create(
                        participant: participant, program: fields["program"] ?? "", tier: tier, context: change(session, context))
                    return WebRoutes.redirect(to: "/applications/\(created.id.uuidString.lowercased())?notice=application-created")
                } catch {
                    return try await applicationsPage(
                        session, now: context.now, error: Self.message(error), status: Self.status(error), draft: fields)
                }
            }
        }
        router.get("/applications/:application") { request, context in
            try await page(context, roles: [.applicant, .admin, .auditor]) { session in
                let id = try context.parameters.uuid("application")
                try Self.require(session, .readApplication, try await applications.participant(ofApplication: id))
                return try await applicationPage(id, session, now: context.now, error: nil, status: .ok, notice: request.query("notice"))
            }
        }
        router.post("/applications/:application/commitments") { request, context in
            try await form(request, context, roles: [.applicant, .admin]) { session, fields in
                try await applicationAction(
                    context, session, notice: "commitment-saved", anchor: fields["action"].map { "action-\($0)" }, draft: fields
                ) { id in
                    guard let action = fields["action"] else { throw Problem.invalid("action", "required", "Choose an action.") }
                    let statement = (fields["statement"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                    if statement.count > 20_000 { throw Problem.invalid("statement", "too_long", "A statement has at most 20000 characters.") }
                    try Self.checkCharacters("statement", statement)
                    _ = try await applications.setCommitment(id, action: action, statement: statement, context: change(session, context))
                }
            }
        }
        router.post("/applications/:application/evidence") { request, context in
            try await page(context, roles: [.applicant, .admin]) { session in
                guard let boundary = MultipartForm.boundary(request.headers[.contentType] ?? "") else {
                    throw Problem.unsupportedMediaType("Upload evidence with the page's form (multipart/form-data).")
                }
                // Who may upload here is decided before a byte of the file is read, and the
                // form's CSRF field before its file part is taken in.
                try Self.require(
                    session, .editApplication, try await applications.participant(ofApplication: try context.parameters.uuid("application")))
                let upload = try await MultipartForm.read(request, boundary: boundary, maxBytes: evidenceMaxBytes) { fields in
                    try Pages.checkCSRF(fields.field("csrf"), session)
                }
                try Pages.checkCSRF(upload.field("csrf"), session)
                return try await applicationAction(
                    context, session, notice: "evidence-added", anchor: upload.field("action").map { "action-\($0)" },
                    draft: [
                        "action": upload.field("action") ?? "", "effective_from": upload.field("effective_from") ?? "",
                        "effective_until": upload.field("effective_until") ?? "",
                    ]
                ) { id in
                    guard let action = upload.field("action") else { throw Problem.invalid("action", "required", "Choose an action.") }
                    let evidence = try WorkflowRoutes.evidence(from: upload, maxBytes: evidenceMaxBytes)
                    _ = try await applications.addEvidence(id, action: action, evidence, context: change(session, context))
                }
            }
        }
        router.post("/applications/:application/evidence-url") { request, context in
            try await form(request, context, roles: [.applicant, .admin]) { session, fields in
                try await applicationAction(
                    context, session, notice: "evidence-added", anchor: fields["action"].map { "action-\($0)" }, draft: fields
                ) { id in
                    guard let action = fields["action"] else { throw Problem.invalid("action", "required", "Choose an action.") }
                    var checks = FieldChecks()
                    let url = checks.url("url", fields["url"])
                    let until = fields["effective_until"].flatMap { $0.isEmpty ? nil : $0 }
                    let period = checks.period(
                        from: fields["effective_from"], until: until, fromField: "effective_from", untilField: "effective_until")
                    try checks.check()
                    let evidence = NewEvidence(content: .url(url!), effectiveFrom: period!.0, effectiveUntil: period!.1, supersedes: nil)
                    _ = try await applications.addEvidence(id, action: action, evidence, context: change(session, context))
                }
            }
        }
        router.post("/applications/:application/submit") { request, context in
            try await form(request, context, roles: [.applicant, .admin]) { session, fields in
                try await applicationAction(context, session, notice: "submitted") { id in
                    _ = try await applications.submit(id, expectedVersion: Int(fields["version"] ?? "") ?? 0, context: change(session, context))
                }
            }
        }
        router.post("/applications/:application/comments") { request, context in
            try await form(request, context, roles: [.applicant, .admin, .auditor]) { session, fields in
                try await applicationAction(
                    context, session, permission: .commentOnApplication, notice: "comment-added", anchor: "comments", draft: fields
                ) { id in
                    let body = (fields["body"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                    guard (1...10_000).contains(body.count) else {
                        throw Problem.invalid("body", "invalid_length", "A comment has 1 to 10000 characters.")
                    }
                    try Self.checkCharacters("body", body)
                    _ = try await applications.addComment(to: id, body: body, isInternal: false, context: change(session, context))
                }
            }
        }

        router.get("/participants/:participant") { _, context in
            try await page(context, roles: [.applicant, .admin, .auditor]) { session in
                let id = try context.parameters.uuid("participant")
                try Self.require(session, .readParticipant, id)
                return try await participantPage(id, session)
            }
        }
        router.get("/queue") { request, context in
            try await page(context, roles: [.auditor, .admin]) { session in
                try await queuePage(request, session, now: context.now, error: nil, status: .ok, notice: request.query("notice"))
            }
        }
        router.post("/queue/:item/claim") { request, context in
            try await form(request, context, roles: [.auditor, .admin]) { session, _ in
                let id = try context.parameters.uuid("item")
                do {
                    _ = try await reviews.claim(id, reviewer: try await reviews.reviewer(session.actor), context: change(session, context))
                    return WebRoutes.redirect(to: "/review/\(id.uuidString.lowercased())?notice=claimed")
                } catch {
                    return try await queuePage(request, session, now: context.now, error: Self.message(error), status: Self.status(error))
                }
            }
        }
        router.get("/review/:item") { request, context in
            try await page(context, roles: [.auditor, .admin]) { session in
                try await reviewPage(
                    try context.parameters.uuid("item"), session, now: context.now, error: nil, status: .ok, notice: request.query("notice"))
            }
        }
        router.post("/review/:item/decision") { request, context in
            try await form(request, context, roles: [.auditor, .admin]) { session, fields in
                let id = try context.parameters.uuid("item")
                do {
                    guard let decision = fields["decision"].flatMap(Decision.init(rawValue:)) else {
                        throw Problem.invalid("decision", "required", "Choose approve, request changes or reject.")
                    }
                    var comments: [String: String] = [:]
                    for (key, value) in fields where key.hasPrefix("comment_") {
                        let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
                        if !text.isEmpty { comments[String(key.dropFirst("comment_".count))] = String(text.prefix(10_000)) }
                    }
                    let reasons = (fields["reasons"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                    if decision == .reject && reasons.isEmpty { throw Problem.invalid("reasons", "required", "A rejection gives its reasons.") }
                    _ = try await reviews.decide(
                        id, decision: decision, actionComments: comments, reasons: String(reasons.prefix(20_000)),
                        reviewer: try await reviews.reviewer(session.actor), context: change(session, context)
                    )
                    return WebRoutes.redirect(to: "/queue?notice=decision-recorded")
                } catch {
                    return try await reviewPage(id, session, now: context.now, error: Self.message(error), status: Self.status(error), draft: fields)
                }
            }
        }
        router.post("/review/:item/release") { request, context in
            try await form(request, context, roles: [.auditor, .admin]) { session, _ in
                let id = try context.parameters.uuid("item")
                do {
                    _ = try await reviews.release(id, by: session.actor, context: change(session, context))
                    return WebRoutes.redirect(to: "/queue?notice=released")
                } catch {
                    return try await reviewPage(id, session, now: context.now, error: Self.message(error), status: Self.status(error))
                }
            }
        }
        router.post("/review/:item/comments") { request, context in
            try await form(request, context, roles: [.auditor, .admin]) { session, fields in
                let id = try context.parameters.uuid("item")
                do {
                    let body = (fields["body"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                    guard (1...10_000).contains(body.count) else {
                        throw Problem.invalid("body", "invalid_length", "A comment has 1 to 10000 characters.")
                    }
                    try Self.checkCharacters("body", body)
                    let item = try await reviews.item(id)
                    _ = try await applications.addComment(
                        to: item.applicationID, body: body, isInternal: fields["internal"] == "true", context: change(session, context))
                    return WebRoutes.redirect(to: "/review/\(id.uuidString.lowercased())?notice=comment-added#comments")
                } catch {
                    return try await reviewPage(id, session, now: context.now, error: Self.message(error), status: Self.status(error), draft: fields)
                }
            }
        }
        router.get("/admin/conflicts") { _, context in
            try await page(context, roles: [.admin]) { session in try await conflictsPage(session) }
        }
    }

    // MARK: Plumbing

    /// A page for signed-in users of `roles`: others are sent to sign in, or shown a 403 page;
    /// refusals from the rules become error pages.
    func page(_ context: AppRequestContext, roles: Set<UserRole>, _ body: (BrowserSession) async throws -> Response) async throws -> Response {
        guard let session = context.session else { return WebRoutes.redirect(to: "/login") }
        guard roles.contains(session.user.role) else {
            return try pages.error(
                Problem.forbidden("This page is for \(roles.map(\.rawValue).sorted().joined(separator: " and ")) accounts."), session: session)
        }
        do {
            return try await body(session)
        } catch let problem as Problem {
            return try pages.error(problem, session: session)
        } catch let error as StoreError {
            return try pages.error(Problem.from(error), session: session)
        }
    }

    /// A url-encoded form post: the page rules, then the session's CSRF token.
    func form(
        _ request: Request, _ context: AppRequestContext, roles: Set<UserRole>, _ body: (BrowserSession, [String: String]) async throws -> Response
    ) async throws -> Response {
        try await page(context, roles: roles) { session in
            let buffer = try await request.body.collect(upTo: min(context.bodyLimit, 256 * 1024))
            // Bytes or escapes that are not UTF-8 would be read as U+FFFD or as nothing: refused instead.
            guard let text = String(validating: Data(buffer: buffer), as: UTF8.self),
                text.split(separator: "&").allSatisfy({ $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding != nil })
            else {
                throw Problem.malformedBody("The form is not valid UTF-8.")
            }
            let fields = Self.fields(text)
            if fields.contains(where: { InputText.containsNUL($0.key) || InputText.containsNUL($0.value) }) {
                throw Problem.invalidCharacters(field: nil)
            }
            try Pages.checkCSRF(fields["csrf"], session)
            return try await body(session, fields)
        }
    }

    /// Runs a change on the application in the path and shows the application again: the
    /// result on success, the page with the refusal otherwise.
    func applicationAction(
        _ context: AppRequestContext, _ session: BrowserSession, permission: Permission = .editApplication, notice: String,
        anchor: String? = nil, draft: [String: String] = [:], _ change: (UUID) async throws -> Void
    ) async throws -> Response {
        let id = try context.parameters.uuid("application")
        try Self.require(session, permission, try await applications.participant(ofApplication: id))
        do {
            try await change(id)
            return WebRoutes.redirect(to: "/applications/\(id.uuidString.lowercased())?notice=\(notice)" + (anchor.map { "#\($0)" } ?? ""))
        } catch {
            return try await applicationPage(id, session, now: context.now, error: Self.message(error), status: Self.status(error), draft: draft)
        }
    }

    func change(_ session: BrowserSession, _ context: AppRequestContext) -> ChangeContext {
        ChangeContext(actor: session.actor, requestID: context.requestID, at: context.now)
    }

    static func require(_ session: BrowserSession, _ permission: Permission, _ participant: UUID) throws {
        if case .forbidden(let rule) = Access.decide(permission, actor: session.actor, participant: participant) { throw Problem.forbidden(rule) }
    }

    /// A sentence for people from a refusal; anything unexpected is rethrown (a 500 that says nothing).
    static func message(_ error: any Error) throws -> String {
        switch error {
        case let problem as Problem: return problem.errors.map { $0.map(\.message).joined(separator: " ") } ?? problem.detail
        case let error as StoreError:
            let problem = Problem.from(error)
            return problem.errors.map { $0.map(\.message).joined(separator: " ") } ?? problem.detail
        default: throw error
        }
    }

    static func status(_ error: any Error) -> HTTPResponse.Status {
        switch error {
        case let problem as Problem: HTTPResponse.Status(code: problem.status)
        case let error as StoreError: HTTPResponse.Status(code: Problem.from(error).status)
        default: .internalServerError
        }
    }

    /// Refuses text the API would refuse (TextRules), line breaks apart: a text area sends them.
    static func checkCharacters(_ field: String, _ text: String) throws(Problem) {
        if let refusal = TextRules.refusal(field, text, lineBreaks: true) { throw Problem.invalid(field, refusal.code, refusal.message) }
    }

    /// `a=1&b=x+y` → ["a": "1", "b": "x y"].
    static func fields(_ body: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if let key = parts.first { result[decode(key)] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return result
    }
}
