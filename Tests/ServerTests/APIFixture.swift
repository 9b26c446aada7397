import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import Server
import Store
import TestSupport
import Testing

/// A registry with one user per role and two participants, driven over HTTP through the router
/// `serve` builds, in process or (`live`) on a real port through the server `serve` runs. Every
/// response goes through the OpenAPI contract check.
struct APIFixture: Sendable {
    struct Account: Sendable {
        let user: User
        let token: String
    }

    let db: FreshDatabase
    let admin: Account
    let auditor: Account
    /// Owner of `own`.
    let applicant: Account
    /// Owner of `other`, and nothing of `own`.
    let otherApplicant: Account
    let enterprise: Account
    let own: Participant
    let other: Participant
    /// The own participant's approved baseline netops application, with its closed review item,
    /// evidence and certification.
    let approved: UUID
    let closedItem: UUID
    let evidence: UUID
    let certification: UUID
    /// The own participant's draft MANRS+ IXP application.
    let draft: UUID
    /// The second auditor's affiliation with `other`.
    let affiliation: UUID

    /// The roles the authorisation table speaks of.
    enum Role: String, CaseIterable, Sendable {
        case anonymous, admin, auditor, applicant, otherApplicant, enterprise
    }

    func token(_ role: Role) -> String? {
        switch role {
        case .anonymous: nil
        case .admin: admin.token
        case .auditor: auditor.token
        case .applicant: applicant.token
        case .otherApplicant: otherApplicant.token
        case .enterprise: enterprise.token
        }
    }

    /// - Parameter cached: runs the caches' invalidation, as `serve` does; without it every read
    ///   goes to the database.
    static func run(
        settings: Settings? = nil, loginLimits: LoginLimits = LoginLimits(), live: Bool = false, cached: Bool = false,
        _ body: @Sendable (APIFixture, APIClient) async throws -> Void
    ) async throws {
        try await TestDatabase.withDatabase(poolSize: 8) { (db: FreshDatabase) async throws in
            _ = try await CatalogStore(database: db.pool).load(
                seeds: try CatalogStore.readSeeds(directory: TestDatabase.schemaDirectory + "/catalog"), context: .system(at: Date()))
            let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
            func account(_ email: String, _ role: UserRole) async throws -> Account {
                let user = try await users.create(
                    email: email, displayName: email, role: role, password: "a long test password", context: .system(at: Date()))
                let (_, token) = try await users.createToken(
                    for: user.id, name: "test", scopes: [.read, .write], expiresAt: nil, context: .system(at: Date()))
                return Account(user: user, token: token)
            }
            let applicant = try await account("applicant@example.org", .applicant)
            let otherApplicant = try await account("other@example.org", .applicant)
            let participants = ParticipantStore(database: db.pool)
            let own = try await participants.create(
                NewParticipant(
                    legalName: "Reseaux IP Europeens NCC", displayName: "RIPE NCC", country: "NL", website: "https://www.ripe.net",
                    programs: ["netops", "ixp"],
                    resources: [
                        NewResource(kind: .asn, value: .asn(3333)),
                        NewResource(kind: .prefix, value: try ResourceValue.parse("193.0.0.0/21", kind: .prefix)),
                    ]
                ),
                owner: applicant.user.id, context: .system(at: Date())
            )
            let other = try await participants.create(
                NewParticipant(legalName: "Hellas OnLine", displayName: "HOL", country: "GR", website: nil, programs: ["netops"]),
                owner: otherApplicant.user.id, context: .system(at: Date())
            )
            // The own participant holds its resources: verified, as the secretariat would.
            for resource in try await participants.resources(of: own.id) {
                _ = try await participants.verifyResource(resource.id, of: own.id, reason: "RIPE database", url: nil, context: .system(at: Date()))
            }
            let auditor = try await account("auditor@example.org", .auditor)
            // The fixture's own review is decided by a second auditor, so the first starts fresh.
            let reviewedBy = try await account("second-auditor@example.org", .auditor)
            let settings = try settings ?? Settings.load(environment: [:])
            let workflow = try await Self.workflow(
                db, own: own.id, other: other.id, applicant: applicant.user.id, auditor: reviewedBy.user.id, issuer: Services.issuer(settings))
            let fixture = APIFixture(
                db: db, admin: try await account("admin@example.org", .admin), auditor: auditor,
                applicant: applicant, otherApplicant: otherApplicant, enterprise: try await account("buyer@example.org", .enterprise),
                own: own, other: other, approved: workflow.approved, closedItem: workflow.item, evidence: workflow.evidence,
                certification: workflow.certification, draft: workflow.draft, affiliation: workflow.affiliation
            )
            let dependencies = try await TestApp.dependencies(db.pool, settings: settings, loginLimits: loginLimits)
            let (router, _) = buildRouter(dependencies)
            let invalidation = cached ? Task { await dependencies.caches.invalidation.run() } : nil
            defer { invalidation?.cancel() }
            while cached && !dependencies.caches.invalidation.isListening { try await Task.sleep(for: .milliseconds(10)) }
            guard live else {
                try await Application(router: router).test(.router) { client in
                    try await body(fixture, APIClient(client: client))
                }
                return
            }
            let app = Application(router: router, server: httpServer(settings), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                try await body(fixture, APIClient(client: client, port: client.port))
            }
        }
    }

