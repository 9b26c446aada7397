import Domain
import Foundation
import Store

/// The recurring `fetch_snapshots` job: reads the `SNAPSHOT_SOURCES` file (each run, so an edit
/// takes effect without a restart) and fetches each source that is due. A source that fails is
/// recorded as failed and does not fail the job; a file that cannot be read does, visibly.
/// Running it twice at one time fetches nothing twice: the second run finds every source attempted.
public struct SnapshotFetchJob: JobHandler {
    /// The sources file; nil when none is configured (the job then does nothing).
    public let sourcesFile: String?
    public let fetcher: SnapshotFetcher

    public init(sourcesFile: String?, fetcher: SnapshotFetcher) {
        self.sourcesFile = sourcesFile
        self.fetcher = fetcher
    }

    public var kind: JobKind { .fetchSnapshots }

    public func run(_ job: Job, at now: Date, worker: String) async throws {
        guard let sourcesFile else { return }
        let list = try SnapshotSourceList.load(path: sourcesFile)
        try await fetcher.fetchDue(list.sources, at: now)
    }
}
