import Domain
import Foundation
import Hummingbird
import Jobs
import Store

/// The snapshot sources for admins: each configured source with its last attempt, last
/// success and last failure (`GET /api/v1/admin/sources`, and the `/admin/sources` page).
struct SourceRoutes {
    /// The sources file (`SNAPSHOT_SOURCES`), nil when none is configured.
    let sourcesFile: String?
    let fetches: SnapshotFetchStore

    /// One attempt as the API shows it.
    struct FetchView: Encodable {
        let id: Int64
        let outcome: String
        let attemptedAt: Date
        let snapshotID: Int?
        let httpStatus: Int?
        let etag: String?
        let lastModified: String?
        let sha256: String?
        let bytes: Int64?
        let durationMilliseconds: Int
        let error: String?

        enum CodingKeys: String, CodingKey {
            case id, outcome, etag, sha256, bytes, error
            case attemptedAt = "attempted_at"
            case snapshotID = "snapshot_id"
            case httpStatus = "http_status"
            case lastModified = "last_modified"
            case durationMilliseconds = "duration_ms"
        }

        init(_ fetch: SnapshotFetch) {
            id = fetch.id
            outcome = fetch.outcome.rawValue
            attemptedAt = fetch.attemptedAt
            snapshotID = fetch.snapshotID
            httpStatus = fetch.httpStatus
            etag = fetch.etag
            lastModified = fetch.lastModified
            sha256 = fetch.sha256
            bytes = fetch.bytes
            durationMilliseconds = fetch.durationMilliseconds
            error = fetch.error
        }
    }

    /// One configured source and how its fetches went.
    struct SourceView: Encodable {
        let name: String
        let kind: String
        let location: String
        let cadenceSeconds: Int
        let maxBytes: Int64
        let timeoutSeconds: Int
        /// When the job will next fetch it (now, if it never was).
        let nextDueAt: Date?
        let lastAttempt: FetchView?
        let lastSuccess: FetchView?
        let lastFailure: FetchView?

        enum CodingKeys: String, CodingKey {
            case name, kind, location
            case cadenceSeconds = "cadence_seconds"
            case maxBytes = "max_bytes"
            case timeoutSeconds = "timeout_seconds"
            case nextDueAt = "next_due_at"
            case lastAttempt = "last_attempt"
            case lastSuccess = "last_success"
            case lastFailure = "last_failure"
        }
    }

    /// The list, and why the file cannot be read when it cannot.
    struct SourcesView: Encodable {
        let file: String?
        let problem: String?
        let items: [SourceView]
    }

    /// Reads the sources file and each source's status (shared by the API and the page).
    func readout() async throws -> SourcesView {
        guard let sourcesFile else { return SourcesView(file: nil, problem: nil, items: []) }
        let list: SnapshotSourceList
        do {
            list = try SnapshotSourceList.load(path: sourcesFile)
        } catch {
            return SourcesView(file: sourcesFile, problem: error.description, items: [])
        }
        var items: [SourceView] = []
        for source in list.sources {
            let status = try await fetches.status(of: source.name)
            items.append(
                SourceView(
                    name: source.name, kind: source.kind.rawValue, location: source.location.description, cadenceSeconds: Int(source.cadence),
                    maxBytes: source.maxBytes, timeoutSeconds: Int(source.timeout),
                    nextDueAt: status.lastAttempt.map { $0.attemptedAt.addingTimeInterval(source.cadence) },
                    lastAttempt: status.lastAttempt.map(FetchView.init), lastSuccess: status.lastSuccess.map(FetchView.init),
                    lastFailure: status.lastFailure.map(FetchView.init)))
        }
        return SourcesView(file: sourcesFile, problem: nil, items: items)
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("admin/sources") { _, context in
            try context.require(.readJobs)
            return try JSONResponse(try await readout())
        }
    }
}
