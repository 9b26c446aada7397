import Domain
import Foundation
import Hummingbird
import Store

/// A participant's check results and enforcement (issue 12 §3/§4), for its members, the
/// auditors and admins, as the other participant reads are authorised.
struct EnforcementRoutes {
    let results: CheckResultStore

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("participants/:participant/results") { request, context in
            let id = try context.participant(requiring: .readParticipant)
            let (limit, cursor) = try request.pagination()
            return try JSONResponse(try await results.results(of: id, limit: limit, cursor: cursor))
        }
        api.get("participants/:participant/enforcement") { _, context in
            let id = try context.participant(requiring: .readParticipant)
            return try JSONResponse(Items(items: try await results.enforcement(of: id)))
        }
    }
}
