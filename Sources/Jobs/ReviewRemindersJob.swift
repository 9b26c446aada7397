import Domain
import Foundation
import Store

/// The recurring `review_reminders` job: tells the auditors of review items near (one working
/// day) or past their due time, once per item and threshold, as of the runner's time.
public struct ReviewRemindersJob: JobHandler {
    public let reviews: ReviewStore

    public init(reviews: ReviewStore) { self.reviews = reviews }

    public var kind: JobKind { .reviewReminders }

    public func run(_ job: Job, at now: Date, worker: String) async throws {
        try await reviews.remindAuditors(at: now)
    }
}
