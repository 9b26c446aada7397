import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Operations
import Store

/// The certification workflow over HTTP: applications, commitments, evidence, comments,
/// decisions; the auditors' queue; affiliations; certifications. Writes are thin adapters
/// over `Operations`: read the input, call the command, encode the result.
struct WorkflowRoutes {
    let applications: ApplicationStore
    let reviews: ReviewStore
    let operations: Operations
    let idempotency: Idempotency
    let evidenceMaxBytes: Int

    func register(on api: RouterGroup<AppRequestContext>) {
        registerApplications(on: api)
        registerEvidence(on: api)
        registerQueue(on: api)
        registerAffiliations(on: api)
        registerEnforcementReviews(on: api)
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
            let actor = try context.signedIn()
            let input = try await request.strictJSON(as: ApplicationInput.self, context: context)
            return try await idempotency.respond(to: request, context: context, body: input.data) { connection in
                let created = try await operations.applications.create(
                    participant: input.value.participantID, program: input.value.program, tier: input.value.tier, by: actor,
                    change: context.change, on: connection
                )
                return (.created, "/api/v1/applications/\(created.id.uuidString.lowercased())", created)
            }
        }
        api.get("applications/:application") { _, context in
            let id = try await authorize(.readApplication, application: context)
            let detail = try await applications.detail(id)
            let readout = ApplicationReadout(detail: detail, decisions: try await reviews.decisions(ofApplication: id))
            return try JSONResponse(readout, version: detail.application.version)
        }
        api.put("applications/:application/commitments/:action") { request, context in
            let id = try await authorize(.editApplication, application: context)
            let input = try await request.strictJSON(as: CommitmentInput.self, context: context).value
            let detail = try await operations.applications.commit(
                id, action: try context.parameters.require("action"), statement: input.statement, by: try context.signedIn(),
                change: context.change)
            return try JSONResponse(detail, version: detail.application.version)
        }
        api.delete("applications/:application/commitments/:action") { _, context in
            let actor = try context.signedIn()
            let detail = try await operations.applications.removeCommitment(
                try context.parameters.uuid("application"), action: try context.parameters.require("action"), by: actor, change: context.change)
            return try JSONResponse(detail, version: detail.application.version)
        }
        api.post("applications/:application/submit") { request, context in
            let id = try await authorize(.editApplication, application: context)
            let detail = try await operations.applications.submit(
                id, expectedVersion: try ETag.expectedVersion(request), by: try context.signedIn(), change: context.change)
            return try JSONResponse(detail, version: detail.application.version)
        }
        api.post("applications/:application/withdraw") { request, context in
            let id = try await authorize(.editApplication, application: context)
            let detail = try await operations.applications.withdraw(
                id, expectedVersion: try ETag.expectedVersion(request), by: try context.signedIn(), change: context.change)
            return try JSONResponse(detail, version: detail.application.version)
        }
        api.get("applications/:application/comments") { _, context in
            let id = try await authorize(.readApplication, application: context)
            return try JSONResponse(Items(items: try await operations.applications.comments(of: id, by: try context.signedIn())))
        }
        api.post("applications/:application/comments") { request, context in
            let id = try await authorize(.commentOnApplication, application: context)
            let input = try await request.strictJSON(as: CommentInput.self, context: context).value
            let comment = try await operations.applications.comment(
                id, body: input.body, isInternal: input.isInternal ?? false, by: try context.signedIn(), change: context.change)
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
            let evidence = try await operations.applications.addEvidence(id, action: action, new, by: try context.signedIn(), change: context.change)
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
    /// `effective_until`, `supersedes` fields) for documents, JSON for URLs and statements. The
    /// period and the text are the operation's to check (`InputRules`).
    static func evidence(from request: Request, context: AppRequestContext, maxBytes: Int) async throws -> EvidenceDraft {
        let contentType = request.headers[.contentType] ?? ""
        guard let boundary = MultipartForm.boundary(contentType) else {
            let input = try await request.strictJSON(as: EvidenceInput.self, context: context).value
            let content: NewEvidence.Content
            switch input.kind {
            case "url": content = .url(input.url ?? "")
            case "statement": content = .statement(input.text ?? "")
            default: throw Problem.invalid("kind", "invalid", "kind is url or statement as JSON; upload documents as multipart/form-data.")
            }
            return EvidenceDraft(
                content: content, effectiveFrom: input.effectiveFrom, effectiveUntil: input.effectiveUntil, supersedes: input.supersedes)
        }
        return try evidence(from: try await MultipartForm.read(request, boundary: boundary, maxBytes: maxBytes), maxBytes: maxBytes)
    }

    /// A document upload from a parsed form: the `file` part, `effective_from`,
    /// `effective_until` and `supersedes`; the bytes must match the declared type
    /// (`EvidenceFiles`), the period is checked with the form's other fields first.
    static func evidence(from form: MultipartForm, maxBytes: Int) throws -> EvidenceDraft {
        var checks = FieldChecks()
        checks.add(InputRules.period(from: form.field("effective_from"), until: form.field("effective_until")))
        var supersedes: UUID? = nil
        if let text = form.field("supersedes"), !text.isEmpty {
            supersedes = UUID(uuidString: text)
            if supersedes == nil { checks.fail("supersedes", "invalid", "Choose the evidence this corrects from the list.") }
        }
        guard let file = form.file("file") else {
            throw Problem.invalid("file", "required", "Choose a file to upload.")
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
        return EvidenceDraft(
            content: .document(
                fileName: EvidenceFiles.sanitise(file.fileName ?? ""), declaredType: declaredType, sniffedType: sniffed!,
                // The upload's own storage, not a copy: it goes from here to libpq as it is.
                bytes: Data(buffer: file.body, byteTransferStrategy: .noCopy)),
            effectiveFrom: form.field("effective_from"), effectiveUntil: form.field("effective_until"), supersedes: supersedes
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
            let item = try await operations.reviews.claim(try context.parameters.uuid("item"), by: try context.signedIn(), change: context.change)
            return try JSONResponse(item, version: item.version)
        }
        api.post("review-queue/:item/release") { _, context in
            let item = try await operations.reviews.release(try context.parameters.uuid("item"), by: try context.signedIn(), change: context.change)
            return try JSONResponse(item, version: item.version)
        }
        api.post("review-queue/:item/assign") { request, context in
            let actor = try context.signedIn()
            let input = try await request.strictJSON(as: AssignInput.self, context: context).value
            let item = try await operations.reviews.assign(
                try context.parameters.uuid("item"), to: input.auditorID, by: actor, change: context.change)
            return try JSONResponse(item, version: item.version)
        }
        api.post("review-queue/:item/decision") { request, context in
            let actor = try context.signedIn()
            let input = try await request.strictJSON(as: DecisionInput.self, context: context).value
            let item = try await operations.reviews.decide(
                try context.parameters.uuid("item"), decision: input.decision, reasons: input.reasons, actionComments: input.actionComments ?? [:],
                by: actor, change: context.change)
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
            let actor = try context.signedIn()
            let input = try await request.strictJSON(as: AffiliationInput.self, context: context).value
            let record = try await operations.reviews.declareAffiliation(
                participant: input.participantID, relation: input.relation, from: input.validFrom, until: input.validUntil, by: actor,
                change: context.change)
            return try JSONResponse(record, status: .created)
        }
        api.delete("users/me/affiliations/:affiliation") { _, context in
            try await operations.reviews.endAffiliation(
                try context.parameters.uuid("affiliation"), by: try context.signedIn(), change: context.change)
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

    /// The application in the path, once the caller may perform `permission` on its participant:
    /// for reads, and for writes before their body or headers are read, so that those who may
    /// not hear only that (the operation then decides again, as it does for every caller).
    func authorize(_ permission: Permission, application context: AppRequestContext) async throws -> UUID {
        let id = try context.parameters.uuid("application")
        // Check the role first, so an outsider learns nothing about which ids exist.
        if case .unauthenticated = Access.decide(permission, actor: context.actor, participant: nil) { throw Problem.unauthenticated() }
        try context.require(permission, participant: try await applications.participant(ofApplication: id))
        return id
    }

}
