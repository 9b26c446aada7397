import Foundation
import HTTPTypes
import Hummingbird
import Server
import Store
import TestSupport
import Testing

/// Hundreds of hostile requests across every route and role, against the server on a real port
/// (NIO's HTTP parsing included): each must be refused with a 4xx, as problem+json on /api/,
/// leave the server answering and the database as it was, sign-in refusals apart.
@Suite("Hostile corpus")
struct HostileCorpusTests {
    typealias Role = APIFixture.Role

    /// MAX_BODY_BYTES for the run: small, so bodies over it stay cheap to send.
    static let maxBody = 65536

    enum Category: String, CaseIterable, Comparable {
        case json = "malformed, truncated, nested, huge and duplicate-key JSON"
        case encoding = "invalid UTF-8, NUL, overlong encodings and odd Unicode"
        case contentTypesAndPaths = "wrong and missing content types, path tricks"
        case listings = "cursors, limits and ids out of range"
        case resources = "malformed ASNs and prefixes"
        case sizes = "oversized bodies and uploads, broken multipart"
        case headers = "giant, repeated and injected headers"
        case roles = "roles: tokens, read-only tokens, cookies without CSRF"

        static func < (a: Category, b: Category) -> Bool { a.rawValue < b.rawValue }
    }

    /// One request an HTTP client can send.
    struct Hostile: Sendable {
        let category: Category
        let method: HTTPRequest.Method
        let path: String
        var headers: [String: String] = [:]
        var body: Data? = nil
    }

    /// Bytes only a socket sends. `http` is false for what is not an HTTP request at all: the
    /// server may hang up on those without an answer; anything with a request line gets a 4xx.
    struct Raw: Sendable {
        let category: Category
        let label: String
        let bytes: Data
        var http = true
        /// Where the request line points, for the checks that depend on it.
        var path = ""
    }

    @Test("at least 300 hostile requests over every route and role: each a 4xx problem, the server up, nothing written")
    func corpus() async throws {
        var settings = try Settings.load(environment: ["EVIDENCE_MAX_BYTES": "4096", "MAX_BODY_BYTES": String(Self.maxBody)])
        settings.secureCookies = false
        try await APIFixture.run(settings: settings, live: true) { fixture, api in
            let started = Date()
            let port = try #require(api.port)
            let readOnly = try await UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4)).createToken(
                for: fixture.admin.user.id, name: "viewer", scopes: [.read], expiresAt: nil, context: .system(at: Date())
            ).secret
            let cookie = try #require(try await PagesTests.cookie(fixture, .applicant)["Cookie"])
            let draftPage = "/applications/\(fixture.draft.uuidString.lowercased())"
            let pageCSRF = try #require(PagesTests.csrf(in: try await api.call(.get, draftPage, headers: ["Cookie": cookie]).text))
            let (hostile, raw) = Self.corpus(fixture, readOnly: readOnly, cookie: cookie, pageCSRF: pageCSRF, maxBody: Self.maxBody)

            let before = try await fixture.rowCounts()
            let head = try await api.call(.get, "/api/v1/audit/head", token: fixture.admin.token)
            let headSeq = try #require(head.json["seq"] as? Int)

            for request in hostile {
                let label =
                    "\(request.method) \(request.path.prefix(120)) \(request.headers.filter { $0.key != "Authorization" && $0.key != "Cookie" }) \(String(decoding: (request.body ?? Data()).prefix(100), as: UTF8.self))"
                let documented = OpenAPIContract.shared.template(for: request.path).flatMap {
                    OpenAPIContract.shared.paths[$0]?[request.method.rawValue.lowercased()]
                }
                let response = try await api.call(
                    request.method, request.path, body: request.body, headers: request.headers, checkContract: documented != nil)
                Self.check(
                    status: response.status, contentType: response.headers[.contentType], body: response.body,
                    headerLines: response.headers.map { "\($0.name): \($0.value)" }, page: Self.isPage(request.path), label: label)
            }
            for request in raw {
                let response = try await Task.detached { try RawHTTP.send(port: port, bytes: request.bytes) }.value
                guard let status = response.status else {
                    #expect(!request.http, "\(request.label): the connection closed without an answer")
                    continue
                }
                Self.check(
                    status: status, contentType: RawHTTP.header("Content-Type", in: response.headers), body: response.body,
                    headerLines: response.headers.split(separator: "\r\n").dropFirst().map(String.init),
                    // NIO refuses what it cannot parse with a bare 400 before any route is known (below).
                    page: Self.isPage(request.path) || (status == 400 && response.body.isEmpty && Self.unparsable(response.headers)),
                    label: request.label)
            }

