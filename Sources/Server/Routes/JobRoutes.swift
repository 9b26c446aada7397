import Domain
import Foundation
import Hummingbird
import Store

/// The job queue for the secretariat: what is queued, running, done or parked as failed, with
/// the last error of each.
struct JobRoutes {
    let jobs: JobStore

    /// One job as the API shows it.
    struct JobView: Encodable {
        let id: Int64
        let kind: String
        let state: String
        let dueAt: Date
        let attempts: Int
        let maxAttempts: Int
        let leaseUntil: Date?
        let lastError: String?
        let createdAt: Date
        let finishedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, kind, state, attempts
            case dueAt = "due_at"
            case maxAttempts = "max_attempts"
            case leaseUntil = "lease_until"
            case lastError = "last_error"
            case createdAt = "created_at"
            case finishedAt = "finished_at"
        }

        init(_ job: Job) {
            id = job.id
            kind = job.kind.rawValue
            state = job.state.rawValue
            dueAt = job.dueAt
            attempts = job.attempts
            maxAttempts = job.maxAttempts
            leaseUntil = job.leaseUntil
            lastError = job.lastError
            createdAt = job.createdAt
            finishedAt = job.finishedAt
        }
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("admin/jobs") { request, context in
            try context.require(.readJobs)
            var states = JobState.allCases
            if let text = request.uri.queryParameters["state"].map(String.init) {
                guard let state = JobState(rawValue: text) else {
                    throw Problem.invalid("state", "invalid", "The state is one of queued, running, done or failed.")
                }
                states = [state]
            }
            return try JSONResponse(Items(items: try await jobs.list(states: states, limit: 200).map(JobView.init)))
        }
    }
}
