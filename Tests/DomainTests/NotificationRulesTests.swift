import Domain
import Foundation
import Testing

@Suite("Notification rules")
struct NotificationRulesTests {
    @Test("webhook URLs: https anywhere; http only to loopback and only when allowed; no credentials in the URL")
    func webhookURLs() {
        #expect(WebhookEndpointRules.url("https://hooks.example.org/manrs", allowLoopbackHTTP: false) == nil)
        #expect(WebhookEndpointRules.url("http://hooks.example.org/manrs", allowLoopbackHTTP: false)?.code == "webhook_url_not_https")
        #expect(WebhookEndpointRules.url("http://hooks.example.org/manrs", allowLoopbackHTTP: true)?.code == "webhook_url_not_https")
        #expect(WebhookEndpointRules.url("http://127.0.0.1:8080/hook", allowLoopbackHTTP: false)?.code == "webhook_url_not_https")
        #expect(WebhookEndpointRules.url("http://127.0.0.1:8080/hook", allowLoopbackHTTP: true) == nil)
        #expect(WebhookEndpointRules.url("http://[::1]:8080/hook", allowLoopbackHTTP: true) == nil)
        #expect(WebhookEndpointRules.url("http://localhost/hook", allowLoopbackHTTP: true) == nil)
        #expect(WebhookEndpointRules.url("https://user:pw@hooks.example.org/", allowLoopbackHTTP: false)?.code == "invalid_webhook_url")
        #expect(WebhookEndpointRules.url("ftp://hooks.example.org/", allowLoopbackHTTP: true)?.code == "webhook_url_not_https")
        #expect(WebhookEndpointRules.url("hooks.example.org", allowLoopbackHTTP: false)?.code == "invalid_webhook_url")
    }

    @Test("the retry schedule is Standard Webhooks': 8 attempts, then none; a permanent failure is not retried")
    func schedule() {
        let at = Date(timeIntervalSince1970: 1_795_000_000)
        let delays = (1...7).map { DeliverySchedule.nextAttempt(afterAttempts: $0, at: at, permanent: false)?.timeIntervalSince(at) }
        #expect(delays == [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000])
        #expect(DeliverySchedule.nextAttempt(afterAttempts: 8, at: at, permanent: false) == nil)
        #expect(DeliverySchedule.nextAttempt(afterAttempts: 1, at: at, permanent: true) == nil)
    }

    @Test("application outcomes notify; other states do not")
    func events() {
        #expect(NotificationEvent.forApplication(.approved) == .applicationCertified)
        #expect(NotificationEvent.forApplication(.rejected) == .applicationRejected)
        #expect(NotificationEvent.forApplication(.changesRequested) == .applicationChangesRequested)
        for state in [ApplicationState.draft, .submitted, .inReview, .withdrawn] { #expect(NotificationEvent.forApplication(state) == nil) }
    }
}
