import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Server
import Store
import TestSupport
import Testing

/// The certification workflow end to end over HTTP, against a real PostgreSQL.
@Suite("Certification workflow API")
struct WorkflowAPITests {
    /// A `multipart/form-data` body with a file part and text fields.
    static func multipart(file: Data, name: String, type: String, fields: [String: String]) -> (Data, String) {
        let boundary = "----manrs\(UUID().uuidString)"
        var body = Data()
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
        body += file
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    static func upload(
        _ api: APIClient, token: String, application: String, action: String, file: Data, name: String, type: String,
        fields: [String: String] = ["effective_from": "2026-01-01"]
    ) async throws -> APIResponse {
        let (body, contentType) = multipart(file: file, name: name, type: type, fields: fields)
        return try await api.call(
            .post, "/api/v1/applications/\(application)/commitments/\(action)/evidence", token: token, body: body,
            headers: ["Content-Type": contentType])
    }

    /// Another auditor account with a token.
    static func auditor(_ fixture: APIFixture, _ email: String) async throws -> String {
        let users = UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4))
        let user = try await users.create(email: email, displayName: email, role: .auditor, password: nil, context: .system(at: Date()))
        return try await users.createToken(for: user.id, name: "t", scopes: [.read, .write], expiresAt: nil, context: .system(at: Date())).secret
    }

    /// A complete MANRS+ network-operator application from the fixture's applicant, submitted.
    static func submittedPlusApplication(_ fixture: APIFixture, _ api: APIClient) async throws -> (application: String, item: String) {
        let token = fixture.applicant.token
        let created = try await api.call(
            .post, "/api/v1/applications", token: token,
            json: #"{"participant_id":"\#(fixture.other.id.uuidString.lowercased())","program":"netops","tier":"plus"}"#)
        #expect(created.status == 403)  // not their participant
        // The fixture's netops application is approved; a recertification at plus starts a new one.
        let application = try await api.call(
            .post, "/api/v1/applications", token: token,
            json: #"{"participant_id":"\#(fixture.own.id.uuidString.lowercased())","program":"netops","tier":"plus"}"#)
        #expect(application.status == 201, "\(application.text)")
        let id = try #require(application.json["id"] as? String)
        for action in [
            "netops.1", "netops.2", "netops.3", "netops.4", "netops.plus.rov", "netops.plus.rpki-coverage", "netops.plus.irr-rpki",
            "netops.plus.noc-24x7", "netops.plus.spoofer",
        ] {
            let response = try await api.call(
                .put, "/api/v1/applications/\(id)/commitments/\(action)", token: token,
                json: #"{"statement":"How we implement \#(action)."}"#)
            #expect(response.status == 200, "\(action): \(response.text)")
        }
        #expect(
            try await upload(
                api, token: token, application: id, action: "netops.1", file: APIFixture.pdf, name: "filters.pdf", type: "application/pdf"
            ).status == 201)
        #expect(
            try await api.call(
                .post, "/api/v1/applications/\(id)/commitments/netops.plus.spoofer/evidence", token: token,
                json: #"{"kind":"url","url":"https://spoofer.caida.org/recent_tests.php?as_include=3333","effective_from":"2026-11-01"}"#
            ).status == 201)
        let detail = try await api.call(.get, "/api/v1/applications/\(id)", token: token)
        #expect((detail.json["missing"] as? [Any])?.isEmpty == true, "\(detail.text)")
        let submitted = try await api.call(
            .post, "/api/v1/applications/\(id)/submit", token: token, headers: ["If-Match": detail.headers[.eTag] ?? ""])
        #expect(submitted.status == 200, "\(submitted.text)")
        let queue = try await api.call(.get, "/api/v1/review-queue?unassigned=true", token: fixture.auditor.token)
        let item = try #require((queue.json["items"] as? [[String: Any]])?.first { $0["application_id"] as? String == id }?["id"] as? String)
        return (id, item)
    }

    @Test(
        "MANRS+ end to end: an incomplete submission lists what is missing; two independent auditors approve; the certification exists; the chain verifies"
    )
    func walk() async throws {
        try await APIFixture.run { fixture, api in
            let token = fixture.applicant.token
            let draft = try await api.call(
                .post, "/api/v1/applications", token: token,
                json: #"{"participant_id":"\#(fixture.own.id.uuidString.lowercased())","program":"netops","tier":"plus"}"#)
            let id = try #require(draft.json["id"] as? String)
            // An empty statement is no commitment to an action that asks for one.
            let empty = try await api.call(.put, "/api/v1/applications/\(id)/commitments/netops.1", token: token, json: #"{"statement":""}"#)
            #expect(empty.status == 422 && empty.fieldCodes == ["statement": "required"], "\(empty.text)")
            _ = try await api.call(
                .put, "/api/v1/applications/\(id)/commitments/netops.1", token: token, json: #"{"statement":"Filters on customer sessions."}"#)
            let early = try await api.call(.post, "/api/v1/applications/\(id)/submit", token: token, headers: ["If-Match": "\"2\""])
            #expect(early.status == 422)
            let missing = early.fieldCodes
            #expect(missing["commitments.netops.1"] != nil, "\(missing)")
            #expect(missing["commitments.netops.plus.rov"] == "mandatory_action")
            _ = try await api.call(.post, "/api/v1/applications/\(id)/withdraw", token: token, headers: ["If-Match": "\"2\""])

            let (application, item) = try await Self.submittedPlusApplication(fixture, api)
            let first = fixture.auditor.token
            let second = try await Self.auditor(fixture, "second@example.org")
            let affiliated = try await Self.auditor(fixture, "affiliated@example.org")
            // The affiliated auditor declares the link, and is refused with the rule's name.
            let declared = try await api.call(
                .post, "/api/v1/users/me/affiliations", token: affiliated,
                json: #"{"participant_id":"\#(fixture.own.id.uuidString.lowercased())","relation":"Consultant to the NOC","valid_from":"2025-06-01"}"#
            )
            #expect(declared.status == 201)
            let refused = try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: affiliated)
            #expect(refused.status == 403 && refused.problemType == "/problems/conflict-of-interest", "\(refused.text)")
            let conflicts = try await api.call(.get, "/api/v1/affiliations", token: fixture.admin.token)
            #expect((conflicts.json["items"] as? [[String: Any]])?.contains { $0["relation"] as? String == "Consultant to the NOC" } == true)

            #expect(try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: first).status == 200)
            #expect(
                try await api.call(.get, "/api/v1/applications/\(application)", token: token).json["application"].flatMap {
                    ($0 as? [String: Any])?["state"] as? String
                } == "in_review")
            let taken = try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: second)
            #expect(taken.status == 409 && taken.problemType == "/problems/already-claimed")
            let one = try await api.call(
                .post, "/api/v1/review-queue/\(item)/decision", token: first, json: #"{"decision":"approve","reasons":"Filters and ROV verified."}"#)
            #expect(one.status == 200 && one.json["status"] as? String == "awaiting_second", "\(one.text)")
            // Four eyes: the first auditor cannot take it again.
            let again = try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: first)
            #expect(again.status == 403 && again.problemType == "/problems/four-eyes")
            #expect(try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: second).status == 200)
            let two = try await api.call(.post, "/api/v1/review-queue/\(item)/decision", token: second, json: #"{"decision":"approve"}"#)
            #expect(two.status == 200 && two.json["status"] as? String == "closed", "\(two.text)")

            let detail = try await api.call(.get, "/api/v1/applications/\(application)", token: token)
            let state = (detail.json["application"] as? [String: Any])?["state"] as? String
            #expect(state == "approved")
            let certificationID = try #require(detail.json["certification_id"] as? String)
            let certification = try await api.call(.get, "/api/v1/certifications/\(certificationID)", token: token)
            #expect(certification.json["tier"] as? String == "plus" && certification.json["status"] as? String == "active")
            #expect((certification.json["actions"] as? [String])?.count == 9)
            // The earlier baseline mark for the same program gave way to the new one.
            let marks = try await api.call(.get, "/api/v1/certifications?participant=\(fixture.own.id.uuidString.lowercased())", token: token)
            let statuses = (marks.json["items"] as? [[String: Any]])?.compactMap { $0["status"] as? String }.sorted()
            #expect(statuses == ["active", "expired"])
            let decisions = try await api.call(.get, "/api/v1/applications/\(application)/decisions", token: token)
            #expect((decisions.json["items"] as? [[String: Any]])?.compactMap { $0["final"] as? Bool } == [false, true])
            let timeline = try await api.call(.get, "/api/v1/participants/\(fixture.own.id.uuidString.lowercased())/timeline?limit=200", token: token)
            let actions = (timeline.json["items"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions.contains("certification.granted") && actions.contains("review.decided") && actions.contains("evidence.added"))
            let verified = try await AuditChain(database: fixture.db.pool).verify()
            #expect(verified.isIntact, "\(verified)")
            let head = try await api.call(.get, "/api/v1/audit/head", token: fixture.enterprise.token)
            #expect(head.json["seq"] as? Int == verified.checked)
        }
    }

    @Test("a disagreement between the two auditors goes back to the queue flagged for an admin, who settles it")
    func disagreement() async throws {
        try await APIFixture.run { fixture, api in
            let (application, item) = try await Self.submittedPlusApplication(fixture, api)
            let second = try await Self.auditor(fixture, "second@example.org")
            _ = try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: fixture.auditor.token)
            _ = try await api.call(.post, "/api/v1/review-queue/\(item)/decision", token: fixture.auditor.token, json: #"{"decision":"approve"}"#)
            _ = try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: second)
            let reject = try await api.call(
                .post, "/api/v1/review-queue/\(item)/decision", token: second,
                json: #"{"decision":"reject","reasons":"RPKI-invalid routes seen in the last snapshot."}"#)
            #expect(reject.status == 200 && reject.json["status"] as? String == "flagged")
            let flagged = try await api.call(.get, "/api/v1/review-queue?status=flagged", token: fixture.admin.token)
            #expect((flagged.json["items"] as? [[String: Any]])?.count == 1)
            let third = try await Self.auditor(fixture, "third@example.org")
            let notForAuditors = try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: third)
            #expect(notForAuditors.status == 403 && notForAuditors.problemType == "/problems/flagged-for-admin")
            #expect(try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: fixture.admin.token).status == 200)
            let settled = try await api.call(
                .post, "/api/v1/review-queue/\(item)/decision", token: fixture.admin.token,
                json: #"{"decision":"request_changes","action_comments":{"netops.plus.rov":"Show the invalid routes are gone."}}"#)
            #expect(settled.status == 200 && settled.json["status"] as? String == "closed")
            let detail = try await api.call(.get, "/api/v1/applications/\(application)", token: fixture.applicant.token)
            #expect((detail.json["application"] as? [String: Any])?["state"] as? String == "changes_requested")
            // Back with the applicant: fix, resubmit, a second round enters the queue.
            _ = try await api.call(
                .put, "/api/v1/applications/\(application)/commitments/netops.plus.rov", token: fixture.applicant.token,
                json: #"{"statement":"ROV now drops invalids on every eBGP session; see the attached looking glass."}"#)
            let current = try await api.call(.get, "/api/v1/applications/\(application)", token: fixture.applicant.token)
            let resubmitted = try await api.call(
                .post, "/api/v1/applications/\(application)/submit", token: fixture.applicant.token,
                headers: ["If-Match": current.headers[.eTag] ?? ""])
            #expect(resubmitted.status == 200 && (resubmitted.json["application"] as? [String: Any])?["round"] as? Int == 2)
        }
    }

    @Test("many concurrent decisions on one item: exactly one is recorded, the others get 409; racing claims: one holder")
    func concurrentDecisions() async throws {
        try await APIFixture.run { fixture, api in
            // A baseline application, so one decision settles it.
            let token = fixture.otherApplicant.token
            let other = fixture.other.id.uuidString.lowercased()
            let created = try await api.call(
                .post, "/api/v1/applications", token: token, json: #"{"participant_id":"\#(other)","program":"netops","tier":"baseline"}"#)
            let id = try #require(created.json["id"] as? String)
            _ = try await api.call(
                .put, "/api/v1/applications/\(id)/commitments/netops.4", token: token, json: #"{"statement":"ROAs for all our space."}"#)
            let detail = try await api.call(.get, "/api/v1/applications/\(id)", token: token)
            #expect(
                try await api.call(.post, "/api/v1/applications/\(id)/submit", token: token, headers: ["If-Match": detail.headers[.eTag] ?? ""])
                    .status == 200)
            let item = try #require(
                ((try await api.call(.get, "/api/v1/review-queue", token: fixture.auditor.token)).json["items"] as? [[String: Any]])?
                    .first { $0["application_id"] as? String == id }?["id"] as? String)

            var auditors = [fixture.auditor.token]
            for index in 0..<5 { auditors.append(try await Self.auditor(fixture, "racer\(index)@example.org")) }
            let claims = try await withThrowingTaskGroup(of: Int.self) { group in
                for auditor in auditors { group.addTask { try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: auditor).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(claims.filter { $0 == 200 }.count == 1 && claims.filter { $0 == 409 }.count == auditors.count - 1, "\(claims)")
            let holder = try await api.call(.get, "/api/v1/review-queue/\(item)", token: fixture.admin.token).json["claimed_by_name"] as? String
            let holderToken = auditors[
                try #require(
                    [
                        "auditor@example.org", "racer0@example.org", "racer1@example.org", "racer2@example.org",
                        "racer3@example.org", "racer4@example.org",
                    ].firstIndex(of: holder ?? ""))]

            let decisions = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<12 {
                    let decision = ["approve", "reject", "request_changes"][index % 3]
                    group.addTask {
                        try await api.call(
                            .post, "/api/v1/review-queue/\(item)/decision", token: holderToken,
                            json: #"{"decision":"\#(decision)","reasons":"Round \#(index).","action_comments":{"netops.4":"x"}}"#
                        ).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(decisions.filter { $0 == 200 }.count == 1, "\(decisions)")
            #expect(decisions.filter { $0 == 409 }.count == 11, "\(decisions)")
            let recorded = try await fixture.db.pool.query("SELECT count(*) FROM decisions WHERE review_item_id = \(UUID(uuidString: item)!)")[0]
                .decode(0, as: Int.self)
            #expect(recorded == 1)
        }
    }

    @Test("evidence: size limit, sniffed types, immutable versions, safe downloads for members and staff only")
    func evidence() async throws {
        let settings = try Settings.load(environment: ["EVIDENCE_MAX_BYTES": "4096"])
        try await APIFixture.run(settings: settings) { fixture, api in
            let token = fixture.applicant.token
            let draft = fixture.draft.uuidString.lowercased()
            let big = try await Self.upload(
                api, token: token, application: draft, action: "ixp.1", file: APIFixture.pdf + Data(count: 5000), name: "big.pdf",
                type: "application/pdf")
            #expect(big.status == 413 && big.problemType == "/problems/body-too-large")
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
            let lying = try await Self.upload(
                api, token: token, application: draft, action: "ixp.1", file: png, name: "report.pdf", type: "application/pdf")
            #expect(lying.status == 415 && lying.fieldCodes == ["file": "type_mismatch"], "\(lying.text)")
            let exe = try await Self.upload(
                api, token: token, application: draft, action: "ixp.1", file: Data("MZ\u{0}\u{0}".utf8), name: "x.exe",
                type: "application/x-msdownload")
            #expect(exe.status == 415 && exe.fieldCodes == ["file": "unsupported_type"])
            let noPeriod = try await Self.upload(
                api, token: token, application: draft, action: "ixp.1", file: APIFixture.pdf, name: "a.pdf", type: "application/pdf", fields: [:])
            #expect(noPeriod.fieldCodes == ["effective_from": "required"])

            let first = try await Self.upload(
                api, token: token, application: draft, action: "ixp.1", file: APIFixture.pdf, name: "../../etc/route server <policy>.pdf",
                type: "application/pdf", fields: ["effective_from": "2026-01-01", "effective_until": "2026-12-31"])
            #expect(first.status == 201, "\(first.text)")
            #expect(first.json["file_name"] as? String == "route server _policy_.pdf")
            #expect(first.json["sha256"] as? String == Self.hex(APIFixture.pdf))
            let firstID = try #require(first.json["id"] as? String)
            let csv = Data("prefix,origin\n193.0.0.0/21,3333\n".utf8)
            let second = try await Self.upload(
                api, token: token, application: draft, action: "ixp.1", file: csv, name: "rib.csv", type: "text/csv",
                fields: ["effective_from": "2026-02-01", "supersedes": firstID])
            #expect(second.status == 201 && second.json["supersedes"] as? String == firstID && second.json["sniffed_type"] as? String == "text/plain")
            let twice = try await Self.upload(
                api, token: token, application: draft, action: "ixp.1", file: csv, name: "rib.csv", type: "text/csv",
                fields: ["effective_from": "2026-02-01", "supersedes": firstID])
            #expect(twice.status == 409 && twice.problemType == "/problems/already-superseded")
            let list = try await api.call(.get, "/api/v1/applications/\(draft)/evidence", token: fixture.auditor.token)
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 2)
            #expect(items.first { $0["id"] as? String == firstID }?["superseded_by"] as? String == second.json["id"] as? String)

            // The database refuses any change to stored evidence.
            await #expect(throws: PostgresErrorBox.self) {
                do { try await fixture.db.pool.execute("UPDATE evidence SET file_name = 'x.pdf'") } catch { throw PostgresErrorBox() }
            }

            let download = try await api.call(.get, "/api/v1/evidence/\(firstID)/content", token: fixture.auditor.token)
            #expect(download.status == 200 && download.body == APIFixture.pdf)
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(download.headers[.contentDisposition] == #"attachment; filename="route server _policy_.pdf""#)
            #expect(download.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(try await api.call(.get, "/api/v1/evidence/\(firstID)/content", token: fixture.otherApplicant.token).status == 403)
            #expect(try await api.call(.get, "/api/v1/evidence/\(firstID)/content", token: fixture.enterprise.token).status == 403)
            #expect(try await api.call(.get, "/api/v1/evidence/\(firstID)/content").status == 401)
        }
    }

    @Test("the queue sorts by a column either way and filters by tier; a bad sort is a 422")
    func queueOrder() async throws {
        try await APIFixture.run { fixture, api in
            _ = try await Self.submittedPlusApplication(fixture, api)
            let token = fixture.otherApplicant.token
            let other = fixture.other.id.uuidString.lowercased()
            let created = try await api.call(
                .post, "/api/v1/applications", token: token, json: #"{"participant_id":"\#(other)","program":"netops","tier":"baseline"}"#)
            let id = try #require(created.json["id"] as? String)
            _ = try await api.call(.put, "/api/v1/applications/\(id)/commitments/netops.4", token: token, json: #"{"statement":"ROAs."}"#)
            let detail = try await api.call(.get, "/api/v1/applications/\(id)", token: token)
            _ = try await api.call(.post, "/api/v1/applications/\(id)/submit", token: token, headers: ["If-Match": detail.headers[.eTag] ?? ""])
            func names(_ query: String) async throws -> [String] {
                let queue = try await api.call(.get, "/api/v1/review-queue?\(query)", token: fixture.auditor.token)
                return (queue.json["items"] as? [[String: Any]])?.compactMap { $0["participant_name"] as? String } ?? []
            }
            #expect(try await names("sort=participant") == ["HOL", "RIPE NCC"])
            #expect(try await names("sort=-participant") == ["RIPE NCC", "HOL"])
            #expect(try await names("tier=plus") == ["RIPE NCC"])
            let bad = try await api.call(.get, "/api/v1/review-queue?sort=--due", token: fixture.auditor.token)
            #expect(bad.status == 422 && bad.fieldCodes == ["sort": "invalid"])
        }
    }

    @Test("internal notes stay with the auditors; the applicant sees the rest of the thread")
    func comments() async throws {
        try await APIFixture.run { fixture, api in
            let path = "/api/v1/applications/\(fixture.draft.uuidString.lowercased())/comments"
            #expect(
                try await api.call(.post, path, token: fixture.applicant.token, json: #"{"body":"Which looking glass do you want?"}"#).status == 201)
            #expect(
                try await api.call(.post, path, token: fixture.auditor.token, json: #"{"body":"Their last audit was thin.","internal":true}"#).status
                    == 201)
            #expect(try await api.call(.post, path, token: fixture.auditor.token, json: #"{"body":"Any public one is fine."}"#).status == 201)
            let sneaky = try await api.call(.post, path, token: fixture.applicant.token, json: #"{"body":"hidden?","internal":true}"#)
            #expect(sneaky.fieldCodes == ["internal": "not_allowed"])
            let applicantView = try await api.call(.get, path, token: fixture.applicant.token)
            #expect(
                (applicantView.json["items"] as? [[String: Any]])?.compactMap { $0["body"] as? String } == [
                    "Which looking glass do you want?", "Any public one is fine.",
                ])
            let auditorView = try await api.call(.get, path, token: fixture.auditor.token)
            #expect((auditorView.json["items"] as? [[String: Any]])?.count == 3)
        }
    }

    static func hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

/// Any database error, for `#expect(throws:)` without importing the driver's types here.
struct PostgresErrorBox: Error {}
