import Domain
import Foundation
import Store

/// A store whose scheduled work is one pass at a time (`run(at:)`), safe to repeat: a second
/// run at the same time, or by another worker, does nothing twice.
public protocol ScheduledPass: Sendable {
    associatedtype Summary
    /// The job kind that runs this pass.
    static var jobKind: JobKind { get }
    func run(at time: Date) async throws -> Summary
}

/// The recurring job of a `ScheduledPass`: runs the store's pass at the run's time.
public struct PassJob<Pass: ScheduledPass>: JobHandler {
    public let store: Pass

    public init(store: Pass) { self.store = store }

    public var kind: JobKind { Pass.jobKind }

    public func run(_ job: Job, at now: Date, worker: String) async throws {
        _ = try await store.run(at: now)
    }
}

/// `run_checks`: measures the certifications whose checks are due and applies what their
/// results make happen (`CheckRunStore`); a certification checked at a time is not due again then.
public typealias CheckRunJob = PassJob<CheckRunStore>
/// `enforcement_timers`: deadlines and validity ends that have passed, and the reminders before
/// them (`EnforcementTimerStore`), each reminder sent once.
public typealias EnforcementTimersJob = PassJob<EnforcementTimerStore>
/// `renewals`: re-attestations and recertifications opened when due (late after downtime), and
/// `.reattestationMissed` for those whose deadline passed unconfirmed (`RenewalStore`), each once.
public typealias RenewalsJob = PassJob<RenewalStore>

extension CheckRunStore: ScheduledPass {
    public static var jobKind: JobKind { .runChecks }
}

extension EnforcementTimerStore: ScheduledPass {
    public static var jobKind: JobKind { .enforcementTimers }
}

extension RenewalStore: ScheduledPass {
    public static var jobKind: JobKind { .renewals }
}
