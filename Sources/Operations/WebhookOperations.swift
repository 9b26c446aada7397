import Domain
import Foundation
import Store

/// A participant's webhook endpoints, for its owners (and the secretariat): register, list,
/// delete, send a test event, read the delivery log. Authorised once with `Access.decide`
/// (`manageWebhooks`), the URL checked by `WebhookEndpointRules`.
public struct WebhookOperations: Sendable {
    public let store: NotificationStore
    /// Whether http:// to a loopback address is accepted (tests and the demo only).
    public let allowLoopbackHTTP: Bool

    public init(store: NotificationStore, allowLoopbackHTTP: Bool) {
        self.store = store
        self.allowLoopbackHTTP = allowLoopbackHTTP
    }

    /// Registers an endpoint; the secret in the answer is shown this once.
    public func register(
        participant: UUID, url: String, description: String?, by actor: Actor, change: ChangeContext
    ) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        try Authorise.check(.manageWebhooks, actor, participant: participant)
        let url = WebhookEndpointRules.normalised(InputRules.trimmed(url))
        let description = InputRules.trimmed(description)
        var refusals: [FieldRefusal] = []
        if let refusal = WebhookEndpointRules.url(url, allowLoopbackHTTP: allowLoopbackHTTP) {
            refusals.append(FieldRefusal("url", refusal.code, refusal.message))
        }
        if description.count > Limits.webhookDescription.max {
            refusals.append(FieldRefusal("description", "too_long", "Keep the description to \(Limits.webhookDescription.max) characters."))
        }
        try refuse(refusals)
        return try await store.createEndpoint(participant: participant, url: url, description: description, by: actor.userID, context: change)
    }

    public func endpoints(of participant: UUID, by actor: Actor) async throws -> [WebhookEndpoint] {
        try Authorise.check(.manageWebhooks, actor, participant: participant)
        return try await store.endpoints(of: participant)
    }

    public func delete(_ endpoint: UUID, of participant: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.manageWebhooks, actor, participant: participant)
        try await store.deleteEndpoint(endpoint, of: participant, context: change)
    }

    /// Queues a `webhook.test` event to the endpoint; the next delivery run sends it.
    public func sendTest(to endpoint: UUID, of participant: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.manageWebhooks, actor, participant: participant)
        try await store.sendTest(to: endpoint, of: participant, context: change)
    }

    public func deliveries(of endpoint: UUID, participant: UUID, limit: Int, by actor: Actor) async throws -> [DeliveryAttempt] {
        try Authorise.check(.manageWebhooks, actor, participant: participant)
        return try await store.deliveries(of: endpoint, participant: participant, limit: limit)
    }
}
