import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Server
import Store
import TestSupport
import Testing

/// Every route × every role, as docs/authorization.md states it.
@Suite("Authorisation and the OpenAPI document")
struct AuthorizationTests {
    typealias Role = APIFixture.Role

    /// The roles that may call each route; `:participant` is the applicant's own participant.
    /// Everyone else gets 401 (anonymous) or 403.
    static let table: [String: Set<Role>] = [
        "GET /healthz": Set(Role.allCases),
        "GET /readyz": Set(Role.allCases),
        "GET /metrics": Set(Role.allCases),
        "GET /api/v1/openapi.json": Set(Role.allCases),
        "GET /api/v1/programs": Set(Role.allCases),
        "GET /api/v1/programs/{program}": Set(Role.allCases),
        "GET /api/v1/programs/{program}/versions": Set(Role.allCases),
        "GET /api/v1/programs/{program}/versions/{version}": Set(Role.allCases),
        "POST /api/v1/programs/{program}/versions": [.admin],
        "PUT /api/v1/programs/{program}/versions/{version}": [.admin],
        "POST /api/v1/programs/{program}/versions/{version}/publish": [.admin],
        "GET /api/v1/participants": [.admin, .auditor, .applicant, .otherApplicant],
        "POST /api/v1/participants": [.admin, .applicant, .otherApplicant],
        "GET /api/v1/participants/{participant}": [.admin, .auditor, .applicant],
        "PATCH /api/v1/participants/{participant}": [.admin, .applicant],
        "GET /api/v1/participants/{participant}/resources": [.admin, .auditor, .applicant],
        "POST /api/v1/participants/{participant}/resources": [.admin, .applicant],
        "DELETE /api/v1/participants/{participant}/resources/{resource}": [.admin, .applicant],
        // Verifying decides who holds address space: the secretariat only (a 404 past authorisation here).
        "POST /api/v1/participants/{participant}/resources/{resource}/verify": [.admin],
        "POST /api/v1/participants/{participant}/resources/{resource}/unverify": [.admin],
        "POST /api/v1/resources/rpki-verification": [.admin],
        "GET /api/v1/participants/{participant}/contacts": [.admin, .auditor, .applicant],
        "POST /api/v1/participants/{participant}/contacts": [.admin, .applicant],
        "GET /api/v1/participants/{participant}/contacts/{contact}": [.admin, .auditor, .applicant],
        "PUT /api/v1/participants/{participant}/contacts/{contact}": [.admin, .applicant],
        "DELETE /api/v1/participants/{participant}/contacts/{contact}": [.admin, .applicant],
        "GET /api/v1/participants/{participant}/members": [.admin, .auditor, .applicant],
        "POST /api/v1/participants/{participant}/members": [.admin, .applicant],
        "DELETE /api/v1/participants/{participant}/members/{user}": [.admin, .applicant],
        "GET /api/v1/participants/{participant}/webhooks": [.admin, .applicant],
        "POST /api/v1/participants/{participant}/webhooks": [.admin, .applicant],
        "DELETE /api/v1/participants/{participant}/webhooks/{endpoint}": [.admin, .applicant],
        "POST /api/v1/participants/{participant}/webhooks/{endpoint}/test": [.admin, .applicant],
        "GET /api/v1/participants/{participant}/webhooks/{endpoint}/deliveries": [.admin, .applicant],
        "GET /api/v1/participants/{participant}/timeline": [.admin, .auditor, .applicant],
        "GET /api/v1/participants/{participant}/results": [.admin, .auditor, .applicant],
        "GET /api/v1/participants/{participant}/enforcement": [.admin, .auditor, .applicant],
        "GET /api/v1/resources": [.admin, .auditor],
        "GET /api/v1/users/me": [.admin, .auditor, .applicant, .otherApplicant, .enterprise],
        "PUT /api/v1/users/me/password": [.admin, .auditor, .applicant, .otherApplicant, .enterprise],
        "GET /api/v1/users/me/tokens": [.admin, .auditor, .applicant, .otherApplicant, .enterprise],
        "POST /api/v1/users/me/tokens": [.admin, .auditor, .applicant, .otherApplicant, .enterprise],
        "DELETE /api/v1/users/me/tokens/{token}": [.admin, .auditor, .applicant, .otherApplicant, .enterprise],
        "GET /api/v1/users": [.admin],
        "POST /api/v1/users": [.admin],
        // The path names the applicant's own account: anyone may read themselves.
        "GET /api/v1/users/{user}": [.admin, .applicant],
        "PATCH /api/v1/users/{user}": [.admin],
        "GET /api/v1/snapshots": [.admin, .auditor],
        // No routes snapshot in the fixture: a 404 past authorisation.
        "GET /api/v1/participants/{participant}/measurements": [.admin, .auditor, .applicant],
        "GET /api/v1/audit/head": [.admin, .auditor, .applicant, .otherApplicant, .enterprise],
        "GET /api/v1/applications": [.admin, .auditor, .applicant, .otherApplicant],
        "POST /api/v1/applications": [.admin, .applicant],
        "GET /api/v1/applications/{application}": [.admin, .auditor, .applicant],
        "PUT /api/v1/applications/{application}/commitments/{action}": [.admin, .applicant],
        "DELETE /api/v1/applications/{application}/commitments/{action}": [.admin, .applicant],
        "POST /api/v1/applications/{application}/commitments/{action}/evidence": [.admin, .applicant],
        "GET /api/v1/applications/{application}/evidence": [.admin, .auditor, .applicant],
        // Only the participant's members submit or withdraw; the state machine refuses admins too.
        "POST /api/v1/applications/{application}/submit": [.applicant],
        "POST /api/v1/applications/{application}/withdraw": [.applicant],
        "GET /api/v1/applications/{application}/comments": [.admin, .auditor, .applicant],
        "POST /api/v1/applications/{application}/comments": [.admin, .auditor, .applicant],
        "GET /api/v1/applications/{application}/decisions": [.admin, .auditor, .applicant],
        "GET /api/v1/evidence/{evidence}": [.admin, .auditor, .applicant],
        "GET /api/v1/evidence/{evidence}/content": [.admin, .auditor, .applicant],
        "GET /api/v1/review-queue": [.admin, .auditor],
        "GET /api/v1/review-queue/{item}": [.admin, .auditor],
        // Admins settle flagged disagreements only; on this item the policy refuses them.
        "POST /api/v1/review-queue/{item}/claim": [.auditor],
        "POST /api/v1/review-queue/{item}/release": [.admin, .auditor],
        "POST /api/v1/review-queue/{item}/assign": [.admin],
        "POST /api/v1/review-queue/{item}/decision": [.auditor],
        "GET /api/v1/users/me/affiliations": [.admin, .auditor],
        "POST /api/v1/users/me/affiliations": [.admin, .auditor],
        "DELETE /api/v1/users/me/affiliations/{affiliation}": [.admin, .auditor],
        "GET /api/v1/affiliations": [.admin],
        "GET /api/v1/admin/jobs": [.admin],
        "GET /api/v1/admin/sources": [.admin],
        "GET /api/v1/certifications": [.admin, .auditor, .applicant, .otherApplicant],
        "GET /api/v1/certifications/{certification}": [.admin, .auditor, .applicant],
        // The mark for buyers: public, no login (issue 13).
        "GET /.well-known/did.json": Set(Role.allCases),
        "GET /.well-known/jwks.json": Set(Role.allCases),
        "GET /api/v1/verify": Set(Role.allCases),
        "GET /api/v1/marks/{mark}": Set(Role.allCases),
        "GET /api/v1/marks/{mark}/history": Set(Role.allCases),
        "GET /api/v1/marks/{mark}/credential": Set(Role.allCases),
        "GET /api/v1/status-lists/{purpose}": Set(Role.allCases),
        "GET /marks/{mark}": Set(Role.allCases),
        "GET /marks/{mark}/badge.svg": Set(Role.allCases),
        "GET /api/v1/registry": Set(Role.allCases),
        // Disputes and appeals: the participant's members; revocation for cause: staff past
        // authorisation (an admin is then refused by the review rule: only auditors decide); overrides: admins.
        "POST /api/v1/participants/{participant}/results/{result}/disputes": [.admin, .applicant],
        "GET /api/v1/participants/{participant}/disputes": [.admin, .auditor, .applicant],
        "POST /api/v1/certifications/{certification}/appeals": [.admin, .applicant],
        "POST /api/v1/certifications/{certification}/revocation": [.admin, .auditor],
        "POST /api/v1/certifications/{certification}/override": [.admin],
        // Withdrawal: the participant's owners (and the secretariat for them).
        "POST /api/v1/certifications/{certification}/withdrawal": [.admin, .applicant],
        // Watchlists are buyers' (and the secretariat's); another's id is a 404 past authorisation.
        "GET /api/v1/watchlists": [.admin, .enterprise],
        "POST /api/v1/watchlists": [.admin, .enterprise],
        "GET /api/v1/watchlists/{watchlist}": [.admin, .enterprise],
        "PATCH /api/v1/watchlists/{watchlist}": [.admin, .enterprise],
        "DELETE /api/v1/watchlists/{watchlist}": [.admin, .enterprise],
        "POST /api/v1/watchlists/{watchlist}/entries": [.admin, .enterprise],
        "DELETE /api/v1/watchlists/{watchlist}/entries/{entry}": [.admin, .enterprise],
        "GET /api/v1/watchlists/{watchlist}/csv": [.admin, .enterprise],
        "GET /api/v1/users/me/webhooks": [.admin, .enterprise],
        "POST /api/v1/users/me/webhooks": [.admin, .enterprise],
        "DELETE /api/v1/users/me/webhooks/{hook}": [.admin, .enterprise],
        "GET /api/v1/users/me/webhooks/{hook}/deliveries": [.admin, .enterprise],
        // A renewal's confirmation: the participant's members (and the secretariat).
        "POST /api/v1/certifications/{certification}/renewals": [.admin, .applicant],
    ]