    /// A small PDF, as the sniffer sees PDFs.
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    /// Walks one application through the workflow with the stores, for routes that need ids.
    static func workflow(_ db: FreshDatabase, own: UUID, other: UUID, applicant: UUID, auditor: UUID, issuer: MarkIssuer? = nil) async throws
        -> (approved: UUID, item: UUID, evidence: UUID, certification: UUID, draft: UUID, affiliation: UUID)
    {
        let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
        let applications = ApplicationStore(database: db.pool)
        let reviews = ReviewStore(database: db.pool, issuer: issuer)
        let applicantContext = ChangeContext(actor: try await users.actor(for: applicant), requestID: nil, at: Date())
        let auditorActor = try #require(try await users.actor(for: auditor))
        let auditorContext = ChangeContext(actor: auditorActor, requestID: nil, at: Date())
        let application = try await db.pool.transaction { connection in
            try await applications.create(participant: own, program: "netops", tier: .baseline, context: applicantContext, on: connection)
        }
        _ = try await applications.setCommitment(
            application.id, action: "netops.1", statement: "Prefix and AS-path filters on all customer sessions.", context: applicantContext)
        let evidence = try await applications.addEvidence(
            application.id, action: "netops.1",
            NewEvidence(
                content: .document(fileName: "filters.pdf", declaredType: "application/pdf", sniffedType: "application/pdf", bytes: pdf),
                effectiveFrom: "2026-01-01", effectiveUntil: nil, supersedes: nil),
            context: applicantContext
        )
        let detail = try await applications.detail(application.id)
        _ = try await applications.submit(application.id, expectedVersion: detail.application.version, context: applicantContext)
        let item = try #require(try await reviews.queue(QueueFilter(asOf: Date()), limit: 10).first { $0.applicationID == application.id })
        let reviewer = try await reviews.reviewer(auditorActor)
        _ = try await reviews.claim(item.id, reviewer: reviewer, context: auditorContext)
        _ = try await reviews.decide(item.id, decision: .approve, actionComments: [:], reasons: "", reviewer: reviewer, context: auditorContext)
        let certification = try #require(try await reviews.certifications(participants: [own], limit: 1).first)
        let draft = try await db.pool.transaction { connection in
            try await applications.create(participant: own, program: "ixp", tier: .plus, context: applicantContext, on: connection)
        }
        _ = try await applications.setCommitment(
            draft.id, action: "ixp.1", statement: "RPKI filtering on both route servers.", context: applicantContext)
        // Declared at a fixed moment, so the pages that show it compare across days.
        let declaredAt = try Date("2026-11-26T12:00:00Z", strategy: .iso8601)
        let affiliation = try await reviews.declareAffiliation(
            auditor: auditor, participant: other, relation: "Consultant", from: "2025-01-01", until: nil,
            context: ChangeContext(actor: auditorActor, requestID: nil, at: declaredAt)
        )
        return (application.id, item.id, evidence.id, certification.id, draft.id, affiliation.id)
    }

    /// Rows in the registry's tables, to show a refused request wrote nothing.
    /// Every table a request can write (the snapshot tables are the import commands' alone).
    func rowCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in [
            "programs", "catalog_versions", "participants", "participant_programs", "resources", "contacts", "memberships", "users", "api_tokens",
            "sessions", "login_attempts", "idempotency_keys", "audit_events", "audit_chain_head", "applications", "commitments", "evidence",
            "review_items", "decisions", "comments", "affiliations", "certifications",
        ] {
            counts[table] = try await db.pool.query("SELECT count(*) FROM \(identifier: table)")[0].decode(0, as: Int.self)
        }
        return counts
    }
}

