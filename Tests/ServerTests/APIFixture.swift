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
/// `serve` builds. Every response goes through the OpenAPI contract check.
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

    static func run(
        loginLimits: LoginLimits = LoginLimits(), _ body: @Sendable (APIFixture, APIClient) async throws -> Void
    ) async throws {
        try await TestDatabase.withDatabase(poolSize: 8) { (db: FreshDatabase) async throws in
            _ = try await CatalogStore(database: db.pool).load(seeds: try CatalogStore.readSeeds(directory: TestDatabase.schemaDirectory + "/catalog"))
            let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
            func account(_ email: String, _ role: UserRole) async throws -> Account {
                let user = try await users.create(email: email, displayName: email, role: role, password: "a long test password", context: .system)
                let (_, token) = try await users.createToken(for: user.id, name: "test", scopes: [.read, .write], expiresAt: nil, context: .system)
                return Account(user: user, token: token)
            }
            let applicant = try await account("applicant@example.org", .applicant)
            let otherApplicant = try await account("other@example.org", .applicant)
            let participants = ParticipantStore(database: db.pool)
            let own = try await participants.create(
                NewParticipant(
                    legalName: "Reseaux IP Europeens NCC", displayName: "RIPE NCC", country: "NL", website: "https://www.ripe.net", programs: ["netops"],
                    resources: [NewResource(kind: .asn, value: .asn(3333)), NewResource(kind: .prefix, value: try ResourceValue.parse("193.0.0.0/21", kind: .prefix))]
                ),
                owner: applicant.user.id, context: .system
            )
            let other = try await participants.create(
                NewParticipant(legalName: "Hellas OnLine", displayName: "HOL", country: "GR", website: nil, programs: ["netops"]),
                owner: otherApplicant.user.id, context: .system
            )
            let fixture = APIFixture(
                db: db, admin: try await account("admin@example.org", .admin), auditor: try await account("auditor@example.org", .auditor),
                applicant: applicant, otherApplicant: otherApplicant, enterprise: try await account("buyer@example.org", .enterprise),
                own: own, other: other
            )
            let (router, _) = buildRouter(try await TestApp.dependencies(db.pool, loginLimits: loginLimits))
            try await Application(router: router).test(.router) { client in
                try await body(fixture, APIClient(client: client))
            }
        }
    }

    /// Rows in the registry's tables, to show a refused request wrote nothing.
    func rowCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["participants", "participant_programs", "resources", "contacts", "memberships", "users", "api_tokens", "audit_events", "catalog_versions", "idempotency_keys"] {
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

/// Sends requests with a token or cookie and checks every response against the OpenAPI document.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil, body: Data? = nil,
        headers extra: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> APIResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil || body != nil { headers[.contentType] = "application/json" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let payload = body ?? json.map { Data($0.utf8) }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: payload.map { ByteBuffer(bytes: $0) }
        )
        let result = APIResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: response.body))
        if uri.hasPrefix("/api/") || ["/healthz", "/readyz"].contains(uri) {
            let problems = OpenAPIContract.shared.check(
                method: method.rawValue, path: uri, status: result.status, contentType: response.headers[.contentType], body: result.body
            )
            for problem in problems { Issue.record("contract: \(problem)", sourceLocation: sourceLocation) }
        }
        return result
    }
}
