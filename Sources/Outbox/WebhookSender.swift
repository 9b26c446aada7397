import AsyncHTTPClient
import Domain
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Routing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Posts signed webhook messages with async-http-client: no redirects followed, a time limit on
/// each delivery, a 2xx answer counts as delivered (Standard Webhooks). Only to the public
/// internet: a name that resolves to a private, loopback or link-local address is not posted to
/// (`WebhookEndpointRules.addressRefusal`), so an endpoint cannot turn deliveries into requests
/// inside the server's network.
public struct WebhookSender: Sendable {
    let client: HTTPClient
    let timeout: Duration
    /// Whether loopback addresses may be posted to (`WEBHOOK_ALLOW_HTTP_LOOPBACK`: tests and the demo).
    let allowLoopback: Bool

    /// How one post went.
    public struct Result: Sendable {
        public let statusCode: Int?
        public let error: String?
        public var succeeded: Bool { error == nil }
    }

    public init(client: HTTPClient = WebhookSender.sharedClient, timeout: Duration = .seconds(15), allowLoopback: Bool = false) {
        self.client = client
        self.timeout = timeout
        self.allowLoopback = allowLoopback
    }

    /// The process's client for webhooks, made once and never shut down (so it outlives every
    /// `Services`): redirects are not followed, connections time out.
    public static let sharedClient: HTTPClient = makeClient()

    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(15))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Posts `body` to `url` with the Standard Webhooks headers for message `id` at `timestamp`.
    public func post(url: String, id: String, timestamp: Int64, body: [UInt8], key: [UInt8]) async -> Result {
        if let refusal = await destinationRefusal(url) { return Result(statusCode: nil, error: refusal) }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "manrs-plus-webhooks")
        for (name, value) in WebhookSignature.headers(id: id, timestamp: timestamp, body: body, key: key) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let seconds = Int64(timeout.components.seconds)
        do {
            let response = try await client.execute(request, deadline: .now() + .seconds(seconds))
            let status = Int(response.status.code)
            // Read at most a little of the answer, so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if (200..<300).contains(status) { return Result(statusCode: status, error: nil) }
            return Result(statusCode: status, error: "The endpoint answered \(status) \(response.status.reasonPhrase).")
        } catch {
            return Result(statusCode: nil, error: "The endpoint could not be reached: \(error).")
        }
    }

    /// Why `url` may not be posted to now, in words for the delivery log, or nil. The name is
    /// resolved here, off the cooperative pool; the client resolves it again when it connects,
    /// so a name whose answers change between the two (DNS rebinding) is not fully covered.
    func destinationRefusal(_ url: String) async -> String? {
        guard let host = URL(string: url)?.host, !host.isEmpty else { return "The endpoint address has no host." }
        if let refusal = WebhookEndpointRules.hostRefusal(host, allowLoopback: allowLoopback) { return refusal.message }
        // A loopback name or a literal address was judged above; only a name is left to resolve.
        guard case .name(let bare) = WebhookEndpointRules.host(host) else { return nil }
        let addresses: [IPAddress]
        do {
            addresses = try await NIOThreadPool.singleton.runIfActive { try Self.resolve(bare) }
        } catch {
            return "The endpoint's name \(bare) could not be resolved: \(error)."
        }
        for address in addresses {
            if let refusal = WebhookEndpointRules.addressRefusal(address, allowLoopback: allowLoopback) {
                return "The endpoint's name \(bare) resolves to \(address): \(refusal.message)"
            }
        }
        return nil
    }

    struct ResolutionError: Error, CustomStringConvertible {
        let description: String
    }

    /// Every address `host` resolves to (getaddrinfo; blocking).
    static func resolve(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else { throw ResolutionError(description: String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let socketAddress = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        addresses.append(IPAddress(family: .v4, bits: UInt128(UInt32(bigEndian: $0.pointee.sin_addr.s_addr)) << 96))
                    }
                case AF_INET6:
                    socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        var bits: UInt128 = 0
                        withUnsafeBytes(of: $0.pointee.sin6_addr) { for byte in $0 { bits = bits << 8 | UInt128(byte) } }
                        addresses.append(IPAddress(family: .v6, bits: bits))
                    }
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
