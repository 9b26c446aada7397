import Domain
import Foundation
import Jobs
import Outbox
import Postgres
import Store
import TestSupport
import Testing

/// The periodic checks and the enforcement timers, driven by the job runner's time as
/// `jobs run-due --now` drives them, over real snapshots (Tests/Fixtures/checks, derived from
/// ../shared/data as its README says), with the email they send read from the maildir.
@Suite("Periodic checks and enforcement timers")
struct CheckRunTests {
    static let fixtures = TestDatabase.repositoryRoot + "/Tests/Fixtures/checks/"
    /// The fixtures are 15 months apart (routes of April 2024, VRPs of July 2025), and the test's
    /// clock is in November 2026: the tolerance is set explicitly, as the demo sets it.
    static let tolerance = FreshnessPolicy(maximumAge: 1_000 * 86_400, maximumPairing: 500 * 86_400)

    /// A world whose participant (RIPE NCC's AS3333 and 193.0.0.0/21, verified) holds a MANRS+
    /// netops certification granted at `DeliveryTests.at`, with a runner for the check, timer and
    /// delivery jobs on a manual clock.
    static func run(_ body: (DeliveryTests.World, UUID, JobRunner, ManualClock, String) async throws -> Void) async throws {
        let folder = try OutboxTestSupport.temporaryDirectory("checks")
        try await DeliveryTests.run { world in
            let participants = ParticipantStore(database: world.db.pool)
            let system = ChangeContext.system(at: DeliveryTests.at)
            for resource in [
                NewResource(kind: .asn, value: .asn(3333)), NewResource(kind: .prefix, value: try ResourceValue.parse("193.0.0.0/21", kind: .prefix)),
            ] {
                let added = try await participants.addResource(resource, to: world.participant, context: system)
                _ = try await participants.verifyResource(added.id, of: world.participant, reason: "RIPE database", url: nil, context: system)
            }
            try await DeliveryTests.decide(.approve, reasons: "", in: world)
            let certification = try await world.db.pool.query("SELECT id FROM certifications WHERE participant_id = \(world.participant)")[0]
                .decode(0, as: UUID.self)
            // MANRS+ enforces (baseline only notifies): the certification is made plus here.
            try await world.db.pool.execute("UPDATE certifications SET tier = 'plus' WHERE id = \(certification)")
            // The application's own email is sent before the checks start.
            try await world.db.pool.execute("DELETE FROM outbox")

            let snapshots = SnapshotStore(database: world.db.pool)
            _ = try await snapshots.importFile(
                fixtures + "routes-as3333-20240406.csv", kind: .routes, sourceName: "routeviews-rv2-20240406",
                takenAt: try Date("2024-04-06T00:00:00Z", strategy: .iso8601))
            _ = try await snapshots.importFile(
                fixtures + "vrps-as3333-20250720T093133Z-without-193.0.0.0-21.json", kind: .vrps, sourceName: "rpki-client (ROA removed)",
                takenAt: try Date("2025-07-20T09:31:33Z", strategy: .iso8601))

            let clock = ManualClock(DeliveryTests.at)
            let runner = JobRunner(
                store: JobStore(database: world.db.pool),
                registry: JobRegistry([
                    CheckRunJob(store: CheckRunStore(database: world.db.pool, freshness: tolerance)),
                    EnforcementTimersJob(store: EnforcementTimerStore(database: world.db.pool)),
                    NotificationDeliveryJob { try DeliveryTests.delivery(world, maildir: folder + "/mail") },
                ]),
                configuration: JobConfiguration(schedules: [
                    JobSchedule(kind: .runChecks, interval: 3600), JobSchedule(kind: .enforcementTimers, interval: 3600),
                    JobSchedule(kind: .deliverNotifications, interval: 10),
                ]),
                clock: clock, logger: TestDatabase.logger, worker: "run-due")
            try await body(world, certification, runner, clock, folder + "/mail/new")
        }
    }