    /// Sign-up and password reset: asked for before signing in, so no credential matters (as for
    /// `POST /login`); tested in AccountLinkTests.
    static let publicAccountRoutes: Set<String> = [
        "POST /api/v1/signup", "POST /api/v1/signup/verify", "POST /api/v1/password/forgot", "POST /api/v1/password/reset",
    ]

    /// Public reads sent as POST (a body too big for a query), open to everyone, changing
    /// nothing: tested in BulkVerificationTests.
    static let publicReads: Set<String> = ["POST /api/v1/verify/bulk"]

    /// Pages with their own sign-in and CSRF rules, tested in WebTests.
    static let pages: Set<String> = [
        "GET /login", "POST /login", "POST /logout", "GET /", "POST /account/tokens", "POST /account/password",
        "GET /verify/bulk", "POST /verify/bulk", "GET /registry",
        "GET /applications", "POST /applications", "GET /applications/{application}", "POST /applications/{application}/commitments",
        "POST /applications/{application}/evidence", "POST /applications/{application}/evidence-url", "POST /applications/{application}/submit",
        "POST /applications/{application}/comments", "POST /applications/{application}/withdraw",
        "POST /applications/{application}/commitments/{action}/remove",
        "GET /queue", "POST /queue/{item}/claim", "GET /review/{item}", "POST /review/{item}/decision", "POST /review/{item}/release",
        "POST /review/{item}/comments", "GET /admin/conflicts", "GET /participants/{participant}",
        "GET /participants/{participant}/results/{result}/dispute", "POST /participants/{participant}/results/{result}/dispute",
        "GET /certifications/{certification}/enforcement", "POST /certifications/{certification}/appeal",
        "POST /certifications/{certification}/revocation", "POST /certifications/{certification}/override",
        "POST /certifications/{certification}/withdrawal", "POST /certifications/{certification}/renewal",
        "GET /admin/users", "POST /admin/users", "POST /admin/users/{user}", "GET /admin/catalogs", "POST /admin/catalogs/{program}/versions",
        "GET /admin/catalogs/{program}/versions/{version}", "POST /admin/catalogs/{program}/versions/{version}",
        "GET /admin/catalogs/{program}/versions/{version}/publish", "POST /admin/catalogs/{program}/versions/{version}/publish",
        "GET /admin/resources", "POST /admin/resources/{participant}/{resource}/verify", "POST /admin/resources/{participant}/{resource}/unverify",
        "POST /participants/{participant}/details", "POST /participants/{participant}/resources",
        "POST /participants/{participant}/resources/{resource}/remove", "POST /participants/{participant}/contacts",
        "POST /participants/{participant}/contacts/{contact}", "POST /participants/{participant}/contacts/{contact}/remove",
        "POST /participants/{participant}/members", "POST /participants/{participant}/members/{user}/remove",
        "GET /participants/{participant}/results",
        "GET /admin/sources",
        "GET /signup", "POST /signup", "GET /verify-email", "POST /verify-email", "GET /password/forgot", "POST /password/forgot",
        "GET /password/reset", "POST /password/reset", "GET /watchlists", "POST /watchlists", "POST /watchlists/{watchlist}/entries",
        "POST /watchlists/{watchlist}/entries/remove", "POST /watchlists/{watchlist}/delete", "GET /watchlists/{watchlist}/csv",
        "POST /account/webhooks", "POST /account/webhooks/{hook}/delete",
    ]

