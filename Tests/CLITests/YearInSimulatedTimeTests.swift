import Domain
import Foundation
import Operations
import Postgres
import Store
import TestSupport
import Testing

/// Issue 12's story in simulated time, driven only by the real `manrs-plus jobs run-due --now T`
/// over real snapshots that the server fetches itself: its `fetch_snapshots` job reads the
/// collector's RIB and the validator's VRP export, local files named in `SNAPSHOT_SOURCES`, and
/// imports what changed, the way `manrs-plus import` does: AS200310 (two prefixes routed
/// in the 2024 RouteViews table, no ROA at all in the 2025-07-20 VRPs) fails RPKI coverage; is
/// warned; misses the deadline; is suspended; publishes its ROAs; is reinstated by an auditor;
/// later disputes a failed result and wins; after the server's downtime is asked late for its
/// re-attestation and misses it; finally lets its validity lapse. What people do
/// (apply, decide, dispute) goes through `Operations` in this process, as the API would.
@Suite("A year in simulated time")
struct YearInSimulatedTimeTests {
    static let fixtures = TestDatabase.repositoryRoot + "/Tests/Fixtures/year/"
    static let routes = fixtures + "routes-as200310-and-every-500th-20240406.csv"
    static let vrps = fixtures + "vrps-covering-those-routes-20250720T093133Z.json"
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    static func time(_ text: String) throws -> Date { try Date(text, strategy: .iso8601) }

    /// The deployment the CLI processes share: the database, a data directory (its maildir
    /// receives the email, since no SMTP relay is set), check tolerances wide enough for the
    /// real snapshots, which are 15 months apart and years older than the simulated clock, and a
    /// sources file naming two local files: the validator's VRP export, fetched hourly, and the
    /// route collector's table, fetched daily.
    struct Deployment {
        let db: FreshDatabase
        let dataDirectory: String
        var maildir: String { dataDirectory + "/maildir/new" }
        var sourcesFile: String { dataDirectory + "/sources.json" }
        /// Where the validator writes its export and the collector its table; a fetch takes the
        /// file's modification time as the snapshot's.
        var validatorExport: String { dataDirectory + "/validator/vrps.json" }
        var collectorTable: String { dataDirectory + "/collector/routes.csv" }
        var seen: Set<String> = []

        init(db: FreshDatabase, dataDirectory: String) throws {
            self.db = db
            self.dataDirectory = dataDirectory
            for folder in ["/validator", "/collector"] {
                try FileManager.default.createDirectory(atPath: dataDirectory + folder, withIntermediateDirectories: true)
            }
            try Data(
                """
                {"sources": [
                  {"name": "rpki-client", "kind": "vrps", "path": "validator/vrps.json", "cadence": "1h"},
                  {"name": "routeviews-rv2", "kind": "routes", "path": "collector/routes.csv", "cadence": "1d"}
                ]}
                """.utf8
            ).write(to: URL(fileURLWithPath: sourcesFile))
        }

        var environment: [String: String] {
            [
                "DATA_DIR": dataDirectory, "CHECK_MAX_AGE_HOURS": "87600", "CHECK_PAIRING_HOURS": "87600",
                "PUBLIC_URL": "https://manrs.example", "SNAPSHOT_SOURCES": sourcesFile,
            ]
        }

        func run(_ arguments: [String]) throws -> CLITests.Run {
            let run = try CLITests.run(arguments, database: db, environment: environment, removing: ["SMTP_URL"])
            #expect(run.status == 0, "manrs-plus \(arguments.joined(separator: " ")): \(run.stdout) \(run.stderr)")
            return run
        }

        /// `jobs run-due` at `time`, then five minutes later so that the delivery job sends what
        /// the first run wrote into the outbox.
        func runDue(_ time: String) throws {
            let at = try YearInSimulatedTimeTests.time(time)
            _ = try run(["jobs", "run-due", "--now", at.formatted(.iso8601)])
            _ = try run(["jobs", "run-due", "--now", at.addingTimeInterval(300).formatted(.iso8601)])
        }

