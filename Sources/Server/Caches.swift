import Foundation
import Logging
import Postgres
import ServiceLifecycle
import Store

/// The caches of one process and the LISTEN session that keeps them honest.
public struct Caches: Sendable {
    public let invalidation: CacheInvalidation
    /// API tokens and browser sessions.
    public let credentials: CredentialCache
    /// The public catalog reads, as encoded responses.
    let catalogs: ResponseCache<CatalogRead>
    /// `GET /participants/{id}`, as encoded responses with their ETag.
    let participants: ResponseCache<UUID>
    /// The public mark reads (verify, marks, status lists, the issuer's keys, badges), encoded
    /// with their ETag; any `marks` change drops them all.
    let marks: MemoryCache<PublicRead, PublicResponse>

    public init(configuration: PostgresConfiguration, logger: Logger) {
        invalidation = CacheInvalidation(configuration: configuration, logger: logger)
        credentials = CredentialCache()
        catalogs = MemoryCache<CatalogRead, JSONResponse>(name: "catalogs", capacity: 1_000) { topic, key, _ in
            guard case .catalog(let code) = topic else { return false }
            return key.program == nil || key.program == code
        }
        participants = MemoryCache<UUID, JSONResponse>(name: "participants", capacity: 10_000) { topic, id, _ in
            topic == .participant(id)
        }
        marks = MemoryCache<PublicRead, PublicResponse>(name: "marks", capacity: 100_000) { topic, _, _ in topic == .marks }
        credentials.register(with: invalidation)
        invalidation.register(catalogs)
        invalidation.register(participants)
        invalidation.register(marks)
    }
}

/// Encoded responses by a key of the route's, so a hit costs no query and no encoding.
typealias ResponseCache<Key: Hashable & Sendable> = MemoryCache<Key, JSONResponse>

extension MemoryCache where Value == JSONResponse {
    /// The cached response for `key`, or the one `build` makes (kept).
    func response(for key: Key, build: () async throws -> JSONResponse) async throws -> JSONResponse {
        // `value(for:)` keeps what is not nil; a build always gives a response.
        guard let response = try await value(for: key, load: { try await build() }) else { preconditionFailure("a response was built") }
        return response
    }
}

/// A catalog read anyone may make, as `CatalogRoutes` caches it.
enum CatalogRead: Hashable, Sendable {
    case programs
    case program(String)
    case versions(String, drafts: Bool)
    case version(String, Int, drafts: Bool)

    /// The program the read is about; nil for the list of every program.
    var program: String? {
        switch self {
        case .programs: nil
        case .program(let code), .versions(let code, _), .version(let code, _, _): code
        }
    }
}

/// Runs `CacheInvalidation` with the server, stopping on graceful shutdown.
struct CacheInvalidationService: Service {
    let invalidation: CacheInvalidation

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await invalidation.run()
        }
    }
}
