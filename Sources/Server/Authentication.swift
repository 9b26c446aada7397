import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Finds who is asking: an API token in `Authorization: Bearer …`, or a browser session cookie.
/// A token that is sent but not valid is refused outright (401) rather than treated as anonymous,
/// so a revoked token fails loudly.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let users: UserStore

    static let sessionCookie = "manrs_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw Problem.unauthenticated("Only 'Authorization: Bearer <token>' is understood.")
            }
            guard let actor = try await users.authenticate(token: String(parts[1]).trimmingCharacters(in: .whitespaces), at: context.now) else {
                throw Problem.unauthenticated("The token is unknown, expired or revoked.")
            }
            context.actor = actor
        } else if let secret = request.cookies[Self.sessionCookie]?.value, let session = try await users.session(secret, at: context.now) {
            context.actor = session.actor
            context.session = session
            // A cookie rides along on cross-site requests: state changes through it need the CSRF token.
            if !Self.safeMethods.contains(request.method) && request.uri.path.hasPrefix("/api/") {
                guard let sent = request.headers[.csrfToken], Secrets.constantTimeEquals(sent, session.csrfToken) else {
                    throw Problem.forbidden("A change made with a browser session needs the X-CSRF-Token header of that session.")
                }
            }
        }
        if let actor = context.actor {
            context.logger[metadataKey: "user.id"] = .string(actor.userID.uuidString.lowercased())
        }
        return try await next(request, context)
    }

    static let safeMethods: Set<HTTPRequest.Method> = [.get, .head, .options]
}

extension HTTPField.Name {
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
}

/// ETags are the row's version, quoted: `"3"`.
enum ETag {
    static func value(_ version: Int) -> String { "\"\(version)\"" }

    /// The version named by `If-Match`, required on updates: 428 when absent, 412 when it is
    /// not a version of ours (so it cannot match).
    static func expectedVersion(_ request: Request) throws(Problem) -> Int {
        guard let header = request.headers[.ifMatch] else { throw Problem.versionRequired }
        var text = header.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        guard text.count >= 3, text.first == "\"", text.last == "\"", let version = Int(text.dropFirst().dropLast()), version > 0 else {
            throw Problem(
                type: Problem.typePrefix + "stale-version", title: "Precondition failed", status: .preconditionFailed,
                detail: "If-Match must be an ETag this server sent, such as \"3\"."
            )
        }
        return version
    }
}
