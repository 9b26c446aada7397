import Foundation
import HTTPTypes
import Hummingbird
import Server
import Store
import TestSupport
import Testing

/// The HTML pages: who sees which, the workflow through forms, and snapshots of stable pages.
@Suite("Workflow pages")
struct PagesTests {
    typealias Role = APIFixture.Role

    /// A signed-in browser for the account (the session is opened directly; WebTests covers the form).
    static func cookie(_ fixture: APIFixture, _ role: Role) async throws -> [String: String] {
        let user: User? =
            switch role {
            case .anonymous: nil
            case .admin: fixture.admin.user
            case .auditor: fixture.auditor.user
            case .applicant: fixture.applicant.user
            case .otherApplicant: fixture.otherApplicant.user
            case .enterprise: fixture.enterprise.user
            }
        guard let user else { return [:] }
        let secret = try await UserStore(database: fixture.db.pool).openSession(for: user.id, lifetime: 3600, context: .system(at: Date()))
        return ["Cookie": "manrs_session=\(secret)"]
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func post(_ api: APIClient, _ path: String, _ headers: [String: String], _ fields: [String: String]) async throws -> APIResponse {
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await api.call(
            .post, path, body: Data(body.utf8), headers: headers.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 })
    }

    @Test("each page for each role: shown to its roles, sign-in for anonymous, 403 for the others")
    func access() async throws {
        try await APIFixture.run { fixture, api in
            let pages: [(String, Set<Role>)] = [
                ("/", [.admin, .auditor, .applicant, .otherApplicant, .enterprise]),
                ("/applications", [.admin, .applicant, .otherApplicant]),
                ("/applications/\(fixture.draft.uuidString.lowercased())", [.admin, .auditor, .applicant]),
                ("/queue", [.admin, .auditor]),
                ("/participants/\(fixture.own.id.uuidString.lowercased())", [.admin, .auditor, .applicant]),
                ("/review/\(fixture.closedItem.uuidString.lowercased())", [.admin, .auditor]),
                ("/admin/conflicts", [.admin]),
                ("/admin/users", [.admin]),
                ("/admin/catalogs", [.admin]),
                ("/admin/catalogs/netops/versions/1", [.admin]),
                ("/admin/resources", [.admin]),
                ("/admin/sources", [.admin]),
                ("/admin/resources?participant=\(fixture.own.id.uuidString.lowercased())", [.admin]),
            ]
            for (path, allowed) in pages {
                for role in Role.allCases {
                    let response = try await api.call(.get, path, headers: try await Self.cookie(fixture, role))
                    let expected = role == .anonymous ? 303 : allowed.contains(role) ? 200 : 403
                    #expect(response.status == expected, "\(path) as \(role): \(response.status)")
                    if expected != 303 {
                        #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(path) as \(role)")
                        #expect(response.text.contains("<!doctype html>"))
                    }
                    if expected == 200 && path != "/" {
                        // Every form on the page carries the session's CSRF token.
                        let forms = response.text.components(separatedBy: "<form").count - 1
                        let getForms = response.text.components(separatedBy: #"<form method="get""#).count - 1
                        let tokens = response.text.components(separatedBy: #"name="csrf""#).count - 1
                        #expect(tokens >= forms - getForms, "\(path) as \(role): \(forms) forms, \(tokens) tokens")
                    }
                }
            }
        }
    }

    @Test("the newcomer's walk in two browsers per role: apply for MANRS+, commit, upload, submit; two auditors approve; certified")
    func walkThroughForms() async throws {
        try await APIFixture.run { fixture, api in
            let applicant = try await Self.cookie(fixture, .applicant)
            let dashboard = try await api.call(.get, "/applications", headers: applicant)
            let csrf = try #require(Self.csrf(in: dashboard.text))
            let forged = try await Self.post(
                api, "/applications", applicant, ["participant_id": fixture.own.id.uuidString, "program": "netops", "tier": "plus"])
            #expect(forged.status == 403)
            let started = try await Self.post(
                api, "/applications", applicant, ["csrf": csrf, "participant_id": fixture.own.id.uuidString, "program": "netops", "tier": "plus"])
            #expect(started.status == 303)
            // The new application, with a notice that it was created.
            let redirect = try #require(started.headers[.location])
            #expect(redirect.hasSuffix("?notice=application-created"))
            let location = String(redirect.prefix { $0 != "?" })
            for action in [
                "netops.1", "netops.2", "netops.3", "netops.4", "netops.plus.rov", "netops.plus.rpki-coverage", "netops.plus.irr-rpki",
                "netops.plus.noc-24x7", "netops.plus.spoofer",
            ] {
                let committed = try await Self.post(
                    api, "\(location)/commitments", applicant, ["csrf": csrf, "action": action, "statement": "We do \(action)."])
                #expect(committed.status == 303, "\(action): \(committed.text)")
            }
            // The spoofer action wants a URL, the filtering action a document.
            let url = try await Self.post(
                api, "\(location)/evidence-url", applicant,
                [
                    "csrf": csrf, "action": "netops.plus.spoofer", "url": "https://spoofer.caida.org/", "effective_from": "2026-11-01",
                    "effective_until": "",
                ])
            #expect(url.status == 303, "\(url.text)")
            let (body, type) = WorkflowAPITests.multipart(
                file: APIFixture.pdf, name: "filters.pdf", type: "application/pdf",
                fields: ["csrf": csrf, "action": "netops.1", "effective_from": "2026-01-01", "effective_until": ""])
            let uploaded = try await api.call(.post, "\(location)/evidence", body: body, headers: applicant.merging(["Content-Type": type]) { $1 })
            #expect(uploaded.status == 303, "\(uploaded.text)")
            let page = try await api.call(.get, location, headers: applicant)
            #expect(page.text.contains("filters.pdf") && page.text.contains(WorkflowAPITests.hex(APIFixture.pdf)))
            #expect(!page.text.contains("Before you can submit"))
            let version = try #require(
                page.text.range(of: #"name="version" value=""#).map { String(page.text[$0.upperBound...].prefix { $0.isNumber }) })
            let submitted = try await Self.post(api, "\(location)/submit", applicant, ["csrf": csrf, "version": version])
            #expect(submitted.status == 303, "\(submitted.text)")

            var decided = 0
            for (index, auditor) in [fixture.auditor.token, try await WorkflowAPITests.auditor(fixture, "second@example.org")].enumerated() {
                let user = try #require(
                    try await UserStore(database: fixture.db.pool).authenticate(token: auditor, at: Date(timeIntervalSince1970: 1_795_000_000)))
                let browser = [
                    "Cookie":
                        "manrs_session=\(try await UserStore(database: fixture.db.pool).openSession(for: user.userID, lifetime: 3600, context: .system(at: Date())))"
                ]
                let queue = try await api.call(.get, "/queue?unassigned=true", headers: browser)
                let itemCSRF = try #require(Self.csrf(in: queue.text))
                let item = try #require(
                    queue.text.range(of: #"/queue/[0-9a-f-]{36}/claim"#, options: .regularExpression).map {
                        String(queue.text[$0].dropFirst(7).prefix(36))
                    })
                let claimed = try await Self.post(api, "/queue/\(item)/claim", browser, ["csrf": itemCSRF])
                #expect(claimed.status == 303 && claimed.headers[.location] == "/review/\(item)?notice=claimed")
                let review = try await api.call(.get, "/review/\(item)", headers: browser)
                #expect(review.text.contains("Record the decision") && review.text.contains("filters.pdf"))
                let decision = try await Self.post(
                    api, "/review/\(item)/decision", browser,
                    ["csrf": itemCSRF, "decision": "approve", "comment_netops.1": "Checked, round \(index)."])
                #expect(decision.status == 303, "\(decision.text)")
                decided += 1
            }
            #expect(decided == 2)
            let done = try await api.call(.get, location, headers: applicant)
            #expect(done.text.contains("approved") && done.text.contains("certified"))
            #expect(try await AuditChain(database: fixture.db.pool).verify().isIntact)
        }
    }

    @Test("a refused form shows the page again with the reason, escaped")
    func refusalsOnThePage() async throws {
        try await APIFixture.run { fixture, api in
            let applicant = try await Self.cookie(fixture, .applicant)
            let draft = "/applications/\(fixture.draft.uuidString.lowercased())"
            let csrf = try #require(Self.csrf(in: try await api.call(.get, draft, headers: applicant).text))
            let submitted = try await Self.post(api, "\(draft)/submit", applicant, ["csrf": csrf, "version": "999"])
            #expect(submitted.status == 412 && submitted.text.contains("role=\"alert\""))
            let comment = try await Self.post(api, "\(draft)/comments", applicant, ["csrf": csrf, "body": "<script>alert(1)</script>"])
            #expect(comment.status == 303)
            let page = try await api.call(.get, draft, headers: applicant)
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.text.contains("<script>alert"))
        }
    }

