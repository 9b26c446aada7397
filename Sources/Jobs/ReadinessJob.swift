import Domain
import Foundation
import Store

/// The recurring `measure_readiness` job: measures every origin ASN from the newest VRP and
/// routes snapshot pair when it has not been measured yet, so bulk checks can show readiness for
/// ASNs without a mark. Running it again on the same pair does nothing.
public struct ReadinessJob: JobHandler {
    public let readiness: ReadinessStore

    public init(readiness: ReadinessStore) { self.readiness = readiness }

    public var kind: JobKind { .measureReadiness }

    public func run(_ job: Job, at now: Date, worker: String) async throws {
        _ = try await readiness.refresh(at: now)
    }
}
