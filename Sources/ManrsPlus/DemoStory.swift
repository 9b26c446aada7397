import Domain
import Foundation
import Operations
import Server
import Store

/// The demo's story (`schema/demo/demo.json`, `story`): real snapshots imported as
/// `manrs-plus import` imports them, certifications granted through applications that the demo
/// auditors approve, then moved only through the real enforcement path: the scheduled jobs run
/// at simulated times (as `jobs run-due --now` runs them), an auditor revokes for cause, an owner
/// withdraws. Every step happens at its own time, in order, so time never runs backwards.
struct DemoStory: Decodable {
    struct Snapshot: Decodable {
        let kind: SnapshotKind
        let file: String
        let source: String
        let takenAt: Date

        enum CodingKeys: String, CodingKey {
            case kind, file, source
            case takenAt = "taken_at"
        }
    }

    struct Certification: Decodable {
        let participant: String
        let program: String
        let tier: Tier
        let grantedDaysAgo: Int
        let expect: CertificationStatus
        let revokedDaysAgo: Int?
        let withdrawnDaysAgo: Int?
        let reason: String?

        enum CodingKeys: String, CodingKey {
            case participant, program, tier, expect, reason
            case grantedDaysAgo = "granted_days_ago"
            case revokedDaysAgo = "revoked_days_ago"
            case withdrawnDaysAgo = "withdrawn_days_ago"
        }
    }

    let snapshots: [Snapshot]
    let jobRunsDaysAgo: [Int]
    let certifications: [Certification]

    enum CodingKeys: String, CodingKey {
        case snapshots, certifications
        case jobRunsDaysAgo = "job_runs_days_ago"
    }

    /// The story's file, read with dates in ISO 8601.
    static func read(path: String) throws -> DemoStory {
        struct File: Decodable { let story: DemoStory }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(File.self, from: data).story
    }

    /// The time the story starts: the earliest grant.
    func start(endingAt now: Date) -> Date {
        now.addingTimeInterval(-Double((certifications.map(\.grantedDaysAgo).max() ?? 0) + 1) * 86_400)
    }

    /// What happened, for the command's output.
    struct Outcome {
        var imported: [String] = []
        var statuses: [(participant: String, status: CertificationStatus, expected: CertificationStatus)] = []
        var jobRuns: [Date] = []
    }

    /// Whether the story was played on this database before: certifications exist.
    static func alreadyPlayed(_ services: Services) async throws -> Bool {
        try await services.database.query("SELECT count(*) FROM certifications")[0].decode(0, as: Int.self) > 0
    }

    /// When this database's jobs last ran, if later than `time`: a story starting at `time` would
    /// make time run backwards, which the job runner refuses.
    static func jobsRanAfter(_ time: Date, _ services: Services) async throws -> Date? {
        let latest: Date? = try await services.database.query(
            "SELECT greatest((SELECT latest FROM job_clock), (SELECT max(finished_at) FROM jobs)) AS latest")[0].decode("latest")
        return latest.flatMap { $0 > time ? $0 : nil }
    }

    /// Plays the story on `services`, whose clock is `clock` (set to each step's time).
    func play(on services: Services, clock: ManualClock, dataDirectory: String, now: Date, log: (String) -> Void) async throws -> Outcome {
        var outcome = Outcome()
        for snapshot in snapshots {
            let path = dataDirectory + "/" + snapshot.file
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure("The demo needs \(path) (the shared data set); give its folder with --data-directory.")
            }
            let started = ContinuousClock.now
            switch try await services.snapshots.importFile(path, kind: snapshot.kind, sourceName: snapshot.source, takenAt: snapshot.takenAt) {
            case .imported(let imported):
                log(
                    "Imported \(snapshot.file): \(imported.records) \(snapshot.kind.rawValue) records (\(Self.seconds(ContinuousClock.now - started)))."
                )
                outcome.imported.append(snapshot.file)
            case .alreadyImported:
                log("Already imported: \(snapshot.file).")
            }
        }
        let actors = try await Actors(services)
        func day(_ daysAgo: Int) -> Date { now.addingTimeInterval(-Double(daysAgo) * 86_400) }

        // Each step at its time, in time order: grants, job runs, revocations, withdrawals.
        enum Step {
            case grant(Certification)
            case runJobs
            case revoke(Certification)
            case withdraw(Certification)
        }
        var steps: [(at: Date, order: Int, step: Step)] = []
        for certification in certifications {
            steps.append((day(certification.grantedDaysAgo), 0, .grant(certification)))
            if let days = certification.revokedDaysAgo { steps.append((day(days), 2, .revoke(certification))) }
            if let days = certification.withdrawnDaysAgo { steps.append((day(days), 2, .withdraw(certification))) }
        }
        for days in jobRunsDaysAgo { steps.append((day(days), 1, .runJobs)) }
        steps.sort { ($0.at, $0.order) < ($1.at, $1.order) }