    @Test("the auditor's request for changes reaches the applicant: next to the action, in a summary, in the API; the auditors see it too")
    func feedbackReachesTheApplicant() async throws {
        try await APIFixture.run { fixture, api in
            let users = UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4))
            let applications = ApplicationStore(database: fixture.db.pool)
            let reviews = ReviewStore(database: fixture.db.pool)
            let applicantContext = ChangeContext(actor: try await users.actor(for: fixture.applicant.user.id), requestID: nil, at: Date())
            let auditor = try #require(try await users.actor(for: fixture.auditor.user.id))
            let application = try await fixture.db.pool.transaction { connection in
                try await applications.create(
                    participant: fixture.own.id, program: "netops", tier: .baseline, context: applicantContext, on: connection)
            }
            _ = try await applications.setCommitment(application.id, action: "netops.1", statement: "Filters.", context: applicantContext)
            _ = try await applications.addEvidence(
                application.id, action: "netops.1",
                NewEvidence(
                    content: .document(fileName: "f.pdf", declaredType: "application/pdf", sniffedType: "application/pdf", bytes: APIFixture.pdf),
                    effectiveFrom: "2026-01-01", effectiveUntil: nil, supersedes: nil),
                context: applicantContext)
            let version = try await applications.detail(application.id).application.version
            _ = try await applications.submit(application.id, expectedVersion: version, context: applicantContext)
            let item = try #require(try await reviews.queue(QueueFilter(asOf: Date()), limit: 10).first { $0.applicationID == application.id })
            let reviewer = try await reviews.reviewer(auditor)
            _ = try await reviews.claim(item.id, reviewer: reviewer, context: ChangeContext(actor: auditor, requestID: nil, at: Date()))
            _ = try await reviews.decide(
                item.id, decision: .requestChanges, actionComments: ["netops.1": "Describe the filters on customer sessions."],
                reasons: "The statement is too short.", reviewer: reviewer, context: ChangeContext(actor: auditor, requestID: nil, at: Date()))

