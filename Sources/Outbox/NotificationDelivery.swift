import Domain
import Foundation
import Logging
import Store

/// Where email goes: an SMTP relay when `SMTP_URL` is set, otherwise a maildir under `DATA_DIR`.
public enum Mailer: Sendable {
    case smtp(SMTPClient)
    case maildir(Maildir)
}

/// What one `deliverDue` run did.
public struct DeliveryReport: Sendable, Equatable {
    public var delivered = 0
    /// Failed attempts that will be retried on the schedule.
    public var retrying = 0
    /// Failed attempts after which the row is given up (permanent failure or no attempt left).
    public var failed = 0

    public init() {}

    public var attempted: Int { delivered + retrying + failed }
}

/// Delivers the outbox: takes due rows (`FOR UPDATE SKIP LOCKED`, leased), sends each by email
/// or webhook, records the attempt and the next one on the Standard Webhooks schedule. Called by
/// a job; safe to run from several processes at once.
public struct NotificationDelivery: Sendable {
    let store: NotificationStore
    let mailer: Mailer
    let from: String
    let renderer: EmailRenderer
    let webhooks: WebhookSender
    let logger: Logger

    public init(store: NotificationStore, mailer: Mailer, from: String, renderer: EmailRenderer, webhooks: WebhookSender, logger: Logger) {
        self.store = store
        self.mailer = mailer
        self.from = from
        self.renderer = renderer
        self.webhooks = webhooks
        self.logger = logger
    }

    /// Attempts every notification due at `now`, at most `limit`, and records each attempt at `now`.
    public func deliverDue(at now: Date, limit: Int) async throws -> DeliveryReport {
        var report = DeliveryReport()
        for notification in try await store.takeDue(at: now, limit: limit) {
            let started = ContinuousClock.now
            var outcome = await attempt(notification, at: now)
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            outcome = AttemptOutcome(
                statusCode: outcome.statusCode, duration: seconds, succeeded: outcome.succeeded, permanent: outcome.permanent, error: outcome.error)
            try await store.record(notification, outcome, at: now)
            if outcome.succeeded {
                report.delivered += 1
            } else if !outcome.permanent, DeliverySchedule.nextAttempt(afterAttempts: notification.attempts + 1, at: now, permanent: false) != nil {
                report.retrying += 1
            } else {
                report.failed += 1
            }
            if !outcome.succeeded {
                logger.notice(
                    "notification delivery failed",
                    metadata: [
                        "outbox_id": "\(notification.id.uuidString.lowercased())", "channel": "\(notification.channel.rawValue)",
                        "attempt": "\(notification.attempts + 1)", "error": "\(outcome.error ?? "")",
                    ])
            }
        }
        return report
    }

    func attempt(_ notification: DueNotification, at now: Date) async -> AttemptOutcome {
        switch notification.channel {
        case .webhook:
            guard let url = notification.endpointURL, let key = notification.signingKey else {
                return AttemptOutcome(statusCode: nil, duration: 0, succeeded: false, permanent: true, error: "The endpoint was deleted.")
            }
            let body: [UInt8]
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                body = Array(try encoder.encode(notification.payload))
            } catch {
                return AttemptOutcome(statusCode: nil, duration: 0, succeeded: false, permanent: true, error: "\(error)")
            }
            let result = await webhooks.post(
                url: url, id: notification.messageID, timestamp: Int64(now.timeIntervalSince1970.rounded(.down)), body: body, key: key)
            return AttemptOutcome(statusCode: result.statusCode, duration: 0, succeeded: result.succeeded, error: result.error)
        case .email:
            guard let to = notification.email else {
                return AttemptOutcome(statusCode: nil, duration: 0, succeeded: false, permanent: true, error: "The notification has no address.")
            }
            let (subject, text, html) = renderer.render(notification.event, notification.payload)
            let message = EmailMessage(from: from, to: to, subject: subject, text: text, html: html, messageID: notification.messageID, date: now)
            do {
                switch mailer {
                case .smtp(let client): try await client.send(from: from, to: [to], message: message.rendered())
                case .maildir(let maildir): try maildir.deliver(Array(message.rendered().utf8), uniqueName: notification.messageID)
                }
                return AttemptOutcome(statusCode: nil, duration: 0, succeeded: true, error: nil)
            } catch let error as MailError {
                if case .permanent = error {
                    return AttemptOutcome(statusCode: nil, duration: 0, succeeded: false, permanent: true, error: error.description)
                }
                return AttemptOutcome(statusCode: nil, duration: 0, succeeded: false, error: error.description)
            } catch {
                return AttemptOutcome(statusCode: nil, duration: 0, succeeded: false, error: "\(error)")
            }
        }
    }
}