        var granted: [String: UUID] = [:]
        for (at, _, step) in steps {
            clock.set(at)
            switch step {
            case .grant(let certification):
                granted[certification.participant] = try await grant(certification, at: at, actors: actors, services: services)
            case .runJobs:
                let started = ContinuousClock.now
                let summary = try await services.jobs.runDue()
                // A minute later, so the delivery job sends what the others wrote.
                clock.set(at.addingTimeInterval(60))
                _ = try await services.jobs.runDue()
                log("Ran the jobs due at \(at.formatted(.iso8601)): \(summary.done) done (\(Self.seconds(ContinuousClock.now - started))).")
                outcome.jobRuns.append(at)
            case .revoke(let certification):
                let change = ChangeContext(actor: actors.auditor, requestID: nil, at: at)
                _ = try await services.operations.reviews.revokeForCause(
                    certification: try id(granted, certification), reason: certification.reason, by: actors.auditor, change: change)
            case .withdraw(let certification):
                let id = try id(granted, certification)
                let participant = try await services.database.query("SELECT participant_id FROM certifications WHERE id = \(id)")[0]
                    .decode(0, as: UUID.self)
                let owner = try await actors.owner(of: participant) ?? actors.admin
                _ = try await services.operations.reviews.withdraw(
                    certification: id, participant: participant, reason: certification.reason, by: owner,
                    change: ChangeContext(actor: owner, requestID: nil, at: at))
            }
        }
        for certification in certifications {
            let status = try await CertificationStore(database: services.database).certification(try id(granted, certification)).status
            outcome.statuses.append((certification.participant, status, certification.expect))
        }
        return outcome
    }

    private func id(_ granted: [String: UUID], _ certification: Certification) throws -> UUID {
        guard let id = granted[certification.participant] else { throw CommandFailure("\(certification.participant) was not granted") }
        return id
    }

    /// The demo's people, as the operations see them.
    struct Actors {
        let services: Services
        let admin: Actor
        let auditor: Actor
        let secondAuditor: Actor

        init(_ services: Services) async throws {
            self.services = services
            func actor(_ email: String) async throws -> Actor {
                guard
                    let row = try await services.database.query("SELECT id FROM users WHERE lower(email) = lower(\(email))").single,
                    let actor = try await services.users.actor(for: try row.decode(0, as: UUID.self))
                else { throw CommandFailure("The demo user \(email) is missing.") }
                return actor
            }
            admin = try await actor("admin@demo.example")
            auditor = try await actor("auditor@demo.example")
            secondAuditor = try await actor("auditor2@demo.example")
        }

        /// The participant's first owner, if it has one.
        func owner(of participant: UUID) async throws -> Actor? {
            guard
                let row = try await services.database.query(
                    "SELECT user_id FROM memberships WHERE participant_id = \(participant) AND role = 'owner' ORDER BY created_at LIMIT 1"
                ).single
            else { return nil }
            return try await services.users.actor(for: try row.decode(0, as: UUID.self))
        }
    }

    /// An application for `certification`'s program and tier, committing to the tier's mandatory
    /// actions and enough of each admission group, with the evidence each action asks for; then
    /// approved by the demo auditor (and the second auditor for MANRS+). Returns the certification.
    private func grant(_ certification: Certification, at time: Date, actors: Actors, services: Services) async throws -> UUID {
        guard
            let row = try await services.database.query("SELECT id FROM participants WHERE legal_name = \(certification.participant)").single
        else { throw CommandFailure("The demo participant \(certification.participant) is missing.") }
        let participant = try row.decode(0, as: UUID.self)
        let applicant = try await actors.owner(of: participant) ?? actors.admin
        let change = ChangeContext(actor: applicant, requestID: nil, at: time)
        let applications = services.operations.applications
        let application = try await applications.create(
            participant: participant, program: certification.program, tier: certification.tier, by: applicant, change: change)
        let catalog = try await services.catalogs.version(application.catalogVersion, of: certification.program).document
        var committed = Set<String>()
        let actions = catalog.actions(at: certification.tier)
        for action in actions where action.isMandatory(at: certification.tier) { committed.insert(action.code) }
        for group in catalog.admission[certification.tier]?.groups ?? [] {
            for code in group.of where Set(group.of).intersection(committed).count < group.min { committed.insert(code) }
        }
        let from = Self.isoDay(time.addingTimeInterval(-30 * 86_400))
        for action in actions where committed.contains(action.code) {
            _ = try await applications.commit(
                application.id, action: action.code,
                statement: "Demo statement: \(action.title) is in place (the demo's words, not the network's own).", by: applicant,
                change: change)
            if action.evidence.contains(.document) {
                _ = try await applications.addEvidence(
                    application.id, action: action.code,
                    EvidenceDraft(
                        content: .document(
                            fileName: "demo-evidence.pdf", declaredType: "application/pdf", sniffedType: "application/pdf", bytes: Self.pdf),
                        effectiveFrom: from, effectiveUntil: nil),
                    by: applicant, change: change)
            }
            if action.evidence.contains(.url) {
                _ = try await applications.addEvidence(
                    application.id, action: action.code,
                    EvidenceDraft(content: .url("https://www.manrs.org/"), effectiveFrom: from, effectiveUntil: nil), by: applicant,
                    change: change)
            }
        }
        let detail = try await services.applications.detail(application.id)
        _ = try await applications.submit(application.id, expectedVersion: detail.application.version, by: applicant, change: change)
        let reviewers = certification.tier == .plus ? [actors.auditor, actors.secondAuditor] : [actors.auditor]
        for reviewer in reviewers {
            let decided = ChangeContext(actor: reviewer, requestID: nil, at: time)
            guard
                let item = try await services.reviews.queue(QueueFilter(asOf: time), limit: 1_000).first(where: {
                    $0.applicationID == application.id
                })
            else { throw CommandFailure("The application of \(certification.participant) is not in the review queue.") }
            _ = try await services.operations.reviews.claim(item.id, by: reviewer, change: decided)
            _ = try await services.operations.reviews.decide(
                item.id, decision: .approve, reasons: "Demo approval.", actionComments: [:], by: reviewer, change: decided)
        }
        guard let id = try await services.applications.detail(application.id).certificationID else {
            throw CommandFailure("The application of \(certification.participant) was approved but no certification was granted.")
        }
        return id
    }

    /// A one-page PDF's bytes, enough for the evidence rules (`%PDF-`).
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    /// A duration as "12.3 s".
    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    static func isoDay(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
