import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Postgres
import Server
import Store
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The findings of the attack on the running server (issue 10), one test each: every one
/// failed on the code before its fix.
@Suite("Security regressions")
struct SecurityRegressionTests {
    typealias Role = APIFixture.Role

    @Test("a list cursor whose time is 2^63 microseconds is a 422 on every listing, and the server answers on")
    func cursorOutOfRange() async throws {
        try await APIFixture.run { fixture, api in
            // "9223372036854775807/00000000-0000-0000-0000-000000000000", as the attacker sent it.
            let huge = "OTIyMzM3MjAzNjg1NDc3NTgwNy8wMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"
            let negative = Data("-9223372036854775808/00000000-0000-0000-0000-000000000000".utf8).base64EncodedString()
            for listing in ["/api/v1/participants", "/api/v1/applications", "/api/v1/users"] {
                for cursor in [huge, negative, "AAAA"] {
                    let response = try await api.call(.get, "\(listing)?cursor=\(cursor)", token: fixture.admin.token)
                    #expect(response.status == 422 && response.fieldCodes["cursor"] == "invalid_cursor", "\(listing) \(cursor)")
                }
                // Escapes that are not UTF-8 are refused for the whole query, before any listing reads it.
                let undecodable = try await api.call(.get, "\(listing)?cursor=%FF%FE", token: fixture.admin.token)
                #expect(undecodable.status == 400 && undecodable.problemType == "/problems/malformed-query", "\(listing)")
            }
            #expect(try await api.call(.get, "/api/v1/participants", token: fixture.admin.token).status == 200)
        }
    }

