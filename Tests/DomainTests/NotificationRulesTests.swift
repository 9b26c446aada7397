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

    @Test("webhook URLs reach only the public internet: private, loopback, link-local and numeric spellings of them are refused")
    func webhookURLsArePublic() {
        let notPublic = [
            "https://169.254.169.254/latest/meta-data", "https://10.0.0.1/x", "https://192.168.1.1/x", "https://172.16.0.1/x",
            "https://100.64.0.1/x", "https://127.0.0.1/x", "https://0.0.0.0/x", "https://[::1]/x", "https://[fe80::1]/x", "https://[fd00::1]/x",
            "https://[::ffff:127.0.0.1]/x", "https://localhost/x", "https://api.localhost/x", "https://224.0.0.1/x",
        ]
        for url in notPublic {
            #expect(WebhookEndpointRules.url(url, allowLoopbackHTTP: false)?.code == "webhook_url_not_public", "\(url)")
        }
        // Spellings that resolvers read as 127.0.0.1 are not host names.
        for url in ["https://2130706433/x", "https://0x7f000001/x", "https://0177.0.0.1/x", "https://127.1/x"] {
            #expect(WebhookEndpointRules.url(url, allowLoopbackHTTP: false)?.code == "invalid_webhook_url", "\(url)")
        }
        #expect(WebhookEndpointRules.url("https://193.0.6.139/hook", allowLoopbackHTTP: false) == nil)
        #expect(WebhookEndpointRules.url("https://[2001:67c:2e8:22::c100:68b]/hook", allowLoopbackHTTP: false) == nil)
        #expect(WebhookEndpointRules.url("https://hooks.example.org:8443/x", allowLoopbackHTTP: false) == nil)
        // Tests and the demo may post to loopback; still not to a private network.
        #expect(WebhookEndpointRules.url("https://127.0.0.1:9/x", allowLoopbackHTTP: true) == nil)
        #expect(WebhookEndpointRules.url("https://10.0.0.1/x", allowLoopbackHTTP: true)?.code == "webhook_url_not_public")
        #expect(WebhookEndpointRules.url("http://127.evil.example/x", allowLoopbackHTTP: true)?.code == "webhook_url_not_https")
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
