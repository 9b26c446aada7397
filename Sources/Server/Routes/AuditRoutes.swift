import Foundation
import Hummingbird
import Store

/// The audit chain's head, for anyone signed in: recording it elsewhere makes a later rewrite of
/// history detectable.
struct AuditRoutes {
    let chain: AuditChain

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("audit/head") { _, context in
            try context.require(.readAuditHead)
            return try JSONResponse(try await chain.head())
        }
    }
}
