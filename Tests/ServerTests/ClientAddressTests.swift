import Testing

@testable import Server

/// Whose address the sign-in limits count, with and without a reverse proxy in front.
@Suite("Client address behind proxies")
struct ClientAddressTests {
    @Test("the peer counts unless it is a trusted proxy; then the right-most untrusted forwarded address")
    func resolve() {
        let proxy: Set<String> = ["10.0.0.5", "10.0.0.6"]
        // No trusted proxies: the header is anyone's to forge, so it is ignored.
        #expect(ClientAddress.resolve(peer: "192.0.2.7", forwardedFor: ["198.51.100.1"], trusted: []) == "192.0.2.7")
        #expect(ClientAddress.resolve(peer: "192.0.2.7", forwardedFor: ["198.51.100.1"], trusted: proxy) == "192.0.2.7")
        // Behind the proxy: the address it saw, not what the client claimed on the left.
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.9, 198.51.100.1"], trusted: proxy) == "198.51.100.1")
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.9", "198.51.100.1, 10.0.0.6"], trusted: proxy) == "198.51.100.1")
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["2001:db8::1"], trusted: proxy) == "2001:db8::1")
        // Nothing usable forwarded: the proxy itself.
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: [], trusted: proxy) == "10.0.0.5")
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["<script>"], trusted: proxy) == "10.0.0.5")
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: ["198.51.100.1"], trusted: proxy) == nil)
    }

    @Test("TRUSTED_PROXIES takes addresses and refuses anything else in one line")
    func setting() throws {
        let settings = try Settings.load(environment: ["TRUSTED_PROXIES": "10.0.0.5, 2001:db8::1"])
        #expect(settings.trustedProxies == ["10.0.0.5", "2001:db8::1"])
        #expect(throws: SettingsError.self) { try Settings.load(environment: ["TRUSTED_PROXIES": "10.0.0.0/8"]) }
        #expect(try Settings.load(environment: [:]).trustedProxies.isEmpty)
    }
}
