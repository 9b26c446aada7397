import Domain
import Foundation
import Store

/// The recurring `run_checks` job: measures the certifications whose checks are due at the
/// run's time and applies what their results make happen (`CheckRunStore`). Running it twice at
/// one time checks nothing twice: a certification checked at that time is not due again.
public struct CheckRunJob: JobHandler {
    public let store: CheckRunStore

    public init(store: CheckRunStore) { self.store = store }

    public var kind: JobKind { .runChecks }

    public func run(_ job: Job, at now: Date, worker: String) async throws {
        _ = try await store.run(at: now)
    }
}

/// The recurring `enforcement_timers` job: deadlines and validity ends that have passed, and
/// the reminders before them (`EnforcementTimerStore`). Each reminder is sent once.
public struct EnforcementTimersJob: JobHandler {
    public let store: EnforcementTimerStore

    public init(store: EnforcementTimerStore) { self.store = store }

    public var kind: JobKind { .enforcementTimers }

    public func run(_ job: Job, at now: Date, worker: String) async throws {
        _ = try await store.run(at: now)
    }
}

/// The recurring `renewals` job: re-attestations and recertifications opened when due, and
/// `.reattestationMissed` for those whose due date passed unconfirmed (`RenewalStore`). Each is
/// opened and missed once.
public struct RenewalsJob: JobHandler {
    public let store: RenewalStore

    public init(store: RenewalStore) { self.store = store }

    public var kind: JobKind { .renewals }

    public func run(_ job: Job, at now: Date, worker: String) async throws {
        _ = try await store.run(at: now)
    }
}
