import Domain
import Foundation
import Hummingbird
import Operations
import Store

/// A participant's webhook endpoints (`/participants/{id}/webhooks…`): its owners register,
/// list and delete them, send a test event and read the delivery log.
struct WebhookRoutes {
    let operations: WebhookOperations

    struct EndpointInput: Codable {
        var url: String
        var description: String?
    }

    /// The answer to a registration: the endpoint and its secret, shown this once.
    struct Registered: Encodable {
        let endpoint: WebhookEndpoint
        let secret: String
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("participants/:participant/webhooks") { _, context in
            let id = try context.participant(requiring: .manageWebhooks)
            return try JSONResponse(Items(items: try await operations.endpoints(of: id, by: try context.signedIn())))
        }
        api.post("participants/:participant/webhooks") { request, context in
            let id = try context.participant(requiring: .manageWebhooks)
            let input = try await request.strictJSON(as: EndpointInput.self, context: context).value
            let (endpoint, secret) = try await operations.register(
                participant: id, url: input.url, description: input.description, by: try context.signedIn(), change: context.change)
            return try JSONResponse(
                Registered(endpoint: endpoint, secret: secret), status: .created,
                location: "/api/v1/participants/\(id.uuidString.lowercased())/webhooks/\(endpoint.id.uuidString.lowercased())")
        }
        api.delete("participants/:participant/webhooks/:endpoint") { _, context in
            let id = try context.participant(requiring: .manageWebhooks)
            try await operations.delete(try context.parameters.uuid("endpoint"), of: id, by: try context.signedIn(), change: context.change)
            return Response(status: .noContent)
        }
        api.post("participants/:participant/webhooks/:endpoint/test") { _, context in
            let id = try context.participant(requiring: .manageWebhooks)
            try await operations.sendTest(to: try context.parameters.uuid("endpoint"), of: id, by: try context.signedIn(), change: context.change)
            return Response(status: .accepted)
        }
        api.get("participants/:participant/webhooks/:endpoint/deliveries") { request, context in
            let id = try context.participant(requiring: .manageWebhooks)
            let limit = try request.limit()
            return try JSONResponse(
                Items(
                    items: try await operations.deliveries(
                        of: try context.parameters.uuid("endpoint"), participant: id, limit: limit, by: try context.signedIn())))
        }
    }
}
