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
    let evidenceMaxBytes: Int

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("/applications") { _, context in
            try await page(context, roles: [.applicant, .admin]) { session in try await applicationsPage(session, error: nil, status: .ok) }
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
                    return WebRoutes.redirect(to: "/applications/\(created.id.uuidString.lowercased())")
                } catch {
                    return try await applicationsPage(session, error: Self.message(error), status: Self.status(error))
                }
            }
        }
        router.get("/applications/:application") { _, context in
            try await page(context, roles: [.applicant, .admin, .auditor]) { session in
                let id = try context.parameters.uuid("application")
                try Self.require(session, .readApplication, try await applications.participant(ofApplication: id))
                return try await applicationPage(id, session, error: nil, status: .ok)
            }
        }
        router.post("/applications/:application/commitments") { request, context in
            try await form(request, context, roles: [.applicant, .admin]) { session, fields in
                try await applicationAction(context, session) { id in
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
                return try await applicationAction(context, session) { id in
                    guard let action = upload.field("action") else { throw Problem.invalid("action", "required", "Choose an action.") }
                    let evidence = try WorkflowRoutes.evidence(from: upload, maxBytes: evidenceMaxBytes)
                    _ = try await applications.addEvidence(id, action: action, evidence, context: change(session, context))
                }
            }
        }
        router.post("/applications/:application/evidence-url") { request, context in
            try await form(request, context, roles: [.applicant, .admin]) { session, fields in
                try await applicationAction(context, session) { id in
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
                try await applicationAction(context, session) { id in
                    _ = try await applications.submit(id, expectedVersion: Int(fields["version"] ?? "") ?? 0, context: change(session, context))
                }
            }
        }
        router.post("/applications/:application/comments") { request, context in
            try await form(request, context, roles: [.applicant, .admin, .auditor]) { session, fields in
                try await applicationAction(context, session, permission: .commentOnApplication) { id in
                    let body = (fields["body"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                    guard (1...10_000).contains(body.count) else {
                        throw Problem.invalid("body", "invalid_length", "A comment has 1 to 10000 characters.")
                    }
                    try Self.checkCharacters("body", body)
                    _ = try await applications.addComment(to: id, body: body, isInternal: false, context: change(session, context))
                }
            }
        }

        router.get("/queue") { request, context in
            try await page(context, roles: [.auditor, .admin]) { session in
                try await queuePage(request, session, at: context.now, error: nil, status: .ok)
            }
        }
        router.post("/queue/:item/claim") { request, context in
            try await form(request, context, roles: [.auditor, .admin]) { session, _ in
                let id = try context.parameters.uuid("item")
                do {
                    _ = try await reviews.claim(id, reviewer: try await reviews.reviewer(session.actor), context: change(session, context))
                    return WebRoutes.redirect(to: "/review/\(id.uuidString.lowercased())")
                } catch {
                    return try await queuePage(request, session, at: context.now, error: Self.message(error), status: Self.status(error))
                }
            }
        }
        router.get("/review/:item") { _, context in
            try await page(context, roles: [.auditor, .admin]) { session in
                try await reviewPage(try context.parameters.uuid("item"), session, at: context.now, error: nil, status: .ok)
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
                    return WebRoutes.redirect(to: "/queue")
                } catch {
                    return try await reviewPage(id, session, at: context.now, error: Self.message(error), status: Self.status(error))
                }
            }
        }
        router.post("/review/:item/release") { request, context in
            try await form(request, context, roles: [.auditor, .admin]) { session, _ in
                let id = try context.parameters.uuid("item")
                do {
                    _ = try await reviews.release(id, by: session.actor, context: change(session, context))
                    return WebRoutes.redirect(to: "/queue")
                } catch {
                    return try await reviewPage(id, session, at: context.now, error: Self.message(error), status: Self.status(error))
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
                    let item = try await reviews.item(id, at: context.now)
                    _ = try await applications.addComment(
                        to: item.applicationID, body: body, isInternal: fields["internal"] == "true", context: change(session, context))
                    return WebRoutes.redirect(to: "/review/\(id.uuidString.lowercased())")
                } catch {
                    return try await reviewPage(id, session, at: context.now, error: Self.message(error), status: Self.status(error))
                }
            }
        }
        router.get("/admin/conflicts") { _, context in
            try await page(context, roles: [.admin]) { session in
                var model = Pages.frame(session)
                model["affiliations"] = try await reviews.affiliations(of: nil).map { affiliation -> [String: Any] in
                    [
                        "auditor": affiliation.auditorName, "participant": affiliation.participantName, "relation": affiliation.relation,
                        "from": affiliation.validFrom, "until": affiliation.validUntil ?? "", "declared": Pages.day(affiliation.declaredAt),
                    ]
                }
                return try pages.render("conflicts", model)
            }
        }
    }

    // MARK: Pages

    func applicationsPage(_ session: BrowserSession, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let memberOf: [Participant]
        if session.user.role == .admin {
            memberOf = try await participants.list(filter: ParticipantFilter(), limit: 200, cursor: nil).items
        } else {
            var found: [Participant] = []
            for id in session.actor.memberships.keys { found.append(try await participants.get(id)) }
            memberOf = found.sorted { $0.displayName < $1.displayName }
        }
        var rows: [[String: Any]] = []
        for participant in memberOf {
            let list = try await applications.list(participants: [participant.id], state: nil, program: nil, limit: 50, cursor: nil).items
            var entries: [[String: Any]] = []
            for application in list {
                let missing = application.state.isEditable ? try await applications.detail(application.id).missing.count : 0
                entries.append([
                    "id": application.id.uuidString.lowercased(), "program": application.program, "tier": application.tier.rawValue,
                    "catalogVersion": application.catalogVersion, "state": application.state.rawValue.replacingOccurrences(of: "_", with: " "),
                    "missing": application.state.isEditable ? (missing == 0 ? "nothing" : "\(missing) item(s)") : "",
                ])
            }
            rows.append([
                "id": participant.id.uuidString.lowercased(), "name": participant.displayName, "country": participant.country,
                "programs": participant.programs.joined(separator: ", "), "programOptions": participant.programs, "applications": entries,
                "hasApplications": !entries.isEmpty,
            ])
        }
        var model = Pages.frame(session)
        model["participants"] = rows
        model["error"] = error
        return try pages.render("applications", model, status: status)
    }

    func applicationPage(_ id: UUID, _ session: BrowserSession, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let detail = try await applications.detail(id)
        let application = detail.application
        let catalog = try await catalogs.version(application.catalogVersion, of: application.program).document
        let committed = Dictionary(uniqueKeysWithValues: detail.commitments.map { ($0.actionCode, $0) })
        let editable = application.state.isEditable && session.actor.memberships[application.participantID] != nil
        let actions: [[String: Any]] = catalog.actions(at: application.tier).map { action in
            let commitment = committed[action.code]
            let evidence = (commitment?.evidence ?? []).map(Self.evidenceRow)
            let current = (commitment?.evidence ?? []).filter { $0.supersededBy == nil }.map { item -> [String: String] in
                ["id": item.id.uuidString.lowercased(), "label": item.fileName ?? item.url ?? String((item.text ?? "").prefix(40))]
            }
            return [
                "code": action.code, "title": action.title, "mandatory": action.isMandatory(at: application.tier),
                "evidenceKinds": action.evidence.map(\.rawValue).joined(separator: ", "), "committed": commitment != nil,
                "statement": commitment?.statement ?? "", "evidence": evidence, "hasEvidence": !evidence.isEmpty,
                "currentEvidence": current, "hasCurrentEvidence": !current.isEmpty, "expectsURL": action.evidence.contains(.url),
            ]
        }
        var model = Pages.frame(session)
        model.merge([
            "id": application.id.uuidString.lowercased(), "applicationID": application.id.uuidString.lowercased(),
            "participant": application.participantName,
            "program": application.program, "tier": application.tier.rawValue, "catalogVersion": application.catalogVersion,
            "state": application.state.rawValue.replacingOccurrences(of: "_", with: " "), "round": application.round, "version": application.version,
            "certificationID": detail.certificationID?.uuidString.lowercased() as Any, "editable": editable,
            "missing": detail.missing.map { ["message": $0.message] }, "hasMissing": !detail.missing.isEmpty, "actions": actions,
            "comments": try await commentRows(application.id, includeInternal: session.user.role != .applicant), "error": error as Any,
        ]) { $1 }
        return try pages.render("application", model, status: status)
    }

    func queuePage(_ request: Request, _ session: BrowserSession, at now: Date, error: String?, status: HTTPResponse.Status) async throws -> Response
    {
        let filter = QueueFilter.parse(query: { request.query($0) }, user: session.user.id, asOf: now).filter
        let items = try await reviews.queue(filter, limit: 200)
        func encoded(_ text: Substring) -> String { String(text).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        let kept = request.uri.queryParameters.filter { $0.key != "sort" }.map { "\(encoded($0.key))=\(encoded($0.value))" }
        /// Each column header sorts by its column, and flips the order when it is already the one.
        func sortLink(_ column: QueueSort) -> [String: String] {
            let flip = filter.sort == column && !filter.descending
            let arrow = filter.sort == column ? (filter.descending ? " ↓" : " ↑") : ""
            return ["href": "/queue?" + (kept + ["sort=\(flip ? "-" : "")\(column.rawValue)"]).sorted().joined(separator: "&"), "arrow": arrow]
        }
        var model = Pages.frame(session)
        model.merge([
            "items": items.map { item -> [String: Any] in
                let live = item.claim.flatMap { $0.isLive(at: now) ? $0 : nil }
                let heldByMe = live?.holder == session.user.id
                let free = live == nil
                return [
                    "id": item.id.uuidString.lowercased(), "participant": item.participantName, "program": item.program, "tier": item.tier.rawValue,
                    "status": item.status.label, "due": Pages.time(item.dueAt), "overdue": item.overdue,
                    "holder": free ? "" : (item.claimedByName ?? ""), "claimable": free && item.status != .closed, "mine": heldByMe,
                ]
            },
            "programs": try await catalogs.programs().map { program -> [String: Any] in
                ["code": program.code, "selected": program.code == filter.program]
            },
            "tiers": Tier.allCases.map { tier -> [String: Any] in ["code": tier.rawValue, "selected": tier == filter.tier] },
            "statuses": ReviewStatus.allCases.map { (status: ReviewStatus) -> [String: Any] in
                ["code": status.rawValue, "selected": status == filter.status]
            },
            "mine": filter.claimedBy != nil, "unassigned": filter.unassigned, "overdue": filter.overdue,
            "sortParticipant": sortLink(.participant), "sortProgram": sortLink(.program), "sortTier": sortLink(.tier),
            "sortStatus": sortLink(.status),
            "sortDue": sortLink(.due), "error": error as Any,
        ]) { $1 }
        return try pages.render("queue", model, status: status)
    }

    func reviewPage(_ id: UUID, _ session: BrowserSession, at now: Date, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let item = try await reviews.item(id, at: now)
        let detail = try await applications.detail(item.applicationID)
        let decisions = try await reviews.decisions(ofApplication: item.applicationID).filter { $0.round == item.round }
        var model = Pages.frame(session)
        model.merge([
            "id": item.id.uuidString.lowercased(), "participant": item.participantName, "program": item.program, "tier": item.tier.rawValue,
            "round": item.round, "catalogVersion": detail.application.catalogVersion,
            "state": detail.application.state.rawValue.replacingOccurrences(of: "_", with: " "),
            "status": item.status.label,
            "due": Pages.time(item.dueAt), "overdue": item.overdue,
            "holding": item.claim.map { $0.holder == session.user.id && $0.isLive(at: now) } ?? false,
            "decisions": decisions.map {
                [
                    "reviewer": $0.reviewerName, "role": $0.reviewerRole, "decision": $0.decision.rawValue.replacingOccurrences(of: "_", with: " "),
                    "reasons": $0.reasons.isEmpty ? nil : $0.reasons,
                ] as [String: Any?]
            },
            "hasDecisions": !decisions.isEmpty,
            "commitments": detail.commitments.map { commitment -> [String: Any] in
                let evidence = commitment.evidence.map(Self.evidenceRow)
                return [
                    "code": commitment.actionCode, "title": commitment.actionTitle, "statement": commitment.statement, "evidence": evidence,
                    "hasEvidence": !evidence.isEmpty,
                ]
            },
            "comments": try await commentRows(item.applicationID, includeInternal: true), "error": error as Any,
        ]) { $1 }
        return try pages.render("review", model, status: status)
    }

    func commentRows(_ application: UUID, includeInternal: Bool) async throws -> [[String: Any]] {
        try await applications.comments(of: application, includeInternal: includeInternal).map { comment in
            [
                "author": comment.authorName, "role": comment.authorRole, "at": Pages.time(comment.createdAt), "body": comment.body,
                "internal": comment.isInternal,
            ]
        }
    }

    static func evidenceRow(_ evidence: Evidence) -> [String: Any] {
        [
            "id": evidence.id.uuidString.lowercased(), "fileName": evidence.fileName as Any, "url": evidence.url as Any, "text": evidence.text as Any,
            "effectiveFrom": evidence.effectiveFrom, "effectiveUntil": evidence.effectiveUntil ?? "open", "sha256": evidence.sha256 ?? "",
            "size": evidence.sizeBytes.map(String.init) ?? "", "type": evidence.sniffedType ?? evidence.kind,
            "superseded": evidence.supersededBy != nil,
            "uploadedAt": Pages.time(evidence.uploadedAt),
        ]
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
        _ context: AppRequestContext, _ session: BrowserSession, permission: Permission = .editApplication, _ change: (UUID) async throws -> Void
    ) async throws -> Response {
        let id = try context.parameters.uuid("application")
        try Self.require(session, permission, try await applications.participant(ofApplication: id))
        do {
            try await change(id)
            return WebRoutes.redirect(to: "/applications/\(id.uuidString.lowercased())")
        } catch {
            return try await applicationPage(id, session, error: Self.message(error), status: Self.status(error))
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
        case let error as StoreError where !error.isInternal:
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
