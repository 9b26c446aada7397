import Domain
import Foundation
import Store

/// Runs jobs of one kind. A run may be repeated (a retry after an error, or another worker after
/// a lease ended while the work was done but not yet marked), so a handler must be idempotent:
/// running it twice at the same time leaves what running it once leaves.
public protocol JobHandler: Sendable {
    var kind: JobKind { get }
    /// Does the work of `job` as of `now` (the injected clock's time); throwing means retry later.
    func run(_ job: Job, at now: Date, worker: String) async throws
}

/// The handlers this process runs, one per kind, built in the composition root. A worker only
/// takes jobs whose kind it has a handler for.
public struct JobRegistry: Sendable {
    public private(set) var handlers: [JobKind: any JobHandler] = [:]

    public init(_ handlers: [any JobHandler] = []) {
        for handler in handlers { register(handler) }
    }

    /// Adds `handler`, replacing an earlier one of its kind.
    public mutating func register(_ handler: any JobHandler) { handlers[handler.kind] = handler }

    public var kinds: [JobKind] { JobKind.allCases.filter { handlers[$0] != nil } }

    public func handler(for kind: JobKind) -> (any JobHandler)? { handlers[kind] }
}
