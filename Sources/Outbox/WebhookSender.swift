import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Posts signed webhook messages with async-http-client: no redirects followed, a time limit on
/// each delivery, a 2xx answer counts as delivered (Standard Webhooks).
public struct WebhookSender: Sendable {
    let client: HTTPClient
    let timeout: Duration

    /// How one post went.
    public struct Result: Sendable {
        public let statusCode: Int?
        public let error: String?
        public var succeeded: Bool { error == nil }
    }

    public init(client: HTTPClient = WebhookSender.sharedClient, timeout: Duration = .seconds(15)) {
        self.client = client
        self.timeout = timeout
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
}
