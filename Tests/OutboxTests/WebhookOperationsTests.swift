import Domain
import Foundation
import Operations
import Store
import TestSupport
import Testing

/// Registering webhook endpoints through the operations: who may, which URLs, what is kept.
@Suite("Webhook endpoints")
struct WebhookOperationsTests {
    @Test("owners register https endpoints and see the secret once; members may not; http is refused; deleting stops deliveries")
    func register() async throws {
        try await DeliveryTests.run { world in
            let operations = WebhookOperations(store: world.store, allowLoopbackHTTP: false)
            let change = ChangeContext(actor: world.owner, requestID: nil, at: DeliveryTests.at)
            do {
                _ = try await operations.register(
                    participant: world.participant, url: "http://hooks.example.org/", description: nil, by: world.owner, change: change)
                Issue.record("http was accepted")
            } catch StoreError.invalid(let fields) {
                #expect(fields.map(\.field) == ["url"] && fields.first?.refusal.code == "webhook_url_not_https")
            }
            await #expect(throws: StoreError.self) {
                _ = try await operations.register(
                    participant: world.participant, url: "https://hooks.example.org/", description: nil, by: world.auditor, change: change)
            }
            let (endpoint, secret) = try await operations.register(
                participant: world.participant, url: " https://hooks.example.org/manrs ", description: "NOC", by: world.owner, change: change)
            #expect(endpoint.url == "https://hooks.example.org/manrs" && secret.hasPrefix("whsec_"))
            // A scheme in capitals (found by the fuzzer: it was a 500 from the schema's CHECK) is stored in lower case.
            let shouted = try await operations.register(
                participant: world.participant, url: "HTTPS://hooks.example.org/Upper", description: nil, by: world.owner, change: change)
            #expect(shouted.endpoint.url == "https://hooks.example.org/Upper")
            try await operations.delete(shouted.endpoint.id, of: world.participant, by: world.owner, change: change)
            #expect(try await operations.endpoints(of: world.participant, by: world.owner).map(\.id) == [endpoint.id])
            try await operations.sendTest(to: endpoint.id, of: world.participant, by: world.owner, change: change)
            try await operations.delete(endpoint.id, of: world.participant, by: world.owner, change: change)
            #expect(try await operations.endpoints(of: world.participant, by: world.owner).isEmpty)
            // The queued test message is given up with the endpoint.
            let state = try await world.db.pool.query("SELECT state FROM outbox")[0].decode(0, as: String.self)
            #expect(state == "failed")
            let events = try await world.db.pool.query(
                "SELECT action FROM audit_events WHERE entity_type = 'webhook_endpoint' ORDER BY id"
            ).map { try $0.decode(0, as: String.self) }
            #expect(events == ["webhook_endpoint.created", "webhook_endpoint.created", "webhook_endpoint.deleted", "webhook_endpoint.deleted"])
        }
    }
}
