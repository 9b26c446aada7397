import Domain
import Foundation
import Logging
import Outbox
import Postgres
import Store
import TestSupport
import Testing

/// The outbox end to end against the real PostgreSQL: a review decision writes its
/// notifications in its own transaction; `deliverDue` puts the email into the maildir and posts
/// the webhook to a local receiver, whose signature Python's hmac verifies.
@Suite("Notification delivery")
struct DeliveryTests {
    static let at = Date(timeIntervalSince1970: 1_795_000_000)
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    struct World {
        let db: FreshDatabase
        let store: NotificationStore
        let participant: UUID
        let owner: Actor
        let auditor: Actor
    }

    /// A world on a fresh database whose catalogs `catalogs` publishes (by default the seeds of
    /// schema/catalog, as `catalog load` does).
    static func run(catalogs: (FreshDatabase) async throws -> Void = DeliveryTests.loadSeeds, _ body: (World) async throws -> Void) async throws {
        try await TestDatabase.withDatabase { db in
            try await catalogs(db)
            let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
            func actor(_ email: String, _ role: UserRole) async throws -> Actor {
                let user = try await users.create(
                    email: email, displayName: email, role: role, password: "a long test password", context: .system(at: at))
                return try #require(try await users.actor(for: user.id))
            }
            let owner = try await actor("owner@example.org", .applicant)
            let participant = try await ParticipantStore(database: db.pool).create(
                NewParticipant(legalName: "Example Networks", displayName: "EXNET", country: "NL", website: nil, programs: ["netops"]),
                owner: owner.userID, context: .system(at: at))
            let world = World(
                db: db, store: NotificationStore(database: db.pool, sealer: OutboxTestSupport.sealer), participant: participant.id,
                owner: try #require(try await users.actor(for: owner.userID)), auditor: try await actor("auditor@example.org", .auditor))
            try await body(world)
        }
    }

    /// Publishes the seed catalogs of schema/catalog as `catalog load` does.
    static func loadSeeds(_ db: FreshDatabase) async throws {
        _ = try await CatalogStore(database: db.pool).load(
            seeds: try CatalogStore.readSeeds(directory: TestDatabase.schemaDirectory + "/catalog"), context: .system(at: at))
    }

    /// An application of the world's participant, submitted, claimed and decided by the auditor.
    static func decide(_ decision: Decision, reasons: String, in world: World) async throws {
        let applications = ApplicationStore(database: world.db.pool)
        let reviews = ReviewStore(database: world.db.pool)
        let applicant = ChangeContext(actor: world.owner, requestID: nil, at: at)
        let auditor = ChangeContext(actor: world.auditor, requestID: nil, at: at)
        let application = try await world.db.pool.transaction { connection in
            try await applications.create(participant: world.participant, program: "netops", tier: .baseline, context: applicant, on: connection)
        }
        _ = try await applications.setCommitment(application.id, action: "netops.1", statement: "Filters on all sessions.", context: applicant)
        _ = try await applications.addEvidence(
            application.id, action: "netops.1",
            NewEvidence(
                content: .document(fileName: "filters.pdf", declaredType: "application/pdf", sniffedType: "application/pdf", bytes: Self.pdf),
                effectiveFrom: "2026-01-01", effectiveUntil: nil, supersedes: nil),
            context: applicant)
        let detail = try await applications.detail(application.id)
        _ = try await applications.submit(application.id, expectedVersion: detail.application.version, context: applicant)
        let item = try #require(try await reviews.queue(QueueFilter(asOf: at), limit: 10).first { $0.applicationID == application.id })
        let reviewer = try await reviews.reviewer(world.auditor)
        _ = try await reviews.claim(item.id, reviewer: reviewer, context: auditor)
        _ = try await reviews.decide(item.id, decision: decision, actionComments: [:], reasons: reasons, reviewer: reviewer, context: auditor)
    }

    static func delivery(_ world: World, maildir: String) throws -> NotificationDelivery {
        NotificationDelivery(
            store: world.store, mailer: .maildir(Maildir(root: maildir)), from: "manrs-plus@example.org",
            renderer: try EmailRenderer(templatesDirectory: TestDatabase.repositoryRoot + "/templates", baseURL: "https://manrs.example"),
            webhooks: WebhookSender(timeout: .seconds(20), allowLoopback: true), logger: Logger(label: "outbox-test"))
    }

    @Test(
        "a certification writes an email to the owner and a webhook in the decision's transaction; delivery puts the email in the maildir and the webhook verifies in Python"
    )
    func endToEnd() async throws {
        let folder = try OutboxTestSupport.temporaryDirectory("e2e")
        let record = folder + "/received.jsonl"
        try await Self.run { world in
            // The receiver is given the secret only after registration: start it with a placeholder
            // port first is not possible, so register, then start it and point the endpoint at it.
            let registered = try await world.store.createEndpoint(
                participant: world.participant, url: "http://127.0.0.1:9/hook", description: "ops", by: world.owner.userID,
                context: ChangeContext(actor: world.owner, requestID: nil, at: Self.at))
            #expect(registered.secret.hasPrefix("whsec_"))
            let receiver = try HelperProcess(python: "/usr/bin/python3", script: "webhook_receiver.py", arguments: [registered.secret, record])
            try await world.db.pool.execute(
                "UPDATE webhook_endpoints SET url = \("http://127.0.0.1:\(receiver.port)/hook") WHERE id = \(registered.endpoint.id)")
            // The secret is sealed at rest, never stored in clear.
            let sealed = try await world.db.pool.query("SELECT secret_sealed FROM webhook_endpoints")[0].decode(0, as: Data.self)
            #expect(!String(decoding: sealed, as: UTF8.self).contains(registered.secret.dropFirst(6)))

            try await Self.decide(.approve, reasons: "", in: world)
            // The submission told the auditor of the new application in the queue (email only).
            let opened = try await world.db.pool.query("SELECT channel, email FROM outbox WHERE event_kind = 'review.item_opened'")
            #expect(opened.count == 1)
            #expect(try opened.first?.decode("email", as: String?.self) == "auditor@example.org")
            let rows = try await world.db.pool.query(
                "SELECT channel, event_kind, email, state FROM outbox WHERE event_kind <> 'review.item_opened' ORDER BY channel")
            #expect(rows.count == 2)
            #expect(try rows[0].decode("channel", as: String.self) == "email" && rows[0].decode("email", as: String?.self) == "owner@example.org")
            #expect(try rows[1].decode("channel", as: String.self) == "webhook")
            #expect(try rows.allSatisfy { try $0.decode("event_kind", as: String.self) == "application.certified" })

            let delivery = try Self.delivery(world, maildir: folder + "/mail")
            // Nothing is due before the decision's time.
            #expect(try await delivery.deliverDue(at: Self.at.addingTimeInterval(-1), limit: 10).attempted == 0)
            let report = try await delivery.deliverDue(at: Self.at.addingTimeInterval(1), limit: 10)
            #expect(report.delivered == 3 && report.attempted == 3)
            // Delivered rows are not sent again.
            #expect(try await delivery.deliverDue(at: Self.at.addingTimeInterval(3600), limit: 10).attempted == 0)

            let mails = try FileManager.default.contentsOfDirectory(atPath: folder + "/mail/new").map {
                try String(contentsOfFile: folder + "/mail/new/" + $0, encoding: .utf8)
            }
            #expect(mails.count == 2)
            #expect(mails.contains { $0.contains("To: auditor@example.org") && $0.contains("Subject: A new item is in the review queue") })
            let mail = try #require(mails.first { $0.contains("To: owner@example.org") })
            #expect(mail.contains("Subject: Your application is certified"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/mail/tmp").isEmpty)

            let received = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n")
            #expect(received.count == 1)
            let line = try #require(try JSONSerialization.jsonObject(with: Data(received[0].utf8)) as? [String: Any])
            #expect(line["valid"] as? Bool == true)
            #expect(line["timestamp"] as? String == String(Int(Self.at.timeIntervalSince1970) + 1))
            let body = try #require(line["body"] as? [String: Any])
            #expect(body["type"] as? String == "application.certified")
            #expect((body["data"] as? [String: Any])?["participant_id"] as? String == world.participant.uuidString.lowercased())

            let log = try await world.store.deliveries(of: registered.endpoint.id, participant: world.participant, limit: 10)
            #expect(log.count == 1 && log[0].succeeded && log[0].statusCode == 204 && log[0].event == .applicationCertified)
            _ = receiver
        }
    }

    @Test("a failing endpoint is retried on the Standard Webhooks schedule, each attempt in the delivery log, then given up")
    func retries() async throws {
        let folder = try OutboxTestSupport.temporaryDirectory("retry")
        try await Self.run { world in
            let change = ChangeContext(actor: world.owner, requestID: nil, at: Self.at)
            let registered = try await world.store.createEndpoint(
                participant: world.participant, url: "http://127.0.0.1:9/hook", description: "", by: world.owner.userID, context: change)
            let receiver = try HelperProcess(
                python: "/usr/bin/python3", script: "webhook_receiver.py", arguments: [registered.secret, folder + "/received.jsonl", "503"])
            try await world.db.pool.execute(
                "UPDATE webhook_endpoints SET url = \("http://127.0.0.1:\(receiver.port)/hook") WHERE id = \(registered.endpoint.id)")
            try await world.store.sendTest(to: registered.endpoint.id, of: world.participant, context: change)
            let delivery = try Self.delivery(world, maildir: folder + "/mail")
            var now = Self.at
            for (attempt, delay) in DeliverySchedule.retryDelays.enumerated() {
                let report = try await delivery.deliverDue(at: now, limit: 10)
                #expect(report.retrying == 1, "attempt \(attempt + 1)")
                // One second before the next attempt is due, nothing is.
                #expect(try await delivery.deliverDue(at: now.addingTimeInterval(delay - 1), limit: 10).attempted == 0)
                now = now.addingTimeInterval(delay)
            }
            let last = try await delivery.deliverDue(at: now, limit: 10)
            #expect(last.failed == 1)
            #expect(try await delivery.deliverDue(at: now.addingTimeInterval(86_400), limit: 10).attempted == 0)
            let log = try await world.store.deliveries(of: registered.endpoint.id, participant: world.participant, limit: 100)
            #expect(log.count == DeliverySchedule.retryDelays.count + 1)
            #expect(log.allSatisfy { !$0.succeeded && $0.statusCode == 503 && $0.event == .webhookTest })
            let state = try await world.db.pool.query("SELECT state, attempts FROM outbox")[0]
            #expect(try state.decode("state", as: String.self) == "failed" && state.decode("attempts", as: Int32.self) == 8)
            _ = receiver
        }
    }

    @Test("a delivery is never posted to a loopback, private or link-local address, even one stored before the rule or by a name")
    func deliveriesReachOnlyThePublicInternet() async {
        let sender = WebhookSender(timeout: .seconds(5), allowLoopback: false)
        for url in ["http://127.0.0.1:9/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]:9/x", "https://localhost:9/x"] {
            let result = await sender.post(url: url, id: "msg_1", timestamp: 1_795_000_000, body: Array("{}".utf8), key: Array("secret".utf8))
            #expect(result.statusCode == nil, "\(url)")
            #expect(result.error?.contains("must be on the public internet") == true, "\(url): \(result.error ?? "")")
        }
        // Allowed for tests and the demo, loopback is then tried (and port 9 is closed).
        let loopback = await WebhookSender(timeout: .seconds(5), allowLoopback: true).post(
            url: "http://127.0.0.1:9/hook", id: "msg_2", timestamp: 1_795_000_000, body: Array("{}".utf8), key: Array("secret".utf8))
        #expect(loopback.error?.contains("could not be reached") == true)
    }
}
