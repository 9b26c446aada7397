import Domain
import Foundation
import Hummingbird
import Postgres
import Store

/// A response that holds a secret shown once (a token, a one-time password).
protocol CarriesSecret: Encodable {
    /// The same response with the secret left out (null), as stored for replays.
    func withoutSecret() -> Self
}

/// Runs creating requests so that an `Idempotency-Key` makes a retry safe: the same key and
/// body replay the first response (with `Idempotent-Replayed: true`), the same key with another
/// body is a 422, and the key is recorded in the transaction that creates the resource.
struct Idempotency {
    let database: PostgresPool

    typealias Creation<Body: Encodable> = (status: HTTPResponse.Status, location: String?, body: Body)

    func respond<Body: Encodable>(
        to request: Request, context: AppRequestContext, body: Data,
        _ create: @escaping (PostgresConnection) async throws -> Creation<Body>
    ) async throws -> Response {
        guard let key = request.headers[.idempotencyKey] else {
            let created = try await database.transaction { connection in try await create(connection) }
            return try JSONResponse(created.body, status: created.status, location: created.location).response(from: request, context: context)
        }
        guard (Limits.idempotencyKey.min...Limits.idempotencyKey.max).contains(key.count),
            key.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline })
        else {
            throw Problem.invalid("Idempotency-Key", "invalid", "Idempotency-Key is 1 to \(Limits.idempotencyKey.max) visible ASCII characters.")
        }
        let actor = try context.require(.readOwnAccount)
        let fingerprint = request.fingerprint(body: body)
        let stored: (StoredResponse, replayed: Bool) = try await database.transaction { connection in
            switch try await IdempotencyStore.claim(key: key, userID: actor.userID, requestHash: fingerprint, at: context.now, on: connection) {
            case .mismatch:
                throw Problem.idempotencyKeyReused
            case .replay(let response):
                return (response, true)
            case .fresh:
                let created = try await create(connection)
                let response = StoredResponse(
                    status: Int(created.status.code), location: created.location, body: try JSONEncoder.api.encode(created.body)
                )
                // Secrets are never stored: a replay of a token or account creation comes without them.
                let kept =
                    (created.body as? any CarriesSecret).map { secretBearing in
                        StoredResponse(
                            status: response.status, location: response.location,
                            body: (try? JSONEncoder.api.encode(secretBearing.withoutSecret())) ?? Data())
                    } ?? response
                try await IdempotencyStore.record(kept, key: key, userID: actor.userID, on: connection)
                return (response, false)
            }
        }
        var response = try JSONResponse(
            data: stored.0.body, status: HTTPResponse.Status(code: stored.0.status), location: stored.0.location
        ).response(from: request, context: context)
        if stored.replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }
}
