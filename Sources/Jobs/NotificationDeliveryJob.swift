import Domain
import Foundation
import Outbox
import Store

/// The recurring `deliver_notifications` job: sends what the outbox holds that is due (email,
/// webhooks), each row taken once across processes and retried on its own schedule. Running it
/// twice sends nothing twice: a delivered row is never taken again.
public struct NotificationDeliveryJob: JobHandler {
    /// Builds the delivery for a run (it reads the email templates: a missing one fails the
    /// run, visibly, and the job is retried).
    let delivery: @Sendable () throws -> NotificationDelivery
    /// The most rows one run sends; the rest wait for the next run.
    public let batch: Int

    public init(batch: Int = 200, delivery: @escaping @Sendable () throws -> NotificationDelivery) {
        self.batch = batch
        self.delivery = delivery
    }

    public var kind: JobKind { .deliverNotifications }

    public func run(_ job: Job, at now: Date, worker: String) async throws {
        _ = try await delivery().deliverDue(at: now, limit: batch)
    }
}