/// A response, read.
struct APIResponse: Sendable {
    let status: Int
    let headers: HTTPFields
    let body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }

    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: body)
    }

    /// The problem type, for error responses.
    var problemType: String? { json["type"] as? String }
    var fieldCodes: [String: String] {
        Dictionary(((json["errors"] as? [[String: Any]]) ?? []).map { ($0["field"] as? String ?? "", $0["code"] as? String ?? "") }) { a, _ in a }
    }
}

extension APIFixture {
    /// The fixture's certification made MANRS+, granted on 1 November 2026 for three years, with
    /// the AS3333 routes of 6 April 2024 and `vrps` (a file of Tests/Fixtures/checks, taken
    /// 20 July 2025) imported: returns the grant and a check runner that accepts inputs that far apart.
    func surveilled(vrps: String) async throws -> (granted: Date, runner: CheckRunStore) {
        let granted = try Date("2026-11-01T00:00:00Z", strategy: .iso8601)
        try await db.pool.execute(
            """
            UPDATE certifications SET tier = 'plus', granted_at = \(granted), valid_until = \(granted.addingTimeInterval(3 * 365 * 86_400))
            WHERE id = \(certification)
            """)
        let fixtures = TestDatabase.repositoryRoot + "/Tests/Fixtures/checks/"
        let snapshots = SnapshotStore(database: db.pool)
        _ = try await snapshots.importFile(
            fixtures + "routes-as3333-20240406.csv", kind: .routes, sourceName: "routeviews",
            takenAt: try Date("2024-04-06T00:00:00Z", strategy: .iso8601))
        _ = try await snapshots.importFile(
            fixtures + vrps, kind: .vrps, sourceName: "rpki-client", takenAt: try Date("2025-07-20T09:31:33Z", strategy: .iso8601))
        let runner = CheckRunStore(database: db.pool, freshness: FreshnessPolicy(maximumAge: 1_000 * 86_400, maximumPairing: 500 * 86_400))
        return (granted, runner)
    }

    /// The secretariat verifies the participant's unverified resources over the API, as with RIR evidence.
    func verifyResources(of participant: UUID, _ api: APIClient) async throws {
        let path = "/api/v1/participants/\(participant.uuidString.lowercased())/resources"
        for resource in try await api.call(.get, path, token: admin.token).json["items"] as? [[String: Any]] ?? [] {
            guard let id = resource["id"] as? String, (resource["verification"] as? [String: Any])?["state"] as? String == "unverified" else {
                continue
            }
            let verified = try await api.call(.post, "\(path)/\(id)/verify", token: admin.token, json: #"{"reason":"RIR registration"}"#)
            #expect(verified.status == 200, "\(verified.text)")
        }
    }
}

/// Sends requests with a token or cookie and checks every response against the OpenAPI document.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    /// The live server's port: each request then goes on a connection of its own, so a request
    /// the server answers by closing the connection cannot take the next ones with it.
    var port: Int? = nil

    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil, body: Data? = nil,
        headers extra: [String: String] = [:], checkContract: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> APIResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil || body != nil { headers[.contentType] = "application/json" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let payload = body ?? json.map { Data($0.utf8) }
        let result: APIResponse
        if let port {
            let request = TestClient.Request(
                uri, method: method, authority: "localhost", headers: headers, body: payload.map { ByteBuffer(bytes: $0) })
            let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { try await $0.execute(request) }
            result = APIResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: response.body ?? ByteBuffer()))
        } else {
            let response = try await client.execute(uri: uri, method: method, headers: headers, body: payload.map { ByteBuffer(bytes: $0) })
            result = APIResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: response.body))
        }
        if checkContract && (uri.hasPrefix("/api/") || ["/healthz", "/readyz"].contains(uri)) {
            let problems = OpenAPIContract.shared.check(
                method: method.rawValue, path: uri, status: result.status, contentType: result.headers[.contentType], body: result.body
            )
            for problem in problems { Issue.record("contract: \(problem)", sourceLocation: sourceLocation) }
        }
        return result
    }
}