            // Still up: normal requests work.
            #expect(try await api.call(.get, "/api/v1/programs").status == 200)
            #expect(try await api.call(.get, "/api/v1/users/me", token: fixture.applicant.token).status == 200)
            // Nothing written but the sign-in refusals.
            var after = try await fixture.rowCounts()
            var expected = before
            for table in ["login_attempts", "audit_events"] {
                #expect(after[table]! >= before[table]!)
                after[table] = nil
                expected[table] = nil
            }
            #expect(after == expected)
            let actions = try await fixture.db.pool.query("SELECT action FROM audit_events WHERE seq IS NULL OR seq > \(headSeq)")
                .map { try $0.decode(0, as: String.self) }
            #expect(Set(actions).subtracting(["user.sign_in_failed", "user.sign_in_throttled"]).isEmpty, "\(actions)")

            let total = hostile.count + raw.count
            let byCategory = Dictionary(grouping: hostile.map(\.category) + raw.map(\.category)) { $0 }.mapValues(\.count)
            #expect(Set(byCategory.keys) == Set(Category.allCases))
            print("Hostile corpus: \(total) requests in \(Int(Date().timeIntervalSince(started))) s")
            for category in Category.allCases { print("  \(byCategory[category] ?? 0)\t\(category.rawValue)") }
            #expect(total >= 300)
        }
    }

    /// A 4xx; on /api/ (and on anything that is no page) a problem document whose status is the
    /// response's; nothing a request tried to inject among the response headers.
    static func check(status: Int, contentType: String?, body: Data, headerLines: [String], page: Bool, label: String) {
        #expect((400..<500).contains(status), "\(label): \(status) \(String(decoding: body.prefix(300), as: UTF8.self))")
        if !page {
            #expect(contentType == "application/problem+json", "\(label): \(status) \(contentType ?? "no content type")")
            let problem = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            #expect(problem?["status"] as? Int == status, "\(label): not a problem document")
        }
        for line in headerLines {
            let lowered = line.lowercased()
            #expect(!lowered.contains("injected") && !lowered.contains("evil"), "\(label): injected header \(line)")
        }
    }

    /// The HTML pages answer their own documented 4xx pages, not problem documents.
    static func isPage(_ path: String) -> Bool {
        ["/login", "/logout", "/account/", "/applications", "/queue", "/review/", "/admin/"].contains { path.hasPrefix($0) }
    }

    /// Hummingbird answers an HTTP parse error (NIO's `HTTPParserError`: a header over 80 KiB, a
    /// CR inside a value, two lengths) with `400`, `Connection: close` and no body, before any
    /// route or middleware runs, so no problem document can be written there.
    static func unparsable(_ head: String) -> Bool {
        RawHTTP.header("Connection", in: head) == "close" && RawHTTP.header("Content-Type", in: head) == nil
    }
}

// MARK: The corpus

