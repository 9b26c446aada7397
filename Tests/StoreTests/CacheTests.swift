import Domain
import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// The cache mechanism: bookkeeping alone, then kept honest by LISTEN/NOTIFY against a real PostgreSQL.
@Suite("Caches")
struct CacheTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func cache() -> MemoryCache<String, Int> {
        MemoryCache(name: "test", capacity: 2) { topic, key, _ in topic == .catalog(key) }
    }

    @Test("a cache answers from memory only while trusted, and forgets what a topic names")
    func bookkeeping() async throws {
        let cache = Self.cache()
        var loads = 0
        // Suspended until resumed: every read loads.
        for _ in 0..<2 {
            _ = try await cache.value(for: "a") {
                loads += 1; return 1
            }
        }
        #expect(loads == 2 && cache.count == 0)
        cache.resume()
        for _ in 0..<3 {
            _ = try await cache.value(for: "a") {
                loads += 1; return 1
            }
        }
        #expect(loads == 3)
        _ = try await cache.value(for: "b") { 2 }
        _ = try await cache.value(for: "c") { 3 }
        #expect(cache.count == 2, "capacity holds")
        cache.invalidate(.catalog("c"))
        #expect(try await cache.value(for: "c") { 30 } == 30)
        cache.suspend()
        #expect(cache.count == 0 && !cache.isEnabled)
        #expect(try await cache.value(for: "c") { 31 } == 31)
        #expect(cache.count == 0)
    }

    @Test("a value loaded while a change was announced is returned but not kept")
    func raceWithInvalidation() async throws {
        let cache = Self.cache()
        cache.resume()
        let stale = try await cache.value(for: "a") {
            cache.invalidate(.catalog("other"))
            return 1
        }
        #expect(stale == 1)
        #expect(try await cache.value(for: "a") { 2 } == 2)
        #expect(try await cache.value(for: "a") { 3 } == 2)
    }

    @Test("payloads name catalogs, users and tokens")
    func topics() {
        let id = UUID()
        for topic in [CacheTopic.catalog("netops"), .user(id), .token(id), .participant(id)] {
            #expect(CacheTopic(payload: topic.payload) == topic)
        }
        #expect(CacheTopic(payload: "user:not-a-uuid") == nil)
        #expect(CacheTopic(payload: "something") == nil)
    }

    /// Runs `body` with credentials cached and `CacheInvalidation` listening.
    static func withListeningCache(
        _ db: FreshDatabase, _ body: (UserStore, CacheInvalidation) async throws -> Void
    ) async throws {
        let invalidation = CacheInvalidation(configuration: db.pool.configuration, logger: TestDatabase.logger)
        let credentials = CredentialCache()
        credentials.register(with: invalidation)
        let running = Task { await invalidation.run() }
        defer { running.cancel() }
        try await eventually(within: 30) { invalidation.isListening }
        try await body(UserStore(database: db.pool, passwords: Passwords(cost: 4), credentials: credentials), invalidation)
    }

    /// Waits up to `seconds` for `condition`, polling every 10 ms.
    static func eventually(within seconds: Double = 15, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("not within \(seconds) s")
    }

    @Test("a cached token answers without the database, and a revocation by any writer arrives")
    func tokenRevocation() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            try await Self.withListeningCache(db) { users, _ in
                let user = try await users.create(
                    email: "ops@example.org", displayName: "Ops", role: .auditor, password: nil, context: .system(at: Self.now))
                let (token, secret) = try await users.createToken(
                    for: user.id, name: "ci", scopes: [.read], expiresAt: Self.now.addingTimeInterval(60), context: .system(at: Self.now))
                #expect(try await users.authenticate(token: secret, at: Self.now)?.role == .auditor)

                // Served from memory: a change that notifies nobody is not seen.
                try await db.pool.execute("ALTER TABLE users DISABLE TRIGGER users_cache")
                try await db.pool.execute("UPDATE users SET role = 'admin' WHERE id = \(user.id)")
                try await db.pool.execute("ALTER TABLE users ENABLE TRIGGER users_cache")
                #expect(try await users.authenticate(token: secret, at: Self.now)?.role == .auditor)
                // Expiry is the request's time against the token's, never cached away.
                #expect(try await users.authenticate(token: secret, at: Self.now.addingTimeInterval(60)) == nil)

                // A membership change (as any writer, here plain SQL) arrives.
                let participant = try await db.pool.query(
                    "INSERT INTO participants (legal_name, display_name, country) VALUES ('Example B.V.', 'Example', 'NL') RETURNING id")[0].decode(
                        0, as: UUID.self)
                try await db.pool.execute("INSERT INTO memberships (user_id, participant_id, role) VALUES (\(user.id), \(participant), 'member')")
                try await Self.eventually { try await users.authenticate(token: secret, at: Self.now)?.memberships[participant] == .member }
                #expect(try await users.authenticate(token: secret, at: Self.now)?.role == .admin)

                try await db.pool.execute("UPDATE api_tokens SET revoked_at = now() WHERE id = \(token.id)")
                try await Self.eventually { try await users.authenticate(token: secret, at: Self.now) == nil }
            }
        }
    }

    @Test("marking a token used notifies nobody")
    func lastUsedIsQuiet() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let listener = PostgresListener(configuration: db.pool.configuration, channels: [CacheInvalidation.channel], logger: TestDatabase.logger)
            let running = Task { try await listener.run() }
            defer { running.cancel() }
            await listener.waitUntilListening()
            var events = listener.events.makeAsyncIterator()
            #expect(await events.next() == .listening)
            let users = UserStore(database: db.pool, passwords: Passwords(cost: 4))
            let user = try await users.create(
                email: "ops@example.org", displayName: "Ops", role: .auditor, password: nil, context: .system(at: Self.now))
            // A session that breaks meanwhile (a loaded machine) proves nothing either way: then
            // the attempt is repeated with a new token.
            var earlier: [PostgresListenerEvent?] = []
            for attempt in 1...3 {
                let (token, secret) = try await users.createToken(
                    for: user.id, name: "ci \(attempt)", scopes: [.read], expiresAt: nil, context: .system(at: Self.now))
                #expect(try await users.authenticate(token: secret, at: Self.now) != nil)
                #expect(
                    try await db.pool.query("SELECT last_used_at FROM api_tokens WHERE id = \(token.id)")[0].decode(0, as: Date?.self) == Self.now)
                try await users.revokeToken(token.id, of: user.id, context: .system(at: Self.now))
                var event = await events.next()
                // A late revocation from an attempt that broke is not this attempt's.
                while earlier.contains(event) { event = await events.next() }
                if event == .disconnected || event == .reconnected {
                    while event != .reconnected { event = await events.next() }
                    earlier.append(.notification(channel: CacheInvalidation.channel, payload: "token:\(token.id.uuidString.lowercased())"))
                    continue
                }
                // The first notification is the revocation's: marking the token used sent none.
                #expect(event == .notification(channel: CacheInvalidation.channel, payload: "token:\(token.id.uuidString.lowercased())"))
                return
            }
            Issue.record("the LISTEN session broke in every attempt")
        }
    }

    @Test("when the LISTEN session is lost the caches are emptied: a change made meanwhile is not answered stale")
    func listenerLoss() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            try await Self.withListeningCache(db) { users, invalidation in
                let user = try await users.create(
                    email: "ops@example.org", displayName: "Ops", role: .auditor, password: nil, context: .system(at: Self.now))
                let (token, secret) = try await users.createToken(
                    for: user.id, name: "ci", scopes: [.read], expiresAt: nil, context: .system(at: Self.now))
                #expect(try await users.authenticate(token: secret, at: Self.now) != nil)
                // A revocation whose notification is lost, as when it happens while the session is down.
                try await db.pool.execute("ALTER TABLE api_tokens DISABLE TRIGGER api_tokens_cache_update")
                try await db.pool.execute("UPDATE api_tokens SET revoked_at = now() WHERE id = \(token.id)")
                try await db.pool.execute("ALTER TABLE api_tokens ENABLE TRIGGER api_tokens_cache_update")
                #expect(try await users.authenticate(token: secret, at: Self.now) != nil, "still cached: nothing announced it")

                let before = try #require(try await Self.listenerPID(db))
                try await db.pool.execute("SELECT pg_terminate_backend(\(before))")
                try await Self.eventually(within: 30) {
                    let after = try await Self.listenerPID(db)
                    return after != nil && after != before && invalidation.isListening
                }
                #expect(try await users.authenticate(token: secret, at: Self.now) == nil)
            }
        }
    }

    static func listenerPID(_ db: FreshDatabase) async throws -> Int32? {
        try await db.pool.query("SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()").single?.decode(
            0, as: Int32.self)
    }
}
