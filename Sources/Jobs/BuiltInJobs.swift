import Domain
import Foundation
import Store

/// The recurring `housekeeping` job: removes expired sessions and idempotency keys, old
/// sign-in attempts and old account links as of the clock's time. Running it twice removes nothing more.
public struct HousekeepingJob: JobHandler {
    public let housekeeping: Housekeeping
    public let loginLimits: LoginLimits

    public init(housekeeping: Housekeeping, loginLimits: LoginLimits = LoginLimits()) {
        self.housekeeping = housekeeping
        self.loginLimits = loginLimits
    }

    public var kind: JobKind { .housekeeping }

    public func run(_ job: Job, at now: Date, worker: String) async throws {
        try await housekeeping.purge(at: now, login: loginLimits)
    }
}

/// The `probe` job: records which worker ran it. With a payload `{"seconds": n}` its first
/// attempt waits n seconds before that (so a test can kill its worker mid-run and see the retry
/// finish promptly); with `{"fail": true}` it fails.
public struct ProbeJob: JobHandler {
    public let store: JobStore

    public init(store: JobStore) { self.store = store }

    public var kind: JobKind { .probe }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String { "The probe was asked to fail." }
    }

    public func run(_ job: Job, at now: Date, worker: String) async throws {
        if case .object(let fields) = job.payload {
            if case .number(let seconds)? = fields["seconds"], seconds > 0, job.attempts == 1 {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            }
            if case .bool(true)? = fields["fail"] { throw Failure() }
        }
        try await store.recordProbe(job: job.id, worker: worker, at: now)
    }
}
