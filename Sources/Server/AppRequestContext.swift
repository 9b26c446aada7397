import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Store

/// Per-request state: the request id and the body limit (set by `RequestIDMiddleware`), and who
/// is asking (set by `AuthenticationMiddleware`).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String = "-"
    public var bodyLimit: Int = 1 << 20
    /// The authenticated user, nil when anonymous.
    public var actor: Actor?
    /// Set when the request came with a browser session cookie rather than a token.
    public var session: BrowserSession?
    /// The client's IP address, for login rate limiting: the peer's, or behind a trusted proxy
    /// the one it forwarded (`ClientAddress`). The peer's is written out only when asked for:
    /// few requests need it.
    public var remoteAddress: String? {
        get { resolvedAddress ?? peer?.ipAddress }
        set { resolvedAddress = .some(newValue) }
    }
    private var peer: SocketAddress?
    private var resolvedAddress: String?? = nil
    /// The moment the request arrived, from the application's clock (`RequestIDMiddleware`):
    /// every rule and every row the request writes uses this one time.
    public var now: Date = .distantPast

    public init(source: Source) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { bodyLimit }
}

/// Gives each request an id and echoes it on the response, errors included: the caller's
/// `X-Request-Id` when it is sane, else the one Hummingbird gave the request and already put on
/// its log lines (`hb.request.id`). A caller's own id is added to the log lines as `request.id`.
/// Setting log metadata copies the logger's storage: every request setting its own id took
/// about 4 % of the server's CPU on a cached read (`perf`, docs/reliability.md).
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let bodyLimit: Int
    var trustedProxies: Set<String> = []
    var clock: any WallClock = SystemClock()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id: String
        if let given = request.headers[.requestID].flatMap(Self.acceptable) {
            id = given
            context.logger[metadataKey: "request.id"] = .string(given)
        } else if let framework = context.logger[metadataKey: "hb.request.id"] {
            id = Self.padded(framework.description)
        } else {
            // A logger Hummingbird did not prepare (none in the server itself): an id of the same form.
            id = Self.padded(RequestID().description)
            context.logger[metadataKey: "request.id"] = .string(id)
        }
        context.requestID = id
        context.now = clock.now()
        context.bodyLimit = bodyLimit
        if !trustedProxies.isEmpty {
            context.remoteAddress = ClientAddress.resolve(
                peer: context.remoteAddress, forwardedFor: request.headers[values: .xForwardedFor], trusted: trustedProxies)
        }
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    /// Accepts up to 128 characters of `[A-Za-z0-9._:-]`, so an id cannot inject into logs or headers.
    static func acceptable(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
            })
        else { return nil }
        return value
    }

    /// Hummingbird's id (a random 64-bit prefix per process, then a counter, in hex) as 32 hex
    /// digits: the prefix is written without its leading zeros.
    static func padded(_ id: String) -> String {
        let count = id.utf8.count
        return count >= 32 ? id : String(repeating: "0", count: 32 - count) + id
    }
}

/// Turns every error into `application/problem+json`. Deliberate problems pass through; the
/// framework's HTTP errors keep their status; anything else is a bare 500 whose detail goes
/// only to the log.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response(instance: context.requestID)
        } catch let error as StoreError where !error.isInternal {
            return Problem.from(error).response(instance: context.requestID)
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            // The framework's own errors (unknown route, body over the limit, bad URI).
            let problem: Problem =
                switch error.status.code {
                case 404: .notFound()
                case 413: .bodyTooLarge(limit: context.bodyLimit)
                default: .http(error.status, detail: (error as? HTTPError)?.body)
                }
            return problem.response(instance: context.requestID)
        } catch {
            context.logger.error(
                "Request failed",
                metadata: ["error": "\(String(reflecting: error))", "http.method": "\(request.method)", "http.path": "\(request.uri.path)"]
            )
            return Problem.internalError.response(instance: context.requestID)
        }
    }
}

/// Who the client is when proxies stand in between.
enum ClientAddress {
    /// The peer, unless it is a trusted proxy: then the right-most `X-Forwarded-For` address that
    /// is not itself a trusted proxy (the left part of the header is the client's to forge).
    static func resolve(peer: String?, forwardedFor: [String], trusted: Set<String>) -> String? {
        guard let peer, trusted.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !trusted.contains(hop) {
            // Only something that reads as an address; anything else falls back to the proxy.
            guard hop.count <= 45, hop.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else { return peer }
            return hop
        }
        return peer
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}

extension AppRequestContext {
    /// Stops the request unless the rules allow `operation` (401 without credentials, 403 with
    /// the rule's words otherwise); returns the actor.
    @discardableResult
    func require(_ operation: Permission, participant: UUID? = nil) throws(Problem) -> Actor {
        switch Access.decide(operation, actor: actor, participant: participant) {
        case .allowed:
            // Public operations never ask for an actor; anything that does needs one.
            guard let actor else { throw Problem.unauthenticated() }
            return actor
        case .unauthenticated: throw Problem.unauthenticated()
        case .forbidden(let rule): throw Problem.forbidden(rule)
        }
    }

    /// The `:participant` of the path, once the rules allow `operation` on it: the id and its
    /// check in one call, so no participant route reads one without the other.
    func participant(requiring operation: Permission) throws -> UUID {
        let id = try parameters.uuid("participant")
        try require(operation, participant: id)
        return id
    }

    /// The change context for the store: who and which request.
    var change: ChangeContext { ChangeContext(actor: actor, requestID: requestID, at: now) }
}