    static func servedRoutes() async throws -> Set<String> {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let (_, routes) = buildRouter(try await TestApp.dependencies(db.pool))
            return Set(
                routes.map { route in
                    let path = route.path.split(separator: "/", omittingEmptySubsequences: false)
                        .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                    return "\(route.method) \(path.isEmpty ? "/" : path)"
                })
        }
    }

    @Test("the OpenAPI document names exactly the routes the router serves")
    func documentIsComplete() async throws {
        let served = try await Self.servedRoutes()
        let documented = OpenAPIContract.shared.operations
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
        // The authorisation table covers every route too.
        #expect(
            served.subtracting(Self.table.keys).subtracting(Self.pages).subtracting(Self.publicAccountRoutes).subtracting(Self.publicReads).sorted()
                == [],
            "missing from the authorisation table")
        #expect(Set(Self.table.keys).subtracting(served).sorted() == [], "in the table but not served")
    }

    @Test("every link of the document opens a documented API operation and gives each of its path parameters")
    func linksResolve() {
        let contract = OpenAPIContract.shared
        var count = 0
        for (path, item) in contract.paths {
            for (method, operation) in item.objectValue ?? [:] {
                for (status, response) in operation["responses"]?.objectValue ?? [:] {
                    for (name, link) in response["links"]?.objectValue ?? [:] {
                        count += 1
                        let source = "\(method.uppercased()) \(path) \(status) → \(name)"
                        let reference = link["operationRef"]?.stringValue ?? ""
                        let parts = reference.split(separator: "/").map {
                            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                        }
                        guard parts.count == 4, parts[1] == "paths", let target = contract.paths[parts[2]]?[parts[3]] else {
                            Issue.record("\(source): \(reference) is not an operation of the document")
                            continue
                        }
                        let takes = Set(
                            (target["parameters"]?.arrayValue ?? []).compactMap { parameter in
                                (parameter["$ref"]?.stringValue.map(contract.resolve) ?? parameter)["name"]?.stringValue
                            })
                        let given = Set((link["parameters"]?.objectValue ?? [:]).keys.map { String($0.split(separator: ".").last ?? "") })
                        let needed = Set(parts[2].split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
                        #expect(given.isSubset(of: takes), "\(source) gives parameters \(reference) does not take")
                        #expect(needed.isSubset(of: given) || link["requestBody"] != nil, "\(source) leaves out a path parameter")
                        #expect(parts[2].hasPrefix("/api/"), "\(source): pages need a browser session, which a link does not carry")
                    }
                }
            }
        }
        #expect(count > 50)
    }

    @Test("the document's country codes are those the server accepts")
    func countries() {
        let documented = OpenAPIContract.shared.resolve("#/components/schemas/Country")["enum"]?.arrayValue?.compactMap(\.stringValue)
        #expect(Set(documented ?? []) == Country.codes)
    }

    @Test("GET /api/v1/openapi.json serves the document")
    func servesDocument() async throws {
        try await APIFixture.run { fixture, api in
            let response = try await api.call(.get, "/api/v1/openapi.json")
            #expect(response.status == 200)
            #expect(response.json["openapi"] as? String == "3.1.0")
        }
    }

    /// A request for each route that an allowed caller could make succeed.
    static func request(for route: String, fixture: APIFixture, serial: Int) -> (HTTPRequest.Method, String, String?, [String: String]) {
        let own = fixture.own.id.uuidString.lowercased()
        let missing = UUID().uuidString.lowercased()
        let parts = route.split(separator: " ", maxSplits: 1)
        let method = HTTPRequest.Method(String(parts[0]))!
        var path = String(parts[1])
        path = path.replacingOccurrences(of: "{participant}", with: own).replacingOccurrences(of: "{program}", with: "netops")
            .replacingOccurrences(of: "{version}", with: "1").replacingOccurrences(
                of: "{user}", with: fixture.applicant.user.id.uuidString.lowercased())
        for name in ["{resource}", "{contact}", "{token}", "{endpoint}", "{result}", "{watchlist}", "{hook}"] {
            path = path.replacingOccurrences(of: name, with: missing)
        }
        path = path.replacingOccurrences(of: "{entry}", with: "AS64500")
        // Workflow routes on the own participant's real objects; the draft for changes, the
        // approved application for reads.
        let draftRoutes = ["commitments", "submit", "withdraw"]
        let application = draftRoutes.contains { route.contains($0) } ? fixture.draft : fixture.approved
        path = path.replacingOccurrences(of: "{application}", with: application.uuidString.lowercased())
            .replacingOccurrences(of: "{action}", with: "ixp.2").replacingOccurrences(
                of: "{evidence}", with: fixture.evidence.uuidString.lowercased()
            )
            .replacingOccurrences(of: "{item}", with: fixture.closedItem.uuidString.lowercased())
            .replacingOccurrences(of: "{certification}", with: fixture.certification.uuidString.lowercased())
            .replacingOccurrences(of: "{affiliation}", with: fixture.affiliation.uuidString.lowercased())
        var headers: [String: String] = [:]
        if ["PUT", "PATCH"].contains(method.rawValue) || path.hasSuffix("/publish") || path.hasSuffix("/submit") || path.hasSuffix("/withdraw") {
            headers["If-Match"] = "\"1\""
        }
        let body: String? =
            switch route {
            case "POST /api/v1/programs/{program}/versions", "PUT /api/v1/programs/{program}/versions/{version}": #"{}"#
            case "POST /api/v1/participants": #"{"legal_name":"New \#(serial)","country":"DE","programs":["ixp"]}"#
            case "PATCH /api/v1/participants/{participant}": #"{"display_name":"RIPE NCC"}"#
            case "POST /api/v1/participants/{participant}/resources": #"{"kind":"asn","value":"AS\#(200_000 + serial)"}"#
            case "POST /api/v1/participants/{participant}/contacts", "PUT /api/v1/participants/{participant}/contacts/{contact}":
                #"{"role":"noc","email":"noc\#(serial)@example.org"}"#
            // An email without an account: a 202 that changes nothing, so no change to who may do what next.
            case "POST /api/v1/participants/{participant}/members": #"{"email":"nobody@example.org"}"#
            case "POST /api/v1/participants/{participant}/webhooks": #"{"url":"https://example.org/hooks/\#(serial)"}"#
            case "POST /api/v1/participants/{participant}/resources/{resource}/verify",
                "POST /api/v1/participants/{participant}/resources/{resource}/unverify":
                #"{"reason":"RIR registration"}"#
            case "POST /api/v1/resources/rpki-verification": #"{}"#
            case "POST /api/v1/users/me/tokens": #"{"name":"t\#(serial)"}"#
            case "POST /api/v1/users": #"{"email":"u\#(serial)@example.org","display_name":"U","role":"auditor"}"#
            case "PATCH /api/v1/users/{user}": #"{"display_name":"Robin"}"#
            case "POST /api/v1/applications": #"{"participant_id":"\#(own)","program":"netops","tier":"plus"}"#
            case "PUT /api/v1/applications/{application}/commitments/{action}": #"{"statement":"Members get help with ROAs."}"#
            case "POST /api/v1/applications/{application}/commitments/{action}/evidence":
                #"{"kind":"url","url":"https://example.org/manrs","effective_from":"2026-01-01"}"#
            case "POST /api/v1/applications/{application}/comments": #"{"body":"A question \#(serial)."}"#
            case "POST /api/v1/review-queue/{item}/assign": #"{"auditor_id":"\#(fixture.auditor.user.id.uuidString.lowercased())"}"#
            case "POST /api/v1/review-queue/{item}/decision": #"{"decision":"approve"}"#
            case "POST /api/v1/users/me/affiliations":
                #"{"participant_id":"\#(own)","relation":"Former employee","valid_from":"2020-01-01","valid_until":"2021-01-01"}"#
            // A wrong current password: a 422 past authorisation that changes nothing.
            case "PUT /api/v1/users/me/password": #"{"current_password":"not it","new_password":"a brand new long password"}"#
            case "POST /api/v1/watchlists": #"{"name":"Suppliers \#(serial)","entries":["AS64500"]}"#
            case "PATCH /api/v1/watchlists/{watchlist}": #"{"name":"Renamed"}"#
            case "POST /api/v1/watchlists/{watchlist}/entries": #"{"entries":["AS64501"]}"#
            case "POST /api/v1/users/me/webhooks": #"{"url":"https://example.org/watch/\#(serial)"}"#
            default: nil
            }
        if route == "GET /api/v1/resources" || route == "GET /api/v1/verify" { path += "?asn=3333" }
        path = path.replacingOccurrences(of: "{mark}", with: "MP-ZESE-C4JA-P").replacingOccurrences(of: "{purpose}", with: "suspension")
        return (method, path, body, headers)
    }

    @Test("each cell of the route × role table: allowed roles get past authorisation, the others get 401 or 403")
    func everyCell() async throws {
        try await APIFixture.run { fixture, api in
            var serial = 0
            for (route, allowed) in Self.table.sorted(by: { $0.key < $1.key }) {
                // Denied roles first, so the allowed calls that change state come after.
                for role in Role.allCases.sorted(by: { allowed.contains($0) ? false : allowed.contains($1) }) {
                    serial += 1
                    let (method, path, body, headers) = Self.request(for: route, fixture: fixture, serial: serial)
                    let before = allowed.contains(role) ? nil : try await fixture.rowCounts()
                    let response = try await api.call(method, path, token: fixture.token(role), json: body, headers: headers)
                    if allowed.contains(role) {
                        #expect(![401, 403].contains(response.status), "\(route) as \(role): \(response.status) \(response.text)")
                        #expect(response.status < 500, "\(route) as \(role): \(response.status)")
                    } else {
                        #expect(response.status == (role == .anonymous ? 401 : 403), "\(route) as \(role): \(response.status) \(response.text)")
                        #expect(try await fixture.rowCounts() == before, "\(route) as \(role) wrote something")
                    }
                }
            }
        }
    }

    @Test("a read-only token reads but cannot change anything")
    func readOnlyToken() async throws {
        try await APIFixture.run { fixture, api in
            let created = try await api.call(
                .post, "/api/v1/users/me/tokens", token: fixture.admin.token, json: #"{"name":"viewer","scopes":["read"]}"#)
            #expect(created.status == 201)
            let secret = try #require((created.json["secret"] as? String))
            #expect(try await api.call(.get, "/api/v1/participants", token: secret).status == 200)
            let refused = try await api.call(
                .post, "/api/v1/participants", token: secret, json: #"{"legal_name":"X","country":"NL","programs":["netops"]}"#)
            #expect(refused.status == 403)
            #expect((refused.json["detail"] as? String)?.contains("read-only") == true)
            // Verification changes who holds what: a write, refused to a read-only admin token.
            let own = "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())/resources"
            let resource = try #require(((try await api.call(.get, own, token: secret).json["items"] as? [[String: Any]])?.first?["id"]) as? String)
            for path in ["\(own)/\(resource)/unverify", "\(own)/\(resource)/verify", "/api/v1/resources/rpki-verification"] {
                let response = try await api.call(.post, path, token: secret, json: #"{"reason":"RIR registration"}"#)
                #expect(response.status == 403 && (response.json["detail"] as? String)?.contains("read-only") == true, "\(path)")
            }
        }
    }

    @Test("a bad or revoked token is a 401 with WWW-Authenticate, never anonymous access")
    func badTokens() async throws {
        try await APIFixture.run { fixture, api in
            for header in ["Bearer mp_nope", "Basic YWRtaW46YWRtaW4=", "Bearer"] {
                let response = try await api.call(.get, "/api/v1/programs", headers: ["Authorization": header])
                #expect(response.status == 401, "\(header)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            let tokens = try await api.call(.get, "/api/v1/users/me/tokens", token: fixture.auditor.token)
            let id = try #require(((tokens.json["items"] as? [[String: Any]])?.first?["id"]) as? String)
            #expect(try await api.call(.delete, "/api/v1/users/me/tokens/\(id)", token: fixture.auditor.token).status == 204)
            #expect(try await api.call(.get, "/api/v1/users/me", token: fixture.auditor.token).status == 401)
        }
    }
}