extension HostileCorpusTests {
    static func corpus(_ fixture: APIFixture, readOnly: String, cookie: String, pageCSRF: String, maxBody: Int) -> ([Hostile], [Raw]) {
        let own = fixture.own.id.uuidString.lowercased()
        let draft = fixture.draft.uuidString.lowercased()
        let approved = fixture.approved.uuidString.lowercased()
        let page = "/applications/\(draft)"
        func bearer(_ role: Role) -> [String: String] { fixture.token(role).map { ["Authorization": "Bearer \($0)"] } ?? [:] }
        let admin = bearer(.admin)
        let applicant = bearer(.applicant)
        var hostile: [Hostile] = []
        var raw: [Raw] = []

        // Every write route with a JSON body, as a caller allowed there sends it.
        let writes = AuthorizationTests.table.sorted { $0.key < $1.key }.compactMap { route, allowed -> (String, Hostile, String)? in
            guard !route.hasPrefix("GET "), route.contains("/api/") else { return nil }
            let (method, path, body, extra) = AuthorizationTests.request(for: route, fixture: fixture, serial: 1)
            guard let body else { return nil }
            let role = [Role.admin, .applicant, .auditor].first { allowed.contains($0) }!
            return (route, Hostile(category: .json, method: method, path: path, headers: extra.merging(bearer(role)) { $1 }), body)
        }
        func variant(_ base: Hostile, _ category: Category, _ body: String, headers: [String: String] = [:]) -> Hostile {
            Hostile(category: category, method: base.method, path: base.path, headers: base.headers.merging(headers) { $1 }, body: Data(body.utf8))
        }
        let deepArrays = String(repeating: "[", count: 10_000)
        let deepObjects = String(repeating: #"{"a":"#, count: 10_000)
        for (_, base, body) in writes {
            let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
            let firstKey = object.keys.sorted().first { object[$0] is String }
            func with(_ key: String, _ value: Any) -> String {
                var changed = object
                changed[key] = value
                let data = try! JSONSerialization.data(withJSONObject: changed, options: [.sortedKeys, .fragmentsAllowed])
                return String(decoding: data, as: UTF8.self)
            }
            let duplicated =
                object.isEmpty ? #"{"a":1,"a":2}"# : "{" + String(with(firstKey ?? "a", "x").dropFirst().dropLast()) + "," + String(body.dropFirst())
            let fortyDigits = with(firstKey ?? "n", 1_234_567_890).replacingOccurrences(
                of: "1234567890", with: String(repeating: "1234567890", count: 4))
            hostile += [
                variant(base, .json, String(body.dropLast())),
                variant(base, .json, #"{"a" 1}"#),
                variant(base, .json, ""),
                variant(base, .json, deepArrays),
                variant(base, .json, deepObjects),
                variant(base, .json, #"["an array"]"#),
                variant(base, .json, duplicated),
                variant(
                    base, .json,
                    firstKey.map { body.replacingOccurrences(of: #""\#($0)":"#, with: #""\#($0)":1e999999,"x\#($0)":"#) } ?? #"{"n":1e999999}"#),
                variant(base, .json, fortyDigits),
                variant(base, .json, with(firstKey ?? "n", Array(repeating: 1, count: 30_000))),
                variant(base, .encoding, with(firstKey ?? "a", "a\u{0}b")),
                variant(base, .contentTypesAndPaths, body, headers: ["Content-Type": "text/plain"]),
                variant(base, .contentTypesAndPaths, body, headers: ["Content-Type": "application/x-www-form-urlencoded"]),
                variant(base, .sizes, with(firstKey ?? "a", String(repeating: "x", count: maxBody + 1))),
                // A cookie without the CSRF header: refused on every write, whatever it carries.
                Hostile(
                    category: .roles, method: base.method, path: base.path, headers: ["Cookie": cookie, "If-Match": "\"1\""], body: Data(body.utf8)),
                Hostile(
                    category: .roles, method: base.method, path: base.path, headers: ["Authorization": "Bearer \(readOnly)", "If-Match": "\"1\""],
                    body: Data(body.utf8)),
            ]
            if let firstKey {
                hostile.append(variant(base, .json, with(firstKey, String(repeating: "y", count: 60_000))))
                var invalid = Data(with(firstKey, "AB").utf8)
                invalid.replaceSubrange(invalid.range(of: Data("AB".utf8))!, with: [0xC0, 0xAF])
                hostile.append(Hostile(category: .encoding, method: base.method, path: base.path, headers: base.headers, body: invalid))
            }
            // No content type at all: only a socket leaves it out once there is a body.
            let header = base.headers.map { "\($0.key): \($0.value)\r\n" }.sorted().joined()
            raw.append(
                Raw(
                    category: .contentTypesAndPaths, label: "\(base.method) \(base.path) without Content-Type",
                    bytes: Data(
                        "\(base.method) \(base.path) HTTP/1.1\r\nHost: localhost\r\n\(header)Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8),
                    path: base.path))
        }

        // Odd Unicode in names: direction overrides, zero-width spaces, a byte-order mark.
        let participants = "/api/v1/participants"
        for odd in ["Evil\u{202E}gnp.exe", "Zero\u{200B}Width", "\u{FEFF}Bom", "Tab\tName", "Bell\u{7}"] {
            let text = String(decoding: try! JSONEncoder().encode(odd), as: UTF8.self)
            hostile += [
                Hostile(
                    category: .encoding, method: .post, path: participants, headers: applicant,
                    body: Data(#"{"legal_name":\#(text),"country":"NL","programs":["netops"]}"#.utf8)),
                Hostile(
                    category: .encoding, method: .patch, path: "\(participants)/\(own)", headers: applicant.merging(["If-Match": "\"1\""]) { $1 },
                    body: Data(#"{"display_name":\#(text)}"#.utf8)),
                Hostile(
                    category: .encoding, method: .post, path: "/api/v1/users", headers: admin,
                    body: Data(#"{"email":"odd@example.org","display_name":\#(text),"role":"auditor"}"#.utf8)),
                Hostile(
                    category: .encoding, method: .post, path: "/api/v1/users/me/tokens", headers: applicant, body: Data(#"{"name":\#(text)}"#.utf8)),
                Hostile(
                    category: .encoding, method: .post, path: "/api/v1/applications/\(approved)/comments", headers: applicant,
                    body: Data(#"{"body":\#(text)}"#.utf8)),
                Hostile(
                    category: .encoding, method: .post, path: "\(participants)/\(own)/contacts", headers: applicant,
                    body: Data(#"{"role":"noc","name":\#(text),"email":"noc@example.org"}"#.utf8)),
                Hostile(
                    category: .encoding, method: .put, path: "/api/v1/applications/\(draft)/commitments/ixp.2", headers: applicant,
                    body: Data(#"{"statement":\#(text)}"#.utf8)),
            ]
        }
        // Uploaded file names: the same characters, NUL, and bytes that are not UTF-8.
        let evidence = "/api/v1/applications/\(draft)/commitments/ixp.1/evidence"
        for name in ["evil\u{202E}fdp.exe", "zero\u{200B}.pdf", "\u{FEFF}bom.pdf", "nul\u{0}.pdf", "line\r\nbreak.pdf"] {
            let (body, contentType) = WorkflowAPITests.multipart(
                file: APIFixture.pdf, name: name, type: "application/pdf", fields: ["effective_from": "2026-01-01"])
            hostile.append(
                Hostile(
                    category: .encoding, method: .post, path: evidence, headers: applicant.merging(["Content-Type": contentType]) { $1 }, body: body))
        }
        do {
            var (body, contentType) = WorkflowAPITests.multipart(
                file: APIFixture.pdf, name: "overlongAB.pdf", type: "application/pdf", fields: ["effective_from": "2026-01-01"])
            body.replaceSubrange(body.range(of: Data("AB".utf8))!, with: [0xC0, 0xAF])
            hostile.append(
                Hostile(
                    category: .encoding, method: .post, path: evidence, headers: applicant.merging(["Content-Type": contentType]) { $1 }, body: body))
        }
        // NUL and overlong encodings in queries, paths and forms.
        for query in [
            "/api/v1/participants?country=%00", "/api/v1/participants?program=net%00ops", "/api/v1/applications?program=%C0%AF",
            "/api/v1/participants?country=%C0%AF", "/api/v1/participants?country=%FF", "/api/v1/review-queue?program=%00",
            "/api/v1/resources?asn=%C0%AF", "/api/v1/participants/%C0%AF", "/api/v1/applications/%00", "/api/v1/evidence/%C0%AF/content",
            "/api/v1/programs/%C0%AF", "/api/v1/participants?%00=1", "/api/v1/certifications?participant=%00",
        ] {
            hostile.append(Hostile(category: .encoding, method: .get, path: query, headers: admin))
        }
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        let loginCSRF = ["Cookie": "manrs_login_csrf=hostile"]
        for body in [
            "csrf=hostile&email=a%00b%40example.org&password=x", "csrf=hostile&email=%C0%AF&password=x", "csrf=hostile&email=x&password=%00",
            "csrf=hostile&email=\(String(repeating: "a", count: 5000))&password=x", "csrf=hostile&email=applicant%40example.org&password=wrong",
            "csrf=hostile&email=applicant%40example.org&password=%E2%80%AEwrong",
        ] {
            hostile.append(
                Hostile(category: .encoding, method: .post, path: "/login", headers: form.merging(loginCSRF) { $1 }, body: Data(body.utf8)))
        }
        hostile.append(
            Hostile(category: .roles, method: .post, path: "/login", headers: form, body: Data("email=applicant%40example.org&password=x".utf8)))
        var invalidForm = Data("csrf=\(pageCSRF)&body=".utf8)
        invalidForm += [0xC0, 0xAF]
        for body in [Data("csrf=\(pageCSRF)&body=a%00b".utf8), invalidForm, Data("csrf=\(pageCSRF)&body=%E2%80%AE".utf8)] {
            hostile.append(
                Hostile(category: .encoding, method: .post, path: "\(page)/comments", headers: form.merging(["Cookie": cookie]) { $1 }, body: body))
        }

        // Path tricks.
        for path in [
            "//api/v1/users", "/api//v1/users", "/api/v1/./users", "/api/v1/participants/../users", "/api/v1/%2e%2e/v1/users", "/api/v1/%2E/users",
            "/api/v1/users%2fme", "/api/v1/users%2Fme%2Ftokens", "/api/v1/users%5cme", "/api/v1/participants/\(own)/..",
            "/api/v1/participants/\(own)%2f..",
            "/applications/\(draft)/%2e%2e/%2e%2e/api/v1/users", "/./login", "/api/v1/participants/%20",
        ] {
            let callers: [(HTTPRequest.Method, [String: String])] = [(.get, [:]), (.get, admin), (.post, admin), (.get, ["Cookie": cookie])]
            for (method, headers) in callers {
                hostile.append(
                    Hostile(
                        category: .contentTypesAndPaths, method: method, path: path, headers: headers, body: method == .post ? Data("{}".utf8) : nil))
            }
        }
        for path in [#"/api\v1\users"#, #"/api/v1/users\me"#, "/api/v1/users/me/tokens/..\\..\\..\\users"] {
            raw.append(
                Raw(category: .contentTypesAndPaths, label: path, bytes: Data("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8), path: path))
        }

        // Listings: cursors and limits out of range, not numbers, base64 garbage.
        let listings: [(String, [String: String])] = [
            ("/api/v1/participants", admin), ("/api/v1/applications", admin), ("/api/v1/users", admin),
            ("/api/v1/participants/\(own)/timeline", applicant),
            ("/api/v1/snapshots", bearer(.auditor)), ("/api/v1/resources?asn=3333&", admin), ("/api/v1/review-queue", bearer(.auditor)),
            ("/api/v1/certifications", applicant),
        ]
        let cursors = [
            "OTIyMzM3MjAzNjg1NDc3NTgwNy8wMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA", "LTE", "AAAA", "%FF%FE", "!!!!", "-1", "0",
            Data("1/not-a-uuid".utf8).base64EncodedString(), String(repeating: "QUFB", count: 3000),
        ]
        let limits = ["0", "-1", "201", "abc", "99999999999999999999", "1e3", "%201", "0x10", "1.5"]
        for (path, headers) in listings {
            let join = path.hasSuffix("&") ? "" : "?"
            // The timeline's cursor is the audit seq to read after: 0, from the start, is documented.
            for cursor in cursors where !(path.hasSuffix("/timeline") && cursor == "0") {
                hostile.append(Hostile(category: .listings, method: .get, path: "\(path)\(join)cursor=\(cursor)", headers: headers))
            }
            for limit in limits { hostile.append(Hostile(category: .listings, method: .get, path: "\(path)\(join)limit=\(limit)", headers: headers)) }
        }
        // Path ids that are not ids, and catalog versions out of range.
        let badIDs = ["not-a-uuid", "00000000-0000-0000-0000-00000000000g", "-1", "99999999999999999999"]
        for (route, allowed) in AuthorizationTests.table.sorted(by: { $0.key < $1.key }) where route.contains("{") && route.contains("/api/") {
            let role = [Role.admin, .applicant, .auditor].first { allowed.contains($0) }!
            let (method, path, body, extra) = AuthorizationTests.request(for: route, fixture: fixture, serial: 2)
            let template = route.split(separator: " ")[1].split(separator: "/")
            let concrete = path.split(separator: "?")[0].split(separator: "/")
            for (index, part) in template.enumerated() where part.hasPrefix("{") {
                let values = part == "{version}" ? ["99999999999999999999", "-1", "0", "1.5", "abc"] : badIDs
                for value in values {
                    var segments = concrete
                    segments[index] = Substring(value)
                    hostile.append(
                        Hostile(
                            category: .listings, method: method, path: "/" + segments.joined(separator: "/"),
                            headers: extra.merging(bearer(role)) { $1 }, body: body.map { Data($0.utf8) }))
                }
            }
        }
        // (A weak W/"1" is documented as accepted, so it is not in here.)
        for ifMatch in ["\"99999999999999999999\"", "\"-1\"", "\"0\"", "1", "", "\"1"] {
            hostile.append(
                Hostile(
                    category: .listings, method: .patch, path: "\(participants)/\(own)", headers: applicant.merging(["If-Match": ifMatch]) { $1 },
                    body: Data(#"{"display_name":"Changed"}"#.utf8)))
        }

        // ASNs and prefixes in every malformed form: claimed, filtered on, in a new participant.
        let asns = [
            "AS 3333", "AS-3333", "AS3333 AS", "1.5", "AS1.5", "4294967296", "AS4294967296", "99999999999999999999", "-1", "AS-1", "AS", "",
            "0x0D05", "AS+3333", "AS３３３３", "٣٣٣٣", "3333.0", "AS\u{200B}3333",
        ]
        let prefixes = [
            "193.0.0.1/21", "193.000.0.0/21", "193.0.0.0/33", "193.0.0.0/-1", "193.0.0.0/021", "193.0.0/21", "193.0.0.0", "193.0.0.0/",
            "2001:db8::1/32", "2001:db8::/129", "2001:db8:::/32", "::ffff:193.0.0.0/120", "fe80::1%eth0/64", "1.2.3.4.5/32", "0.0.0.0/0",
            "193.0.0.0/21/8", "193.0.0.0 /21",
        ]
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
        func json(_ text: String) -> String { String(decoding: try! JSONEncoder().encode(text), as: UTF8.self) }
        for (kind, values) in [("asn", asns), ("prefix", prefixes)] {
            for value in values {
                for headers in [admin, applicant] {
                    hostile.append(
                        Hostile(
                            category: .resources, method: .post, path: "\(participants)/\(own)/resources", headers: headers,
                            body: Data(#"{"kind":"\#(kind)","value":\#(json(value))}"#.utf8)))
                }
                hostile.append(
                    Hostile(
                        category: .resources, method: .post, path: participants, headers: applicant,
                        body: Data(
                            #"{"legal_name":"Filters","country":"NL","programs":["netops"],"resources":[{"kind":"\#(kind)","value":\#(json(value))}]}"#
                                .utf8)))
                let filters =
                    kind == "asn" ? ["/api/v1/resources?asn=", "\(participants)?asn="] : ["/api/v1/resources?within=", "\(participants)?prefix="]
                // 0.0.0.0/0 is a fine search, only a claim too broad.
                for filter in filters where !value.isEmpty && value != "0.0.0.0/0" {
                    hostile.append(Hostile(category: .resources, method: .get, path: filter + encoded(value), headers: admin))
                }
            }
        }
        hostile.append(
            Hostile(
                category: .resources, method: .post, path: "\(participants)/\(own)/resources", headers: admin,
                body: Data(#"{"kind":"asn","value":1234567890123456789012345678901234567890}"#.utf8)))

        // Uploads over EVIDENCE_MAX_BYTES, and multipart that is not.
        let big = APIFixture.pdf + Data(repeating: UInt8(ascii: " "), count: 8192)
        let (oversized, oversizedType) = WorkflowAPITests.multipart(
            file: big, name: "big.pdf", type: "application/pdf", fields: ["effective_from": "2026-01-01"])
        hostile.append(
            Hostile(
                category: .sizes, method: .post, path: evidence, headers: applicant.merging(["Content-Type": oversizedType]) { $1 }, body: oversized))
        let boundary = "----hostile"
        let filePart =
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n"
        for (contentType, body) in [
            ("multipart/form-data", filePart + "--\(boundary)--\r\n"),
            ("multipart/form-data; boundary=", filePart),
            ("multipart/form-data; boundary=\(String(repeating: "b", count: 71))", filePart),
            ("multipart/form-data; boundary=\(boundary)", "garbage, no parts at all"),
            ("multipart/form-data; boundary=\(boundary)", filePart),  // never closed
            (
                "multipart/form-data; boundary=\(boundary)",
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"effective_from\"\r\n\r\n2026-01-01\r\n--\(boundary)--\r\n"
            ),
            ("multipart/form-data; boundary=\(boundary)", "--\(boundary)\r\n\r\nno disposition\r\n--\(boundary)--\r\n"),
            (
                "multipart/form-data; boundary=\(boundary)",
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n"
            ),
            ("multipart/mixed; boundary=\(boundary)", filePart + "--\(boundary)--\r\n"),
        ] {
            hostile.append(
                Hostile(
                    category: .sizes, method: .post, path: evidence, headers: applicant.merging(["Content-Type": contentType]) { $1 },
                    body: Data(body.utf8)))
        }
        // The page's upload: over the limit, and without a boundary, by the owner with the form's CSRF field.
        var pageUpload = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(pageCSRF)\r\n".utf8)
        pageUpload += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nixp.1\r\n".utf8)
        pageUpload += Data(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
        pageUpload += big + Data("\r\n--\(boundary)--\r\n".utf8)
        for contentType in ["multipart/form-data; boundary=\(boundary)", "multipart/form-data", "text/plain"] {
            hostile.append(
                Hostile(
                    category: .sizes, method: .post, path: "\(page)/evidence", headers: ["Cookie": cookie, "Content-Type": contentType],
                    body: pageUpload))
        }
        // A body over MAX_BODY_BYTES sent in chunks, with no length to refuse it by.
        let chunk = String(repeating: "z", count: 16_384)
        let chunked = String(repeating: "4000\r\n\(chunk)\r\n", count: maxBody / 16_384 + 2) + "0\r\n\r\n"
        raw.append(
            Raw(
                category: .sizes, label: "chunked body over the limit",
                bytes: Data(
                    "POST \(participants) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(fixture.applicant.token)\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\(chunked)"
                        .utf8),
                path: participants))

        // Headers: giant, repeated, with CR/LF, as only a socket sends them.
        func request(_ line: String, _ headers: String, body: String = "") -> Data {
            Data("\(line)\r\nHost: localhost\r\n\(headers)Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        }
        let me = "/api/v1/users/me"
        let giant = String(repeating: "g", count: 100_000)
        raw += [
            Raw(category: .headers, label: "giant header", bytes: request("GET \(me) HTTP/1.1", "X-Filler: \(giant)\r\n"), path: me),
            Raw(category: .headers, label: "giant cookie", bytes: request("GET \(me) HTTP/1.1", "Cookie: manrs_session=\(giant)\r\n"), path: me),
            Raw(category: .headers, label: "giant token", bytes: request("GET \(me) HTTP/1.1", "Authorization: Bearer mp_\(giant)\r\n"), path: me),
            Raw(category: .headers, label: "giant request id", bytes: request("GET \(me) HTTP/1.1", "X-Request-Id: \(giant)\r\n"), path: me),
            Raw(
                category: .headers, label: "a thousand headers", bytes: request("GET \(me) HTTP/1.1", (0..<1100).map { "X-H\($0): 1\r\n" }.joined()),
                path: me),
            Raw(
                category: .headers, label: "two tokens, admin and applicant, on an admin route",
                bytes: request(
                    "GET /api/v1/users HTTP/1.1",
                    "Authorization: Bearer \(fixture.applicant.token)\r\nAuthorization: Bearer \(fixture.admin.token)\r\n"),
                path: "/api/v1/users"),
            Raw(
                category: .headers, label: "two tokens, both valid",
                bytes: request(
                    "GET \(me) HTTP/1.1", "Authorization: Bearer \(fixture.admin.token)\r\nAuthorization: Bearer \(fixture.applicant.token)\r\n"),
                path: me),
            Raw(
                category: .headers, label: "two content types",
                bytes: request(
                    "POST /api/v1/users/me/tokens HTTP/1.1",
                    "Authorization: Bearer \(fixture.applicant.token)\r\nContent-Type: text/plain\r\nContent-Type: application/json\r\n",
                    body: #"{"name":"twice"}"#),
                path: me),
            Raw(
                category: .headers, label: "two content types, JSON first",
                bytes: request(
                    "POST /api/v1/users/me/tokens HTTP/1.1",
                    "Authorization: Bearer \(fixture.applicant.token)\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\n",
                    body: #"{"name":"twice"}"#),
                path: me),
            Raw(
                category: .headers, label: "request id with CRLF and a header after it",
                bytes: request("GET \(me) HTTP/1.1", "X-Request-Id: abc\r\nX-Injected: 1\r\n"), path: me),
            Raw(
                category: .headers, label: "request id with a bare CR",
                bytes: request("GET \(me) HTTP/1.1", "X-Request-Id: abc\rSet-Cookie: evil=1\r\n"), path: me),
            Raw(
                category: .headers, label: "request id with a bare LF",
                bytes: request("GET \(me) HTTP/1.1", "X-Request-Id: abc\nSet-Cookie: evil=1\r\n"), path: me),
            Raw(
                category: .headers, label: "request id folded onto a second line",
                bytes: request("GET \(me) HTTP/1.1", "X-Request-Id: abc\r\n Set-Cookie: evil=1\r\n"), path: me),
            Raw(
                category: .headers, label: "request id percent-encoded CRLF",
                bytes: request("GET \(me) HTTP/1.1", "X-Request-Id: abc%0d%0aSet-Cookie:%20evil=1\r\n"), path: me),
            Raw(category: .headers, label: "request id with NUL", bytes: request("GET \(me) HTTP/1.1", "X-Request-Id: abc\u{0}evil\r\n"), path: me),
            Raw(
                category: .headers, label: "request id not UTF-8",
                bytes: Data("GET \(me) HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: abc".utf8) + Data([0xC0, 0xAF]) + Data("\r\n\r\n".utf8), path: me),
            Raw(category: .headers, label: "header name with a space", bytes: request("GET \(me) HTTP/1.1", "X Bad: 1\r\n"), path: me),
            Raw(
                category: .headers, label: "Content-Length and Transfer-Encoding",
                bytes: Data(
                    "POST /api/v1/users/me/tokens HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                        .utf8), path: me),
            Raw(
                category: .headers, label: "two Content-Lengths",
                bytes: Data("POST /api/v1/users/me/tokens HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 4\r\n\r\n{}{}".utf8),
                path: me),
            Raw(
                category: .headers, label: "a negative Content-Length",
                bytes: Data("POST /api/v1/users/me/tokens HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n".utf8), path: me),
            Raw(
                category: .headers, label: "a 20-digit Content-Length",
                bytes: Data("POST /api/v1/users/me/tokens HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999999999999\r\n\r\n{}".utf8),
                path: me),
            Raw(category: .headers, label: "no Host", bytes: Data("GET \(me) HTTP/1.1\r\n\r\n".utf8), path: me),
            Raw(category: .headers, label: "two Hosts", bytes: Data("GET \(me) HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".utf8), path: me),
            Raw(category: .headers, label: "CR in the request line", bytes: Data("GET \(me)\rX HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8), path: me),
            Raw(
                category: .encoding, label: "request line not UTF-8",
                bytes: Data("GET /api/v1/participants/".utf8) + Data([0xC0, 0xAF])
                    + Data(" HTTP/1.1\r\nHost: localhost\r\n\(admin.map { "\($0): \($1)\r\n" }.joined())\r\n".utf8),
                path: participants),
            Raw(
                category: .encoding, label: "query not UTF-8",
                bytes: Data("GET /api/v1/participants?country=".utf8) + Data([0xFF, 0xFE])
                    + Data(" HTTP/1.1\r\nHost: localhost\r\n\(admin.map { "\($0): \($1)\r\n" }.joined())\r\n".utf8),
                path: participants),
            Raw(
                category: .encoding, label: "JSON body with raw overlong bytes and no token",
                bytes: Data(
                    "POST \(participants) HTTP/1.1\r\nHost: localhost\r\n\(applicant.map { "\($0): \($1)\r\n" }.joined())Content-Type: application/json\r\nContent-Length: 19\r\n\r\n{\"legal_name\":\""
                        .utf8) + Data([0xC0, 0xAF]) + Data("\"}".utf8),
                path: participants),
            Raw(category: .headers, label: "an unknown method", bytes: request("BREW \(me) HTTP/1.1", ""), path: me),
            Raw(category: .headers, label: "HTTP/1.1 with a version from the future", bytes: request("GET \(me) HTTP/9.9", ""), path: me),
            // Not HTTP at all: a TLS ClientHello, and noise. The server may hang up without a word.
            Raw(category: .headers, label: "TLS hello", bytes: Data([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]), http: false),
            Raw(category: .headers, label: "noise", bytes: Data("\u{1}\u{2}\u{3} hello\r\n\r\n".utf8), http: false),
        ]
        // Credentials that are not: garbage tokens and cookies, every role on a route it may not call.
        for header in [
            "Bearer mp_\(String(repeating: "A", count: 5000))", "Bearer \u{202E}mp_x", "Bearer mp_%00", "Basic YWRtaW46YWRtaW4=", "Bearer",
            "bearer  mp_",
            "Bearer \(fixture.admin.token)x", "Bearer \(fixture.admin.token.dropLast())",
        ] {
            hostile.append(Hostile(category: .roles, method: .get, path: me, headers: ["Authorization": header]))
        }
        for value in ["manrs_session=\(String(repeating: "%", count: 3000))", "manrs_session=;;;manrs_session=x", "manrs_session=\u{202E}"] {
            hostile.append(Hostile(category: .roles, method: .get, path: me, headers: ["Cookie": value]))
        }
        for (route, allowed) in AuthorizationTests.table.sorted(by: { $0.key < $1.key }) where route.contains("/api/") {
            let (method, path, body, extra) = AuthorizationTests.request(for: route, fixture: fixture, serial: 3)
            for role in Role.allCases where !allowed.contains(role) {
                hostile.append(
                    Hostile(
                        category: .roles, method: method, path: path, headers: extra.merging(bearer(role)) { $1 }, body: body.map { Data($0.utf8) }))
            }
        }
        for path in ["/account/tokens", "/account/password", "/logout", "\(page)/comments", "\(page)/submit", "/queue/\(fixture.closedItem)/claim"] {
            hostile.append(
                Hostile(
                    category: .roles, method: .post, path: path, headers: form.merging(["Cookie": cookie]) { $1 }, body: Data("name=x&body=x".utf8)))
        }
        return (hostile, raw)
    }
}