    @Test("a time past what PostgreSQL stores is bound as infinity, never a trap")
    func datesOutOfRange() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            for (date, expected) in [
                (Date(timeIntervalSince1970: 1e300), "infinity"), (Date(timeIntervalSince1970: -1e300), "-infinity"),
                (Date(timeIntervalSince1970: 9.3e12), "infinity"),
            ] {
                let text = try await db.pool.query("SELECT \(date)::timestamptz::text")[0].decode(0, as: String.self)
                #expect(text == expected)
            }
        }
    }

    @Test("a browser session cannot skip the CSRF check with another spelling of the path or a form's content type")
    func csrfPaths() async throws {
        try await APIFixture.run { fixture, api in
            let cookie = try await PagesTests.cookie(fixture, .applicant)
            let before = try await fixture.rowCounts()
            for path in [
                "//api/v1/users/me/tokens", "/./api/v1/users/me/tokens", "/api/v1/../api/v1/users/me/tokens", "/api/v1/users/me%2ftokens",
                "/%2e/api/v1/users/me/tokens", "/api//v1/users/me/tokens",
            ] {
                // Paths the document does not name: what matters is that nothing gets through.
                let response = try await api.call(.post, path, body: Data(#"{"name":"sneaky"}"#.utf8), headers: cookie, checkContract: false)
                #expect(response.status == 400 || response.status == 404, "\(path): \(response.status)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(path)")
            }
            // The canonical path without the header is refused too, whatever the content type.
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
                let response = try await api.call(
                    .post, "/api/v1/users/me/tokens", body: Data(#"{"name":"sneaky"}"#.utf8),
                    headers: cookie.merging(["Content-Type": contentType]) { $1 })
                #expect(response.status == 403)
            }
            #expect(try await fixture.rowCounts() == before)
            // A token client must say its body is JSON.
            let untyped = try await api.call(
                .post, "/api/v1/users/me/tokens", body: Data(#"{"name":"t"}"#.utf8),
                headers: ["Authorization": "Bearer \(fixture.applicant.token)", "Content-Type": "text/plain"])
            #expect(untyped.status == 415)
        }
    }

    @Test("a read-only token is refused on every write route, for every role allowed to write there, and writes nothing")
    func readOnlyTokensWriteNothing() async throws {
        try await APIFixture.run { fixture, api in
            let users = UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4))
            var readOnly: [Role: String] = [:]
            for role in Role.allCases where role != .anonymous {
                let account: APIFixture.Account =
                    switch role {
                    case .admin: fixture.admin
                    case .auditor: fixture.auditor
                    case .applicant: fixture.applicant
                    case .otherApplicant: fixture.otherApplicant
                    default: fixture.enterprise
                    }
                readOnly[role] = try await users.createToken(
                    for: account.user.id, name: "viewer", scopes: [.read], expiresAt: nil, context: .system(at: Date())
                ).secret
            }
            var checked = 0
            for (route, allowed) in AuthorizationTests.table.sorted(by: { $0.key < $1.key }) where !route.hasPrefix("GET ") {
                for role in allowed.sorted(by: { $0.rawValue < $1.rawValue }) {
                    checked += 1
                    let (method, path, body, headers) = AuthorizationTests.request(for: route, fixture: fixture, serial: checked)
                    let before = try await fixture.rowCounts()
                    let response = try await api.call(method, path, token: readOnly[role], json: body, headers: headers)
                    #expect(response.status == 403, "\(route) as \(role) with a read-only token: \(response.status) \(response.text)")
                    #expect((response.json["detail"] as? String)?.contains("read-only") == true, "\(route) as \(role)")
                    #expect(try await fixture.rowCounts() == before, "\(route) as \(role) wrote something")
                }
            }
            #expect(checked > 40)
        }
    }

    @Test("an auditor's declared affiliation stays out of the participant's own timeline; the secretariat sees it")
    func affiliationsStayPrivate() async throws {
        try await APIFixture.run { fixture, api in
            let path = "/api/v1/participants/\(fixture.other.id.uuidString.lowercased())/timeline"
            func entities(_ token: String) async throws -> [String] {
                let response = try await api.call(.get, path, token: token)
                #expect(response.status == 200)
                return ((response.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["entity_type"] as? String }
            }
            #expect(try await entities(fixture.admin.token).contains("affiliation"))
            let seenByMembers = try await entities(fixture.otherApplicant.token)
            #expect(!seenByMembers.isEmpty && !seenByMembers.contains("affiliation"))
            let response = try await api.call(.get, path, token: fixture.otherApplicant.token)
            #expect(!response.text.contains("Consultant"))
        }
    }

    @Test("NUL in a query, a JSON string or a form field is a 4xx problem, never a 500")
    func nulBytes() async throws {
        try await APIFixture.run { fixture, api in
            let cookie = try await PagesTests.cookie(fixture, .applicant)
            let before = try await fixture.rowCounts()
            for path in [
                "/api/v1/applications?program=%00", "/api/v1/participants?country=N%00L", "/api/v1/resources?asn=%00", "/api/v1/programs?x%00=1",
            ] {
                let response = try await api.call(.get, path, token: fixture.admin.token, checkContract: false)
                #expect([400, 422].contains(response.status), "\(path): \(response.status)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            let json = try await api.call(
                .post, "/api/v1/participants", token: fixture.applicant.token,
                json: #"{"legal_name":"Evil\u0000Corp","country":"NL","programs":["netops"]}"#)
            #expect(json.status == 422 && json.fieldCodes == ["legal_name": "invalid_characters"])
            let draft = "/applications/\(fixture.draft.uuidString.lowercased())"
            let csrf = try #require(PagesTests.csrf(in: try await api.call(.get, draft, headers: cookie).text))
            let form = try await api.call(
                .post, "\(draft)/comments", body: Data("csrf=\(csrf)&body=a%00b".utf8),
                headers: cookie.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 })
            #expect(form.status == 400)
            #expect(try await fixture.rowCounts() == before)
            // An escaped backslash before "u0000" is just text.
            let escaped = try await api.call(
                .post, "/api/v1/participants", token: fixture.applicant.token,
                json: #"{"legal_name":"Back\\u0000slash","country":"NL","programs":["netops"]}"#)
            #expect(escaped.status == 201 && escaped.json["legal_name"] as? String == #"Back\u0000slash"#)
        }
    }

    @Test("a draft catalog is the secretariat's: not listed and not found for anyone else, anonymous included")
    func draftsArePrivate() async throws {
        try await APIFixture.run { fixture, api in
            let draft = try await api.call(.post, "/api/v1/programs/netops/versions", token: fixture.admin.token, json: "{}")
            #expect(draft.status == 201)
            let number = try #require(draft.json["version"] as? Int)
            for token in [nil, fixture.applicant.token, fixture.auditor.token, fixture.enterprise.token] {
                #expect(try await api.call(.get, "/api/v1/programs/netops/versions/\(number)", token: token).status == 404)
                let listed = try await api.call(.get, "/api/v1/programs/netops/versions", token: token)
                #expect(!listed.text.contains("\"draft\""))
            }
            #expect(try await api.call(.get, "/api/v1/programs/netops/versions/\(number)", token: fixture.admin.token).status == 200)
            #expect(try await api.call(.get, "/api/v1/programs/netops/versions", token: fixture.admin.token).text.contains("\"draft\""))
        }
    }

    @Test("evidence stops at the participant's storage quota: 409, nothing stored")
    func storageQuota() async throws {
        var settings = try Settings.load(environment: ["EVIDENCE_QUOTA_BYTES": "4096"])
        settings.secureCookies = false
        try await APIFixture.run(settings: settings) { fixture, api in
            let path = "/api/v1/applications/\(fixture.draft.uuidString.lowercased())/commitments/ixp.1/evidence"
            let file = APIFixture.pdf + Data(repeating: UInt8(ascii: " "), count: 3000)
            func upload() async throws -> APIResponse {
                let (body, contentType) = WorkflowAPITests.multipart(
                    file: file, name: "routers.pdf", type: "application/pdf", fields: ["effective_from": "2026-01-01"])
                return try await api.call(.post, path, token: fixture.applicant.token, body: body, headers: ["Content-Type": contentType])
            }
            #expect(try await upload().status == 201)
            let before = try await fixture.rowCounts()
            let refused = try await upload()
            #expect(refused.status == 409 && refused.problemType == "/problems/storage-quota")
            #expect((refused.json["detail"] as? String)?.contains("4096") == true)
            #expect(try await fixture.rowCounts() == before)
        }
    }

    @Test("the upload page decides who may upload before it reads the file, and takes no file before the form's CSRF field")
    func uploadAuthorisedFirst() async throws {
        try await APIFixture.run { fixture, api in
            let page = "/applications/\(fixture.draft.uuidString.lowercased())"
            let before = try await fixture.rowCounts()
            // Someone else's application: refused whatever the body holds, even one that is no multipart at all past its header.
            let stranger = try await PagesTests.cookie(fixture, .otherApplicant)
            let boundary = "----manrs-test"
            let refused = try await api.call(
                .post, "\(page)/evidence", body: Data("--\(boundary)\r\nnot really a form".utf8),
                headers: stranger.merging(["Content-Type": "multipart/form-data; boundary=\(boundary)"]) { $1 })
            #expect(refused.status == 403)
            // The owner, with the file part before the CSRF field.
            let owner = try await PagesTests.cookie(fixture, .applicant)
            let csrf = try #require(PagesTests.csrf(in: try await api.call(.get, page, headers: owner).text))
            var body = Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
            body += APIFixture.pdf + Data("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n".utf8)
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nixp.1\r\n--\(boundary)--\r\n".utf8)
            let late = try await api.call(
                .post, "\(page)/evidence", body: body, headers: owner.merging(["Content-Type": "multipart/form-data; boundary=\(boundary)"]) { $1 })
            #expect(late.status == 403)
            var after = try await fixture.rowCounts()
            after["audit_events"]! -= 2  // the two sign-ins of the cookies above, and their sessions
            after["sessions"]! -= 2
            #expect(after == before)
        }
    }

    @Test("an idle connection is closed after IDLE_TIMEOUT_SECONDS")
    func idleConnectionsClose() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            var settings = try Settings.load(environment: ["IDLE_TIMEOUT_SECONDS": "1"])
            settings.port = 0
            let (router, _) = buildRouter(try await TestApp.dependencies(db.pool, settings: settings))
            let app = Application(router: router, server: httpServer(settings), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let closedAfter = try await Task.detached { try RawHTTP.secondsUntilClosed(port: port, limit: 20) }.value
                #expect(closedAfter >= 0.5 && closedAfter < 10, "closed after \(closedAfter) s")
            }
        }
    }

    @Test("measurements: at most MEASUREMENTS_PER_USER run at once for one user; the next is a 429 at once")
    func measurementLimit() async throws {
        let settings = try Settings.load(environment: ["MEASUREMENTS_PER_USER": "2"])
        try await APIFixture.run(settings: settings) { fixture, api in
            let path = "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())/measurements"
            try await fixture.db.pool.withConnection { holder in
                // Every measurement reads the snapshots: with the table locked, they wait.
                try await holder.execute("BEGIN")
                try await holder.execute("LOCK TABLE measurement_snapshots IN ACCESS EXCLUSIVE MODE")
                let waiting = Task {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<2 { group.addTask { try await api.call(.get, path, token: fixture.applicant.token).status } }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                }
                var blocked = 0
                for _ in 0..<1200 where blocked < 2 {
                    blocked = try await fixture.db.pool.query(
                        "SELECT count(*) FROM pg_locks WHERE relation = 'measurement_snapshots'::regclass AND NOT granted")[0].decode(0, as: Int.self)
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(blocked == 2)
                let third = try await api.call(.get, path, token: fixture.applicant.token)
                #expect(third.status == 429 && third.headers[.retryAfter] != nil)
                #expect((third.json["detail"] as? String)?.contains("At most 2 measurements") == true)
                try await holder.execute("ROLLBACK")
                // No routes snapshot in the fixture: both waiting requests end in a 404.
                #expect(try await waiting.value == [404, 404])
            }
            #expect(try await api.call(.get, path, token: fixture.applicant.token).status == 404)
        }
    }

    @Test("a multipart part whose headers are not ASCII is a 400, not the end of the process (found by the fuzzer)")
    func nonASCIIPartHeaders() async throws {
        try await APIFixture.run { fixture, api in
            let path = "/api/v1/applications/\(fixture.draft.uuidString.lowercased())/commitments/ixp.1/evidence"
            var body = Data("--XX\r\n".utf8)
            body += Data([0xC2, 0x8F, 0xC3, 0x8C, 0xF0, 0xB2, 0xB8, 0xA6, 0xC2, 0xBE]) + Data("--XX--\r\n".utf8)
            let response = try await api.call(
                .post, path, token: fixture.applicant.token, body: body, headers: ["Content-Type": "multipart/form-data; boundary=XX"])
            #expect(response.status == 400 && response.problemType == "/problems/malformed-body")
            // A file whose bytes are not ASCII, after proper headers, is still read.
            let (good, contentType) = WorkflowAPITests.multipart(
                file: APIFixture.pdf + Data([0xC2, 0x8F, 0xFF, 0x00]), name: "a.pdf", type: "application/pdf",
                fields: ["effective_from": "2026-01-01"])
            #expect(try await api.call(.post, path, token: fixture.applicant.token, body: good, headers: ["Content-Type": contentType]).status == 201)
        }
    }
}
