import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The certification workflow over HTTP: applications, commitments, evidence, comments,
/// decisions; the auditors' queue; affiliations; certifications.
struct WorkflowRoutes {
    let applications: ApplicationStore
    let reviews: ReviewStore
    let users: UserStore
    let idempotency: Idempotency
    let evidenceMaxBytes: Int

    func register(on api: RouterGroup<AppRequestContext>) {
        registerApplications(on: api)
        registerEvidence(on: api)
        registerQueue(on: api)
        registerAffiliations(on: api)
    }

    // MARK: Applications

    func registerApplications(on api: RouterGroup<AppRequestContext>) {
        api.get("applications") { request, context in
            let actor = try context.require(.listParticipants)
            let (limit, cursor) = try request.pagination()
            let participants = try Self.visibleParticipants(request, actor)
            var state: ApplicationState? = nil
            if let text = request.query("state") {
                guard let value = ApplicationState(rawValue: text) else {
                    throw Problem.invalid("state", "invalid", "state is one of \(ApplicationState.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                state = value
            }
            return try JSONResponse(
                try await applications.list(participants: participants, state: state, program: request.query("program"), limit: limit, cursor: cursor)
            )
        }
        api.post("applications") { request, context in
            let input = try await request.strictJSON(as: ApplicationInput.self, context: context)
            try context.require(.editApplication, participant: input.value.participantID)
            return try await idempotency.respond(to: request, context: context, body: input.data) { connection in
                let created = try await applications.create(
                    participant: input.value.participantID, program: input.value.program, tier: input.value.tier, context: context.change,
                    on: connection
                )
                return (.created, "/api/v1/applications/\(created.id.uuidString.lowercased())", created)
            }
        }
        api.get("applications/:application") { _, context in
            let id = try await authorize(.readApplication, application: context)
            let detail = try await applications.detail(id)
            return try JSONResponse(detail, version: detail.application.version)
        }
        api.put("applications/:application/commitments/:action") { request, context in
            let id = try await authorize(.editApplication, application: context)
            let input = try await request.strictJSON(as: CommitmentInput.self, context: context).value
            var checks = FieldChecks()
            let statement = checks.text("statement", input.statement, max: 20_000, required: false) ?? ""
            try checks.check()
            let detail = try await applications.setCommitment(
                id, action: try context.parameters.require("action"), statement: statement, context: context.change)
            return try JSONResponse(detail, version: detail.application.version)
        }
        api.delete("applications/:application/commitments/:action") { _, context in
            let id = try await authorize(.editApplication, application: context)
            let detail = try await applications.removeCommitment(id, action: try context.parameters.require("action"), context: context.change)
            return try JSONResponse(detail, version: detail.application.version)
        }
        api.post("applications/:application/submit") { request, context in
            let id = try await authorize(.editApplication, application: context)
            let detail = try await applications.submit(
                id, expectedVersion: try ETag.expectedVersion(request), context: context.change)
            return try JSONResponse(detail, version: detail.application.version)
        }
        api.post("applications/:application/withdraw") { request, context in
            let id = try await authorize(.editApplication, application: context)
            let detail = try await applications.withdraw(
                id, expectedVersion: try ETag.expectedVersion(request), context: context.change)
            return try JSONResponse(detail, version: detail.application.version)
        }
        api.get("applications/:application/comments") { _, context in
            let id = try await authorize(.readApplication, application: context)
            let staff = [.auditor, .admin].contains(context.actor?.role)
            return try JSONResponse(Items(items: try await applications.comments(of: id, includeInternal: staff)))
        }
        api.post("applications/:application/comments") { request, context in
            let id = try await authorize(.commentOnApplication, application: context)
            let input = try await request.strictJSON(as: CommentInput.self, context: context).value
            var checks = FieldChecks()
            let body = checks.text("body", input.body, max: 10_000)
            let isInternal = input.isInternal ?? false
            if isInternal && ![.auditor, .admin].contains(context.actor?.role) {
                checks.fail("internal", "not_allowed", "Only auditors and admins write internal notes.")
            }
            try checks.check()
            let comment = try await applications.addComment(to: id, body: body!, isInternal: isInternal, context: context.change)
            return try JSONResponse(comment, status: .created)
        }
        api.get("applications/:application/decisions") { _, context in
            let id = try await authorize(.readApplication, application: context)
            return try JSONResponse(Items(items: try await reviews.decisions(ofApplication: id)))
        }
        api.get("certifications") { request, context in
            let actor = try context.require(.listParticipants)
            let participants = try Self.visibleParticipants(request, actor)
            return try JSONResponse(Items(items: try await reviews.certifications(participants: participants, limit: try request.limit())))
        }
        api.get("certifications/:certification") { _, context in
            guard context.actor != nil else { throw Problem.unauthenticated() }
            let certification = try await reviews.certification(try context.parameters.uuid("certification"))
            try context.require(.readParticipant, participant: certification.participantID)
            return try JSONResponse(certification, version: certification.version)
        }
    }

    // MARK: Evidence

    func registerEvidence(on api: RouterGroup<AppRequestContext>) {
        api.get("applications/:application/evidence") { _, context in
            let id = try await authorize(.readApplication, application: context)
            return try JSONResponse(Items(items: try await applications.evidence(of: id)))
        }
        api.post("applications/:application/commitments/:action/evidence") { request, context in
            let id = try await authorize(.editApplication, application: context)
            let action = try context.parameters.require("action")
            let new = try await Self.evidence(from: request, context: context, maxBytes: evidenceMaxBytes)
            let evidence = try await applications.addEvidence(id, action: action, new, context: context.change)
            return try JSONResponse(evidence, status: .created, location: "/api/v1/evidence/\(evidence.id.uuidString.lowercased())")
        }
        api.get("evidence/:evidence") { _, context in
            guard context.actor != nil else { throw Problem.unauthenticated() }
            let file = try await applications.evidenceFile(try context.parameters.uuid("evidence"), content: false)
            try context.require(.readApplication, participant: file.participantID)
            return try JSONResponse(file.evidence)
        }
        api.get("evidence/:evidence/content") { _, context in
            guard context.actor != nil else { throw Problem.unauthenticated() }
            let file = try await applications.evidenceFile(try context.parameters.uuid("evidence"), content: true)
            try context.require(.readApplication, participant: file.participantID)
            guard file.evidence.kind == "document", let name = file.evidence.fileName else {
                throw Problem.notFound("This evidence is a \(file.evidence.kind), not a file; its content is in the metadata.")
            }
            var fields = HTTPFields()
            fields[.contentType] = file.evidence.sniffedType ?? "application/octet-stream"
            fields[.contentDisposition] = "attachment; filename=\"\(name)\""
            fields[.contentLength] = String(file.bytes.count)
            fields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            fields[.contentSecurityPolicy] = "default-src 'none'; sandbox"
            fields[.cacheControl] = "private, no-store"
            if let digest = file.evidence.sha256 { fields[.eTag] = "\"\(digest)\"" }
            return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
    }

    /// Reads an upload: `multipart/form-data` with a `file` part (and `effective_from`,
    /// `effective_until`, `supersedes` fields) for documents, JSON for URLs and statements.
    static func evidence(from request: Request, context: AppRequestContext, maxBytes: Int) async throws -> NewEvidence {
        let contentType = request.headers[.contentType] ?? ""
        guard let boundary = MultipartForm.boundary(contentType) else {
            let input = try await request.strictJSON(as: EvidenceInput.self, context: context).value
            var checks = FieldChecks()
            let period = checks.period(
                from: input.effectiveFrom, until: input.effectiveUntil, fromField: "effective_from", untilField: "effective_until")
            var content: NewEvidence.Content? = nil
            switch input.kind {
            case "url": content = checks.url("url", input.url).map(NewEvidence.Content.url)
            case "statement": content = checks.text("text", input.text, max: 20_000).map(NewEvidence.Content.statement)
            default: checks.fail("kind", "invalid", "kind is url or statement as JSON; upload documents as multipart/form-data.")
            }
            try checks.check()
            return NewEvidence(content: content!, effectiveFrom: period!.0, effectiveUntil: period!.1, supersedes: input.supersedes)
        }
        return try evidence(from: try await MultipartForm.read(request, boundary: boundary, maxBytes: maxBytes), maxBytes: maxBytes)
    }

    /// A document upload from a parsed form: the `file` part, `effective_from`,
    /// `effective_until` and `supersedes`; the bytes must match the declared type.
    static func evidence(from form: MultipartForm, maxBytes: Int) throws -> NewEvidence {
        var checks = FieldChecks()
        // An empty date field from an HTML form means "not given".
        let until = form.field("effective_until").flatMap { $0.isEmpty ? nil : $0 }
        let period = checks.period(from: form.field("effective_from"), until: until, fromField: "effective_from", untilField: "effective_until")
        var supersedes: UUID? = nil
        if let text = form.field("supersedes"), !text.isEmpty {
            supersedes = UUID(uuidString: text)
            if supersedes == nil { checks.fail("supersedes", "invalid", "supersedes is the id of the evidence this corrects.") }
        }
        guard let file = form.file("file") else {
            throw Problem.invalid("file", "required", "Attach the document as the 'file' part.")
        }
        if let name = file.fileName, TextRules.forbiddenCharacter(in: name) != nil {
            checks.fail("file", "invalid_file_name", "The file's name has control, invisible or direction-changing characters; rename the file.")
        }
        if file.body.readableBytes > maxBytes { throw Problem.bodyTooLarge(limit: maxBytes) }
        if file.body.readableBytes == 0 { checks.fail("file", "empty", "The file is empty.") }
        try checks.check()
        let declared = file.contentType ?? "application/octet-stream"
        let sniffed = EvidenceFiles.sniff(file.body.readableBytesView)
        if let refusal = EvidenceFiles.refusal(declared: declared, sniffed: sniffed) {
            var problem = Problem.unsupportedMediaType(refusal.message)
            problem.errors = [Problem.FieldError(field: "file", code: refusal.code, message: refusal.message)]
            throw problem
        }
        let declaredType = declared.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
        return NewEvidence(
            content: .document(
                fileName: EvidenceFiles.sanitise(file.fileName ?? ""), declaredType: declaredType, sniffedType: sniffed!,
                // The upload's own storage, not a copy: it goes from here to libpq as it is.
                bytes: Data(buffer: file.body, byteTransferStrategy: .noCopy)),
            effectiveFrom: period!.0, effectiveUntil: period!.1, supersedes: supersedes
        )
    }

    // MARK: Queue

    func registerQueue(on api: RouterGroup<AppRequestContext>) {
        api.get("review-queue") { request, context in
            let actor = try context.require(.reviewApplications)
            let (filter, refusals) = QueueFilter.parse(query: { request.query($0) }, user: actor.userID, asOf: context.now)
            if !refusals.isEmpty { throw StoreError.invalid(refusals) }
            return try JSONResponse(Items(items: try await reviews.queue(filter, limit: try request.limit())))
        }
        api.get("review-queue/:item") { _, context in
            try context.require(.reviewApplications)
            let item = try await reviews.item(try context.parameters.uuid("item"), at: context.now)
            return try JSONResponse(item, version: item.version)
        }
        api.post("review-queue/:item/claim") { _, context in
            let actor = try context.require(.reviewApplications)
            let item = try await reviews.claim(
                try context.parameters.uuid("item"), reviewer: try await reviews.reviewer(actor), context: context.change)
            return try JSONResponse(item, version: item.version)
        }
        api.post("review-queue/:item/release") { _, context in
            let actor = try context.require(.reviewApplications)
            let item = try await reviews.release(try context.parameters.uuid("item"), by: actor, context: context.change)
            return try JSONResponse(item, version: item.version)
        }
        api.post("review-queue/:item/assign") { request, context in
            try context.require(.assignReviews)
            let input = try await request.strictJSON(as: AssignInput.self, context: context).value
            guard let auditor = try await users.actor(for: input.auditorID), ReviewMachine.assignmentRefusal(assigneeRole: auditor.role) == nil
            else { throw Problem.invalid("auditor_id", ReviewMachine.notAuditor.code, ReviewMachine.notAuditor.message) }
            let item = try await reviews.claim(
                try context.parameters.uuid("item"), reviewer: try await reviews.reviewer(auditor), context: context.change)
            return try JSONResponse(item, version: item.version)
        }
        api.post("review-queue/:item/decision") { request, context in
            let actor = try context.require(.reviewApplications)
            let input = try await request.strictJSON(as: DecisionInput.self, context: context).value
            var checks = FieldChecks()
            let reasons = (input.reasons ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if reasons.count > 20_000 { checks.fail("reasons", "too_long", "reasons has at most 20000 characters.") }
            if input.decision == .reject && reasons.isEmpty { checks.fail("reasons", "required", "A rejection gives its reasons.") }
            let comments = input.actionComments ?? [:]
            if input.decision == .requestChanges && comments.isEmpty && reasons.isEmpty {
                checks.fail("action_comments", "required", "Say what to change, action by action.")
            }
            if comments.count > 100 || comments.values.contains(where: { $0.count > 10_000 }) {
                checks.fail("action_comments", "too_long", "At most 100 comments of 10000 characters.")
            }
            try checks.check()
            let (item, _) = try await reviews.decide(
                try context.parameters.uuid("item"), decision: input.decision, actionComments: comments, reasons: reasons,
                reviewer: try await reviews.reviewer(actor), context: context.change
            )
            return try JSONResponse(item, version: item.version)
        }
    }

    // MARK: Affiliations

    func registerAffiliations(on api: RouterGroup<AppRequestContext>) {
        api.get("users/me/affiliations") { _, context in
            let actor = try context.require(.declareAffiliations)
            return try JSONResponse(Items(items: try await reviews.affiliations(of: actor.userID)))
        }
        api.post("users/me/affiliations") { request, context in
            let actor = try context.require(.declareAffiliations)
            let input = try await request.strictJSON(as: AffiliationInput.self, context: context).value
            var checks = FieldChecks()
            let relation = checks.text("relation", input.relation, max: 500)
            let period = checks.period(from: input.validFrom, until: input.validUntil, fromField: "valid_from", untilField: "valid_until")
            if let period, period.1 == period.0 { checks.fail("valid_until", "before_start", "valid_until must be after valid_from.") }
            try checks.check()
            let record = try await reviews.declareAffiliation(
                auditor: actor.userID, participant: input.participantID, relation: relation!, from: period!.0, until: period!.1,
                context: context.change
            )
            return try JSONResponse(record, status: .created)
        }
        api.delete("users/me/affiliations/:affiliation") { _, context in
            let actor = try context.require(.declareAffiliations)
            try await reviews.endAffiliation(try context.parameters.uuid("affiliation"), auditor: actor.userID, context: context.change)
            return Response(status: .noContent)
        }
        api.get("affiliations") { _, context in
            try context.require(.readConflicts)
            return try JSONResponse(Items(items: try await reviews.affiliations(of: nil)))
        }
    }

    // MARK: Helpers

    /// The participants a listing covers: an applicant's own, narrowed by `?participant=`; for
    /// staff, that one or (nil) all.
    static func visibleParticipants(_ request: Request, _ actor: Actor) throws(Problem) -> Set<UUID>? {
        let own: Set<UUID>? = actor.role == .applicant ? Set(actor.memberships.keys) : nil
        guard let text = request.query("participant") else { return own }
        guard let id = UUID(uuidString: text) else { throw Problem.invalid("participant", "invalid", "participant is an id.") }
        return own.map { $0.intersection([id]) } ?? [id]
    }

    /// The application in the path, once the caller may perform `permission` on its participant.
    func authorize(_ permission: Permission, application context: AppRequestContext) async throws -> UUID {
        let id = try context.parameters.uuid("application")
        // Check the role first, so an outsider learns nothing about which ids exist.
        if case .unauthenticated = Access.decide(permission, actor: context.actor, participant: nil) { throw Problem.unauthenticated() }
        try context.require(permission, participant: try await applications.participant(ofApplication: id))
        return id
    }

}
