import Domain
import Foundation
import Jobs
import Outbox
import Store
import TestSupport
import Testing

/// The outbox is sent by a job: what a decision queued reaches the maildir when the recurring
/// `deliver_notifications` job runs, as `jobs run-due --now` and the workers run it.
@Suite("Notification delivery as a job")
struct DeliveryJobTests {
    @Test("run-due at the decision's time sends the auditor's and the certification emails once; a later run sends nothing again")
    func deliveredByTheJob() async throws {
        let folder = try OutboxTestSupport.temporaryDirectory("job")
        try await DeliveryTests.run { world in
            try await DeliveryTests.decide(.approve, reasons: "", in: world)
            let clock = ManualClock(DeliveryTests.at.addingTimeInterval(1))
            let store = JobStore(database: world.db.pool)
            let runner = JobRunner(
                store: store,
                registry: JobRegistry([NotificationDeliveryJob { try DeliveryTests.delivery(world, maildir: folder + "/mail") }]),
                configuration: JobConfiguration(schedules: [JobSchedule(kind: .deliverNotifications, interval: 10)]), clock: clock,
                logger: TestDatabase.logger, worker: "run-due")
            let summary = try await runner.runDue()
            #expect(summary.done >= 1)
            // Two emails: the auditor told of the submitted application, the owner of its certification.
            let mails = try FileManager.default.contentsOfDirectory(atPath: folder + "/mail/new").map {
                try String(contentsOfFile: folder + "/mail/new/" + $0, encoding: .utf8)
            }
            #expect(mails.count == 2)
            #expect(mails.contains { $0.contains("To: owner@example.org") && $0.contains("Subject: Your application is certified") })
            let states = try await world.db.pool.query("SELECT state FROM outbox").map { try $0.decode(0, as: String.self) }
            #expect(states == ["delivered", "delivered"])

            clock.set(DeliveryTests.at.addingTimeInterval(60))
            _ = try await runner.runDue()
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/mail/new").count == 2)
        }
    }
}