            let path = "/applications/\(application.id.uuidString.lowercased())"
            let page = try await api.call(.get, path, headers: try await Self.cookie(fixture, .applicant)).text
            let start = try #require(page.range(of: #"<section id="feedback">"#))
            let feedback = String(page[start.lowerBound..<(page[start.upperBound...].range(of: "</section>")?.upperBound ?? page.endIndex)])
            #expect(feedback.contains("changes requested") && feedback.contains("The statement is too short."))
            let block = try #require(page.range(of: #"<article id="action-netops.1">"#).map { String(page[$0.lowerBound...]) })
            let action = String(block[..<(block.range(of: "</article>")?.lowerBound ?? block.endIndex)])
            #expect(action.contains("Describe the filters on customer sessions."))

            let detail = try await api.call(.get, "/api/v1\(path)", headers: ["Authorization": "Bearer \(fixture.applicant.token)"])
            #expect(detail.status == 200)
            let decisions = try #require(detail.json["decisions"] as? [[String: Any]])
            #expect(decisions.count == 1 && decisions[0]["reasons"] as? String == "The statement is too short.")
            #expect((decisions[0]["action_comments"] as? [String: String])?["netops.1"] == "Describe the filters on customer sessions.")

            let review = try await api.call(.get, "/review/\(item.id.uuidString.lowercased())", headers: try await Self.cookie(fixture, .auditor))
                .text
            #expect(review.contains(#"id="history""#) && review.contains("Describe the filters on customer sessions."))
        }
    }

    @Test("the queue offers Claim only where the claim would be taken: never on an application the auditor submitted")
    func claimButtonFollowsTheClaimRule() async throws {
        try await APIFixture.run { fixture, api in
            let users = UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4))
            let applications = ApplicationStore(database: fixture.db.pool)
            let reviews = ReviewStore(database: fixture.db.pool)
            /// Submits a netops application of `participant` as `applicant`, as the feedback test does.
            func submitted(_ participant: UUID, by applicant: UUID) async throws -> UUID {
                let context = ChangeContext(actor: try await users.actor(for: applicant), requestID: nil, at: Date())
                let application = try await fixture.db.pool.transaction { connection in
                    try await applications.create(participant: participant, program: "netops", tier: .baseline, context: context, on: connection)
                }
                _ = try await applications.setCommitment(application.id, action: "netops.1", statement: "Filters.", context: context)
                _ = try await applications.addEvidence(
                    application.id, action: "netops.1",
                    NewEvidence(
                        content: .document(fileName: "f.pdf", declaredType: "application/pdf", sniffedType: "application/pdf", bytes: APIFixture.pdf),
                        effectiveFrom: "2026-01-01", effectiveUntil: nil, supersedes: nil),
                    context: context)
                let version = try await applications.detail(application.id).application.version
                _ = try await applications.submit(application.id, expectedVersion: version, context: context)
                return application.id
            }
            let submitted = [
                try await submitted(fixture.own.id, by: fixture.applicant.user.id),
                try await submitted(fixture.other.id, by: fixture.otherApplicant.user.id),
            ]
            let items = try await reviews.queue(QueueFilter(asOf: Date()), limit: 50).filter { $0.applicationID.map(submitted.contains) == true }
            try #require(items.count == 2)
            // An auditor who submitted an application while a member of the participant (and has
            // since left it): the own-submission rule still applies to them.
            let own = try #require(items.first { $0.applicationID == submitted[0] })
            try await fixture.db.pool.execute(
                "UPDATE applications SET submitted_by = \(fixture.auditor.user.id) WHERE id = \(own.applicationID)")

            let auditor = try await Self.cookie(fixture, .auditor)
            let queue = try await api.call(.get, "/queue", headers: auditor).text
            #expect(!queue.contains("/queue/\(own.id.uuidString.lowercased())/claim"))
            for item in items where item.id != own.id { #expect(queue.contains("/queue/\(item.id.uuidString.lowercased())/claim")) }
            let review = try await api.call(.get, "/review/\(own.id.uuidString.lowercased())", headers: auditor).text
            #expect(!review.contains("/queue/\(own.id.uuidString.lowercased())/claim"))
            let refused = try await Self.post(
                api, "/queue/\(own.id.uuidString.lowercased())/claim", auditor, ["csrf": try #require(Self.csrf(in: queue))])
            #expect(refused.status == 403 && refused.headers[HTTPField.Name("X-Refusal")!]?.contains("own-application") == true)
        }
    }

    @Test("after signing in, the page asked for; never another host")
    func signInReturnsToThePage() async throws {
        try await APIFixture.run { _, api in
            let asked = try await api.call(.get, "/queue?status=closed")
            #expect(asked.status == 303 && asked.headers[.location] == "/login?next=/queue%3Fstatus%3Dclosed")
            let login = try await api.call(.get, "/login?next=/queue%3Fstatus%3Dclosed")
            #expect(login.text.contains(#"name="next" value="/queue?status=closed""#) && !login.text.contains("Sign out"))
            for hostile in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
                let encoded = hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                #expect(!(try await api.call(.get, "/login?next=\(encoded)")).text.contains(#"name="next""#), "\(hostile)")
            }
        }
    }

    /// Dynamic parts (ids, tokens, times, hashes) replaced, so a page compares across runs.
    static func normalise(_ html: String) -> String {
        var text = html
        for (pattern, replacement) in [
            (#"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, "<id>"), (#"[0-9a-f]{64}"#, "<sha256>"),
            (#"value="[A-Za-z0-9_-]{43}""#, #"value="<csrf>""#), (#"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"#, "<time>"),
            (#"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}"#, "<day>"),
        ] {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    @Test("snapshots of the pages for a fixed fixture", arguments: ["applications", "application", "queue", "review", "conflicts", "participant"])
    func snapshots(page: String) async throws {
        try await APIFixture.run { fixture, api in
            let (path, role): (String, Role) =
                switch page {
                case "applications": ("/applications", .applicant)
                case "application": ("/applications/\(fixture.approved.uuidString.lowercased())", .applicant)
                case "queue": ("/queue?status=closed", .auditor)
                case "review": ("/review/\(fixture.closedItem.uuidString.lowercased())", .auditor)
                case "participant": ("/participants/\(fixture.own.id.uuidString.lowercased())", .applicant)
                default: ("/admin/conflicts", .admin)
                }
            let response = try await api.call(.get, path, headers: try await Self.cookie(fixture, role))
            #expect(response.status == 200)
            let rendered = Self.normalise(response.text)
            let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/\(page).html")
            if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
                try rendered.write(to: file, atomically: true, encoding: .utf8)
                return
            }
            let expected = try String(contentsOf: file, encoding: .utf8)
            #expect(rendered == expected, "Snapshots/\(page).html differs; rerun with UPDATE_SNAPSHOTS=1 after checking the change")
        }
    }
}