    /// Runs everything due at `time`, then once more a minute later so the delivery job sends
    /// what the other jobs wrote.
    static func runDue(_ runner: JobRunner, _ clock: ManualClock, at time: Date) async throws {
        clock.set(time)
        _ = try await runner.runDue()
        clock.set(time.addingTimeInterval(60))
        _ = try await runner.runDue()
    }

    /// The plain-text part of a maildir message, decoded from base64.
    static func text(_ path: String) throws -> String {
        let mail = try String(contentsOfFile: path, encoding: .utf8)
        let start = try #require(
            mail.range(of: "Content-Transfer-Encoding: base64\r\n\r\n") ?? mail.range(of: "Content-Transfer-Encoding: base64\n\n"))
        let body = mail[start.upperBound...].prefix { $0 != "-" }.filter { !$0.isWhitespace }
        return String(decoding: try #require(Data(base64Encoded: String(body))), as: UTF8.self)
    }

    static func subjects(_ maildir: String) throws -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []
        return try files.map { file in
            let mail = try String(contentsOfFile: maildir + "/" + file, encoding: .utf8)
            return mail.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") }.map { String($0.dropFirst(9)) } ?? ""
        }.sorted()
    }

    @Test(
        "a missing ROA fails rpki_coverage: warned with the catalog's deadline and an email; a reminder a week before; at the deadline + 1 s suspended; no new application meanwhile"
    )
    func missingROA() async throws {
        try await Self.run { world, certification, runner, clock, maildir in
            let checkedAt = DeliveryTests.at.addingTimeInterval(86_400)
            try await Self.runDue(runner, clock, at: checkedAt)

            let coverage = try #require(
                try await world.db.pool.query(
                    """
                    SELECT verdict, metric_value, explanation, evidence, snapshot_ids, measured_at FROM check_results
                    WHERE certification_id = \(certification) AND check_definition->>'kind' = 'rpki_coverage'
                    """
                ).single)
            #expect(try coverage.decode("verdict", as: String.self) == "fail")
            #expect(try coverage.decode("metric_value", as: Double?.self) == 0)
            #expect(try coverage.decode("evidence", as: [String].self) == ["193.0.0.0/21: no ROA of the certification's ASNs"])
            let explanation = try coverage.decode("explanation", as: String.self)
            #expect(explanation.contains("below the required 100.0 %"))
            // The result says how far apart its inputs were.
            #expect(explanation.contains("15 months apart"))
            #expect(try coverage.decode("snapshot_ids", as: [Int].self).count == 2)
            #expect(try coverage.decode("measured_at", as: Date.self) == checkedAt)

            let certifications = CertificationStore(database: world.db.pool)
            #expect(try await certifications.certification(certification).status == .warned)
            let deadline = try await world.db.pool.query("SELECT enforcement_deadline FROM certifications WHERE id = \(certification)")[0]
                .decode(0, as: Date.self)
            #expect(deadline == checkedAt.addingTimeInterval(30 * 86_400))
            #expect(try Self.subjects(maildir) == ["Your certification is warned: fix it before the deadline"])
            let warning = try Self.text(maildir + "/" + (try FileManager.default.contentsOfDirectory(atPath: maildir))[0])
            #expect(warning.contains("rpki coverage is 0.0 %, below the required 100.0 %"), "\(warning)")
            #expect(warning.contains("before \(SurveillanceRules.moment(deadline))"), "\(warning)")
            #expect(warning.contains("https://manrs.example/participants/\(world.participant.uuidString.lowercased())/results"))

            // Running again at the same time checks nothing twice.
            let results = try await world.db.pool.query("SELECT count(*) FROM check_results")[0].decode(0, as: Int.self)
            clock.set(checkedAt.addingTimeInterval(120))
            _ = try await CheckRunStore(database: world.db.pool, freshness: Self.tolerance).run(at: checkedAt.addingTimeInterval(120))
            #expect(try await world.db.pool.query("SELECT count(*) FROM check_results")[0].decode(0, as: Int.self) == results)

            // A week before the deadline, one reminder; running again sends no second one.
            try await Self.runDue(runner, clock, at: deadline.addingTimeInterval(-7 * 86_400 + 3600))
            try await Self.runDue(runner, clock, at: deadline.addingTimeInterval(-7 * 86_400 + 7200))
            #expect(
                try Self.subjects(maildir) == [
                    // The auditors: two checks in a row without enough data (the routes have no AS paths).
                    "A new item is in the review queue",
                    "Reminder: your certification's deadline is near", "Your certification is warned: fix it before the deadline",
                ])

            // A new application does not end the warning's consequences: refused once suspended.
            try await Self.runDue(runner, clock, at: deadline.addingTimeInterval(1))
            #expect(try await certifications.certification(certification).status == .suspended)
            let transition = try #require(try await EnforcementStore(database: world.db.pool).transitions(of: certification).first)
            #expect(transition.to == .suspended && transition.at == deadline)
            #expect(try Self.subjects(maildir).contains("Your certification is suspended"))
            let refusal = CertificationRules.newApplicationRefusal(program: "netops", latestStatus: .suspended)!
            await #expect(throws: StoreError.conflict(slug: "certification-suspended", detail: refusal.message)) {
                _ = try await world.db.pool.transaction { connection in
                    try await ApplicationStore(database: world.db.pool).create(
                        participant: world.participant, program: "netops", tier: .plus,
                        context: ChangeContext(actor: world.owner, requestID: nil, at: deadline.addingTimeInterval(2)), on: connection)
                }
            }
        }
    }
    @Test(
        "fixed ROAs (a later VRP snapshot) lift the warning at the next daily check; a repeated failure is not emailed again; a resource that lost its verification is flagged once and still measured"
    )
    func fixedAndScopeChanged() async throws {
        try await Self.run { world, certification, runner, clock, maildir in
            let checkedAt = DeliveryTests.at.addingTimeInterval(86_400)
            try await Self.runDue(runner, clock, at: checkedAt)
            let certifications = CertificationStore(database: world.db.pool)
            #expect(try await certifications.certification(certification).status == .warned)

            // The next day, still failing: checked again (daily while warned), not emailed again.
            try await Self.runDue(runner, clock, at: checkedAt.addingTimeInterval(86_400))
            #expect(try await world.db.pool.query("SELECT count(DISTINCT measured_at) FROM check_results")[0].decode(0, as: Int.self) == 2)
            #expect(
                try Self.subjects(maildir) == ["A new item is in the review queue", "Your certification is warned: fix it before the deadline"],
                "\((try? Self.subjects(maildir)) ?? [])")

            // The participant's verified prefix loses its verification: flagged once, still measured.
            let prefix = try #require(try await ParticipantStore(database: world.db.pool).resources(of: world.participant, kind: .prefix).first)
            _ = try await ParticipantStore(database: world.db.pool).unverifyResource(
                prefix.id, of: world.participant, reason: "Registration under review",
                context: .system(at: checkedAt.addingTimeInterval(86_400 + 3600)))

            // The ROAs are fixed: the validator's next run is imported.
            _ = try await SnapshotStore(database: world.db.pool).importFile(
                Self.fixtures + "vrps-as3333-20250720T100143Z.json", kind: .vrps, sourceName: "rpki-client",
                takenAt: try Date("2025-07-20T10:01:43Z", strategy: .iso8601))
            try await Self.runDue(runner, clock, at: checkedAt.addingTimeInterval(2 * 86_400))
            #expect(try await certifications.certification(certification).status == .active)
            #expect(try Self.subjects(maildir).contains("Your certification is in good standing again"))
            let coverage = try await world.db.pool.query(
                """
                SELECT verdict FROM check_results WHERE certification_id = \(certification) AND check_definition->>'kind' = 'rpki_coverage'
                ORDER BY measured_at DESC LIMIT 1
                """)[0].decode(0, as: String.self)
            #expect(coverage == "pass")
            let flags = try await world.db.pool.query("SELECT kind, value FROM certification_scope_flags WHERE certification_id = \(certification)")
            #expect(try flags.map { try $0.decode("value", as: String.self) } == ["193.0.0.0/21"])
            let transition = try #require(try await EnforcementStore(database: world.db.pool).transitions(of: certification).first)
            #expect(transition.from == .warned && transition.to == .active)
        }
    }
}