        /// The validator writes `file` as its export at `time` (the file's modification time);
        /// the next `fetch_snapshots` run imports it.
        func exportVRPs(_ file: String, at time: String) throws { try write(file, to: validatorExport, at: time) }

        /// Copies `file` to `path`, modified at `time`.
        func write(_ file: String, to path: String, at time: String) throws {
            try Data(contentsOf: URL(fileURLWithPath: file)).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.modificationDate: try YearInSimulatedTimeTests.time(time)], ofItemAtPath: path)
        }

        /// The email delivered since the last call: "recipient: subject", sorted.
        mutating func newMail() throws -> [String] {
            let files = Set((try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []).subtracting(seen)
            seen.formUnion(files)
            return try files.map { file in
                let mail = try String(contentsOfFile: maildir + "/" + file, encoding: .utf8)
                let headers = mail.components(separatedBy: "\r\n")
                let to = headers.first { $0.hasPrefix("To: ") }.map { String($0.dropFirst(4)) } ?? "?"
                let subject = headers.first { $0.hasPrefix("Subject: ") }.map { String($0.dropFirst(9)) } ?? "?"
                return "\(to): \(subject)"
            }.sorted()
        }
    }

    /// A VRP snapshot derived from the real one: its metadata's build time set to `buildTime`
    /// (so that each derived file is a distinct snapshot, as a later validator run is), `adding`
    /// ROAs and dropping those whose prefix is in `removing`. Written into the test's directory.
    static func derivedVRPs(_ name: String, in directory: String, buildTime: String, adding: [[String: Any]], removing: Set<String> = [])
        throws -> String
    {
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: vrps))) as? [String: Any])
        var metadata = document["metadata"] as? [String: Any] ?? [:]
        metadata["buildtime"] = buildTime
        document["metadata"] = metadata
        let roas = (document["roas"] as? [[String: Any]] ?? []) + adding
        document["roas"] = roas.filter { !removing.contains($0["prefix"] as? String ?? "") }
        let path = directory + "/" + name
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func roa(_ prefix: String, maxLength: Int, expires: Date) -> [String: Any] {
        ["asn": 200310, "prefix": prefix, "maxLength": maxLength, "ta": "ripe", "expires": Int(expires.timeIntervalSince1970)]
    }

    @Test(
        "AS200310 over a year: warned, reminded, suspended, reinstated after fixing its ROAs, a dispute won, then expired; every email and audit event, and the chain intact",
        .timeLimit(.minutes(10)))
    func year() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("year-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var deployment = try Deployment(db: db, dataDirectory: directory)
            let pool = db.pool
            let start = try Self.time("2027-01-01T00:00:00Z")

            // The people, the participant and its verified resources, on 1 January 2027.
            let catalogs = CatalogStore(database: pool)
            _ = try await catalogs.load(
                seeds: try CatalogStore.readSeeds(directory: TestDatabase.schemaDirectory + "/catalog"), context: .system(at: start))
            let users = UserStore(database: pool, passwords: Passwords(cost: 4))
            func person(_ email: String, _ role: UserRole) async throws -> Actor {
                let user = try await users.create(
                    email: email, displayName: email, role: role, password: "a long test password", context: .system(at: start))
                return try #require(try await users.actor(for: user.id))
            }
            let ownerUser = try await person("noc@as200310.example", .applicant)
            let auditor = try await person("auditor@manrs.example", .auditor)
            let secondAuditor = try await person("second-auditor@manrs.example", .auditor)
            let participants = ParticipantStore(database: pool)
            let participant = try await participants.create(
                NewParticipant(legalName: "AS200310 Networks", displayName: "AS200310", country: "NL", website: nil, programs: ["netops"]),
                owner: ownerUser.userID, context: .system(at: start)
            ).id
            let owner = try #require(try await users.actor(for: ownerUser.userID))
            for resource in [
                NewResource(kind: .asn, value: .asn(200310)),
                NewResource(kind: .prefix, value: try ResourceValue.parse("5.45.40.0/23", kind: .prefix)),
                NewResource(kind: .prefix, value: try ResourceValue.parse("5.45.42.0/23", kind: .prefix)),
            ] {
                let added = try await participants.addResource(resource, to: participant, context: .system(at: start))
                _ = try await participants.verifyResource(added.id, of: participant, reason: "RIPE database", url: nil, context: .system(at: start))
            }

            // The collector's table is the real one of April 2024 and the validator's export the
            // real one of July 2025; the server's first fetch imports both.
            try deployment.write(Self.routes, to: deployment.collectorTable, at: "2024-04-06T00:00:00Z")
            try deployment.exportVRPs(Self.vrps, at: "2025-07-20T09:31:33Z")

            // The participant applies for MANRS+ netops; an auditor approves.
            let applications = ApplicationStore(database: pool)
            let reviewStore = ReviewStore(database: pool)
            let reviews = ReviewOperations(
                reviews: reviewStore, applications: ApplicationOperations(applications: applications, catalogs: catalogs), users: users)
            let applicant = ChangeContext(actor: owner, requestID: nil, at: start)
            let application = try await pool.transaction { connection in
                try await applications.create(participant: participant, program: "netops", tier: .plus, context: applicant, on: connection)
            }
            // A commitment and a document for every action MANRS+ netops makes mandatory.
            for action in [
                "netops.1", "netops.2", "netops.3", "netops.4", "netops.plus.rov", "netops.plus.rpki-coverage", "netops.plus.irr-rpki",
                "netops.plus.noc-24x7", "netops.plus.spoofer",
            ] {
                _ = try await applications.setCommitment(application.id, action: action, statement: "We do \(action).", context: applicant)
                _ = try await applications.addEvidence(
                    application.id, action: action,
                    NewEvidence(
                        content: action == "netops.plus.spoofer"
                            ? .url("https://spoofer.caida.org/recent_tests.php?as_include=200310")
                            : .document(
                                fileName: "\(action).pdf", declaredType: "application/pdf", sniffedType: "application/pdf", bytes: Self.pdf),
                        effectiveFrom: "2026-12-01", effectiveUntil: nil, supersedes: nil),
                    context: applicant)
            }
            _ = try await applications.submit(
                application.id, expectedVersion: try await applications.detail(application.id).application.version, context: applicant)
            func decideNext(_ kind: ReviewKind, _ decision: Decision, reasons: String, by auditor: Actor = auditor, at time: Date) async throws {
                let change = ChangeContext(actor: auditor, requestID: nil, at: time)
                let item = try #require(
                    try await reviewStore.queue(QueueFilter(kind: kind, asOf: time), limit: 10).first { $0.participantID == participant })
                _ = try await reviews.claim(item.id, by: auditor, change: change)
                _ = try await reviews.decide(item.id, decision: decision, reasons: reasons, actionComments: [:], by: auditor, change: change)
            }
            // MANRS+ takes two auditors' approvals.
            let granted = try Self.time("2027-01-01T09:00:00Z")
            try await decideNext(.application, .approve, reasons: "Evidence checked.", at: granted.addingTimeInterval(-3600))
            try await decideNext(.application, .approve, reasons: "Evidence checked again.", by: secondAuditor, at: granted)
            let certification = try await pool.query("SELECT id FROM certifications WHERE participant_id = \(participant)")[0].decode(
                0, as: UUID.self)
            let certifications = CertificationStore(database: pool)

            // What happened since the previous step, as lines: each outbox row (event, recipient,
            // the deadline it names), each audit event, and the certification's status.
            var transcript: [String] = []
            var outboxSeen = 0
            var auditSeen = 0
            func step(_ label: String) async throws {
                let rows = try await pool.query(
                    """
                    SELECT event_kind, email, payload->'data'->>'deadline' AS deadline FROM outbox ORDER BY created_at, event_kind, email
                    """)
                let mail = try rows.dropFirst(outboxSeen).map { row in
                    let deadline = try row.decode("deadline", as: String?.self).map { " (\($0))" } ?? ""
                    return "  mail \(try row.decode("event_kind", as: String.self)) to \(try row.decode("email", as: String?.self) ?? "-")\(deadline)"
                }
                outboxSeen = rows.count
                let events = try await pool.query("SELECT action, entity_type FROM audit_events ORDER BY id")
                let audited = try events.dropFirst(auditSeen).map {
                    "  audit \(try $0.decode(0, as: String.self)) \(try $0.decode(1, as: String.self))"
                }
                auditSeen = events.count
                let now = try await certifications.certification(certification).status
                transcript.append("\(label): \(now.rawValue)")
                transcript += mail + audited
            }
            try await step("granted")

            // 2 January: the first check. Neither prefix has a ROA: warned, with 30 days to fix it.
            try deployment.runDue("2027-01-02T00:00:00Z")
            try await step("first check")
            // A week and a day before the deadline: reminded; then suspended when it passes.
            try deployment.runDue("2027-01-25T01:00:00Z")
            try await step("a week before")
            try deployment.runDue("2027-01-31T01:00:00Z")
            try await step("a day before")
            try deployment.runDue("2027-02-01T01:00:00Z")
            try await step("deadline passed")

            // 10 February: the participant publishes ROAs for both prefixes. The validator's next
            // export is the real 2025-07-20 one with these two ROAs added (maxLength 23, RIPE's
            // trust anchor, valid for a year); the server fetches it on its next run.
            let expires = try Self.time("2028-02-10T00:00:00Z")
            let fixed = try Self.derivedVRPs(
                "vrps-20270210-with-as200310.json", in: directory, buildTime: "2027-02-10T08:00:00Z",
                adding: [Self.roa("5.45.40.0/23", maxLength: 23, expires: expires), Self.roa("5.45.42.0/23", maxLength: 23, expires: expires)])
            try deployment.exportVRPs(fixed, at: "2027-02-10T08:00:00Z")
            try deployment.runDue("2027-02-11T00:00:00Z")
            try await step("ROAs published")
            // An auditor reinstates it.
            try await decideNext(
                .reinstatement, .approve, reasons: "Both prefixes are covered by ROAs again; the checks pass.",
                at: try Self.time("2027-02-11T10:00:00Z"))
            try deployment.runDue("2027-02-11T10:05:00Z")
            try await step("reinstated")

            // 1 June: one export lacks the ROA of 5.45.42.0/23 (the same file without it): warned.
            let partial = try Self.derivedVRPs(
                "vrps-20270601-partial.json", in: directory, buildTime: "2027-06-01T00:00:00Z",
                adding: [Self.roa("5.45.40.0/23", maxLength: 23, expires: expires)])
            try deployment.exportVRPs(partial, at: "2027-06-01T00:00:00Z")
            try deployment.runDue("2027-06-01T01:00:00Z")
            try await step("a partial export")
            // The next export has both again. The participant disputes the failed result the
            // same day and an auditor accepts it before the next daily check.
            let whole = try Self.derivedVRPs(
                "vrps-20270601-whole.json", in: directory, buildTime: "2027-06-01T10:00:00Z",
                adding: [Self.roa("5.45.40.0/23", maxLength: 23, expires: expires), Self.roa("5.45.42.0/23", maxLength: 23, expires: expires)])
            try deployment.exportVRPs(whole, at: "2027-06-01T10:00:00Z")
            let failed = try await pool.query(
                """
                SELECT id FROM check_results WHERE certification_id = \(certification) AND verdict = 'fail'
                  AND check_definition->>'kind' = 'rpki_coverage' AND measured_at = \(try Self.time("2027-06-01T01:00:00Z"))
                """)[0].decode(0, as: UUID.self)
            _ = try await reviews.dispute(
                result: failed, participant: participant,
                reason: "Our ROA for 5.45.42.0/23 never lapsed: the validator's export of 1 June missed it, and its next export has it.",
                by: owner, change: ChangeContext(actor: owner, requestID: nil, at: try Self.time("2027-06-01T11:00:00Z")))
            try deployment.runDue("2027-06-01T11:05:00Z")
            try await step("disputed")
            try await decideNext(
                .dispute, .approve, reasons: "The ROA is in the exports before and after: a partial export, not a missing ROA.",
                at: try Self.time("2027-06-01T15:00:00Z"))
            try deployment.runDue("2027-06-01T15:05:00Z")
            try await step("dispute accepted")
            try deployment.runDue("2027-07-02T00:00:00Z")
            try await step("a month later")
            // The server is down from July 2027 to March 2028, over the first re-attestation's
            // window (2 December to its due date, 1 January 2028, 09:00): it opens late, with 30
            // days from then to confirm, and is never confirmed: missed at the next run, warned.
            try deployment.runDue("2028-03-01T00:00:00Z")
            try await step("back after downtime")

            // The validity (36 months for netops) ends on 1 January 2030 without recertification:
            // the recertification opened 90 days before the end is never confirmed. (The second
            // re-attestation's window also falls where no job runs; it does not open late, since
            // the recertification is open by then and asks for the same.)
            try deployment.runDue("2029-12-02T10:00:00Z")
            try await step("a month before the end")
            try deployment.runDue("2030-01-01T10:00:00Z")
            try await step("the end")
            // Every email in order, with the deadline it names, and every audit event: the setup
            // (catalogs, people, resources, the application and its two approvals), then the story.
            #expect(
                transcript == [
                    "granted: active",
                    "  mail review.item_opened to auditor@manrs.example",
                    "  mail review.item_opened to second-auditor@manrs.example",
                    "  mail application.certified to noc@as200310.example",
                    "  audit catalog.published catalog_version",
                    "  audit catalog.published catalog_version",
                    "  audit catalog.published catalog_version",
                    "  audit catalog.published catalog_version",
                    "  audit user.created user",
                    "  audit user.created user",
                    "  audit user.created user",
                    "  audit participant.created participant",
                    "  audit resource.claimed resource",
                    "  audit resource.verified resource",
                    "  audit resource.claimed resource",
                    "  audit resource.verified resource",
                    "  audit resource.claimed resource",
                    "  audit resource.verified resource",
                    "  audit application.created application",
                    "  audit commitment.added commitment",
                    "  audit evidence.added evidence",
                    "  audit commitment.added commitment",
                    "  audit evidence.added evidence",
                    "  audit commitment.added commitment",
                    "  audit evidence.added evidence",
                    "  audit commitment.added commitment",
                    "  audit evidence.added evidence",
                    "  audit commitment.added commitment",
                    "  audit evidence.added evidence",
                    "  audit commitment.added commitment",
                    "  audit evidence.added evidence",
                    "  audit commitment.added commitment",
                    "  audit evidence.added evidence",
                    "  audit commitment.added commitment",
                    "  audit evidence.added evidence",
                    "  audit commitment.added commitment",
                    "  audit evidence.added evidence",
                    "  audit application.submitted application",
                    "  audit application.review_started application",
                    "  audit review.claimed review_item",
                    "  audit review.decided review_item",
                    "  audit review.claimed review_item",
                    "  audit review.decided review_item",
                    "  audit application.approved application",
                    "  audit certification.granted certification",
                    "first check: warned",
                    "  mail certification.warned to noc@as200310.example (2027-02-01T00:00:00Z)",
                    "  audit certification.checked certification",
                    "  audit certification.warned certification",
                    "a week before: warned",
                    "  mail certification.deadline_reminder to noc@as200310.example (2027-02-01T00:00:00Z)",
                    "  mail review.item_opened to auditor@manrs.example",
                    "  mail review.item_opened to second-auditor@manrs.example",
                    "  audit certification.checked certification",
                    "  audit review.opened review_item",
                    "a day before: warned",
                    "  mail certification.deadline_reminder to noc@as200310.example (2027-02-01T00:00:00Z)",
                    "  audit certification.checked certification",
                    "deadline passed: suspended",
                    "  mail certification.suspended to noc@as200310.example (2027-07-31T00:00:00Z)",
                    "  audit certification.suspended certification",
                    "  audit certification.checked certification",
                    "ROAs published: suspended",
                    // The auditors' task of a week before, now overdue: told once, not also "due soon".
                    "  mail review.item_due to auditor@manrs.example",
                    "  mail review.item_due to second-auditor@manrs.example",
                    "  mail review.item_opened to auditor@manrs.example",
                    "  mail review.item_opened to second-auditor@manrs.example",
                    "  audit certification.checked certification",
                    "  audit review.opened review_item",
                    "reinstated: active",
                    "  mail certification.reinstated to noc@as200310.example",
                    "  audit review.claimed review_item",
                    "  audit review.decided review_item",
                    "  audit certification.active certification",
                    "a partial export: warned",
                    "  mail certification.warned to noc@as200310.example (2027-07-01T01:00:00Z)",
                    "  audit certification.checked certification",
                    "  audit certification.warned certification",
                    "disputed: warned",
                    "  mail review.item_opened to auditor@manrs.example",
                    "  mail review.item_opened to second-auditor@manrs.example",
                    "  audit review.dispute_opened review_item",
                    "dispute accepted: active",
                    "  mail dispute.accepted to noc@as200310.example",
                    "  audit review.claimed review_item",
                    "  audit review.decided review_item",
                    "  audit check_result.voided check_result",
                    "  audit certification.active certification",
                    "a month later: active",
                    "  audit certification.checked certification",
                    // Opened late (its due date was 1 January 2028): 30 days from now to confirm.
                    "back after downtime: active",
                    "  mail certification.reattestation_due to noc@as200310.example",
                    "  mail review.item_opened to auditor@manrs.example",
                    "  mail review.item_opened to second-auditor@manrs.example",
                    "  audit review.opened review_item",
                    "  audit certification.checked certification",
                    // Never confirmed: missed, warned (passing checks do not lift it), its item closed;
                    // the recertification opens, and the second re-attestation does not.
                    "a month before the end: warned",
                    "  mail certification.expiry_upcoming to noc@as200310.example (2030-01-01T09:00:00Z)",
                    "  mail certification.recertification_due to noc@as200310.example",
                    "  mail certification.warned to noc@as200310.example (2030-01-01T10:00:00Z)",
                    "  mail review.item_opened to auditor@manrs.example",
                    "  mail review.item_opened to second-auditor@manrs.example",
                    "  audit review.opened review_item",
                    "  audit review.closed review_item",
                    "  audit certification.warned certification",
                    "  audit certification.checked certification",
                    "the end: expired",
                    "  mail certification.expired to noc@as200310.example",
                    "  audit certification.expired certification",
                    // Nothing is left to decide on an expired certification: its open items close.
                    "  audit review.closed review_item",
                    "  audit review.closed review_item",
                ], "\(transcript.joined(separator: "\n"))")

            // The server fetched each source at every run-due its cadence had passed by (the
            // validator's hourly, the collector's daily; the runs five minutes later are within
            // both): a new file imported with its modification time as the snapshot's time, the
            // same bytes again recorded as unchanged, naming the snapshot that holds them.
            let fetches = try await pool.query(
                """
                SELECT f.source_name, f.attempted_at, f.outcome, s.taken_at
                FROM snapshot_fetches f LEFT JOIN measurement_snapshots s ON s.id = f.snapshot_id ORDER BY f.id
                """
            ).map { row in
                let taken = try row.decode("taken_at", as: Date?.self).map { $0.formatted(.iso8601) } ?? "-"
                return "\(try row.decode("attempted_at", as: Date.self).formatted(.iso8601)) \(try row.decode("source_name", as: String.self)) "
                    + "\(try row.decode("outcome", as: String.self)) \(taken)"
            }
            #expect(
                fetches == [
                    "2027-01-02T00:00:00Z rpki-client imported 2025-07-20T09:31:33Z",
                    "2027-01-02T00:00:00Z routeviews-rv2 imported 2024-04-06T00:00:00Z",
                    "2027-01-25T01:00:00Z rpki-client unchanged 2025-07-20T09:31:33Z",
                    "2027-01-25T01:00:00Z routeviews-rv2 unchanged 2024-04-06T00:00:00Z",
                    "2027-01-31T01:00:00Z rpki-client unchanged 2025-07-20T09:31:33Z",
                    "2027-01-31T01:00:00Z routeviews-rv2 unchanged 2024-04-06T00:00:00Z",
                    "2027-02-01T01:00:00Z rpki-client unchanged 2025-07-20T09:31:33Z",
                    "2027-02-01T01:00:00Z routeviews-rv2 unchanged 2024-04-06T00:00:00Z",
                    "2027-02-11T00:00:00Z rpki-client imported 2027-02-10T08:00:00Z",
                    "2027-02-11T00:00:00Z routeviews-rv2 unchanged 2024-04-06T00:00:00Z",
                    "2027-02-11T10:05:00Z rpki-client unchanged 2027-02-10T08:00:00Z",
                    "2027-06-01T01:00:00Z rpki-client imported 2027-06-01T00:00:00Z",
                    "2027-06-01T01:00:00Z routeviews-rv2 unchanged 2024-04-06T00:00:00Z",
                    "2027-06-01T11:05:00Z rpki-client imported 2027-06-01T10:00:00Z",
                    "2027-06-01T15:05:00Z rpki-client unchanged 2027-06-01T10:00:00Z",
                    "2027-07-02T00:00:00Z rpki-client unchanged 2027-06-01T10:00:00Z",
                    "2027-07-02T00:00:00Z routeviews-rv2 unchanged 2024-04-06T00:00:00Z",
                    "2028-03-01T00:00:00Z rpki-client unchanged 2027-06-01T10:00:00Z",
                    "2028-03-01T00:00:00Z routeviews-rv2 unchanged 2024-04-06T00:00:00Z",
                    "2029-12-02T10:00:00Z rpki-client unchanged 2027-06-01T10:00:00Z",
                    "2029-12-02T10:00:00Z routeviews-rv2 unchanged 2024-04-06T00:00:00Z",
                    "2030-01-01T10:00:00Z rpki-client unchanged 2027-06-01T10:00:00Z",
                    "2030-01-01T10:00:00Z routeviews-rv2 unchanged 2024-04-06T00:00:00Z",
                ], "\(fetches.joined(separator: "\n"))")
            // Every snapshot the checks read came through a fetch.
            let notFetched = try await pool.query(
                """
                SELECT count(*) FROM measurement_snapshots
                WHERE id NOT IN (SELECT snapshot_id FROM snapshot_fetches WHERE outcome = 'imported')
                """)[0].decode(0, as: Int.self)
            #expect(notFetched == 0)
            #expect(try await pool.query("SELECT count(*) FROM measurement_snapshots")[0].decode(0, as: Int.self) == 5)

            // Every notification was delivered, one email each, into the maildir.
            let undelivered = try await pool.query("SELECT count(*) FROM outbox WHERE state <> 'delivered'")[0].decode(0, as: Int.self)
            #expect(undelivered == 0)
            #expect(try deployment.newMail().count == outboxSeen)

            let verified = try deployment.run(["audit", "verify"])
            #expect(verified.stdout.contains("Audit chain intact"), "\(verified.stdout)")
        }
    }
}
