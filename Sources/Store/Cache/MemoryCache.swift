import Foundation
import Synchronization

/// What a change in the database names, as the triggers of schema 0011 send it on
/// `CacheInvalidation.channel`: `catalog:<program code>`, `user:<uuid>`, `token:<uuid>` or
/// `participant:<uuid>` (schema 0019), `marks:all` (schema 0026).
public enum CacheTopic: Sendable, Hashable {
    /// A program or one of its catalog versions.
    case catalog(String)
    /// A user: their role, disabled flag, memberships or browser sessions.
    case user(UUID)
    /// One API token (revoked, expired, deleted).
    case token(UUID)
    /// A participant's record: names, country, website, status, programs.
    case participant(UUID)
    /// Anything a public mark read shows: marks, certifications, their credentials, transitions,
    /// check results, holders' names, the issuer's keys (schema 0026).
    case marks

    /// Reads a payload; nil for one this version does not know (which then clears every cache).
    public init?(payload: String) {
        guard let colon = payload.firstIndex(of: ":") else { return nil }
        let name = payload[..<colon]
        let value = String(payload[payload.index(after: colon)...])
        switch name {
        case "catalog": self = .catalog(value)
        case "user":
            guard let id = UUID(uuidString: value) else { return nil }
            self = .user(id)
        case "token":
            guard let id = UUID(uuidString: value) else { return nil }
            self = .token(id)
        case "participant":
            guard let id = UUID(uuidString: value) else { return nil }
            self = .participant(id)
        case "marks": self = .marks
        default: return nil
        }
    }

    public var payload: String {
        switch self {
        case .catalog(let code): "catalog:\(code)"
        case .user(let id): "user:\(id.uuidString.lowercased())"
        case .token(let id): "token:\(id.uuidString.lowercased())"
        case .participant(let id): "participant:\(id.uuidString.lowercased())"
        case .marks: "marks:all"
        }
    }
}

/// A cache that `CacheInvalidation` keeps honest.
public protocol InvalidatedCache: Sendable {
    /// Drops what `topic` may have changed.
    func invalidate(_ topic: CacheTopic)
    /// Drops everything and stops caching (reads go to the database) until `resume`.
    func suspend()
    /// Starts caching again, from empty.
    func resume()
}

/// Values kept in memory between requests, for data that rarely changes.
///
/// Pure bookkeeping: it learns of changes only through `invalidate`, `suspend` and `resume`,
/// which `CacheInvalidation` calls as the database announces them. It starts suspended, so a
/// cache whose invalidation does not run (a test without the service, a lost LISTEN session)
/// never answers from memory.
///
/// A value loaded while an invalidation happened is returned but not kept: every invalidation
/// moves a generation on, and a load stores its value only when the generation it started in
/// is still current. So a read that raced a change cannot leave the old value behind.
public final class MemoryCache<Key: Hashable & Sendable, Value: Sendable>: InvalidatedCache {
    struct State {
        var entries: [Key: Value] = [:]
        var generation: UInt64 = 0
        var enabled = false
    }

    /// Names the cache in logs.
    public let name: String
    let capacity: Int
    let isAffected: @Sendable (CacheTopic, Key, Value) -> Bool
    let state = Mutex(State())

    /// - Parameters:
    ///   - capacity: the most entries kept; past it, an arbitrary one makes room.
    ///   - isAffected: whether a change of `topic` may change the entry.
    public init(name: String, capacity: Int, isAffected: @escaping @Sendable (CacheTopic, Key, Value) -> Bool) {
        self.name = name
        self.capacity = max(1, capacity)
        self.isAffected = isAffected
    }

    /// The cached value for `key`, or else what `load` returns (kept when not nil).
    public func value(for key: Key, load: () async throws -> Value?) async throws -> Value? {
        let (hit, generation): (Value?, UInt64?) = state.withLock { state in
            state.enabled ? (state.entries[key], state.generation) : (nil, nil)
        }
        if let hit { return hit }
        let loaded = try await load()
        if let loaded, let generation { store(loaded, for: key, loadedIn: generation) }
        return loaded
    }

    /// Changes a cached entry in place and returns what `change` returns; nil, and nothing
    /// changed, when the key is not cached.
    public func update<Result>(_ key: Key, _ change: (inout Value) -> Result) -> Result? {
        state.withLock { state in
            guard var value = state.entries[key] else { return nil }
            let result = change(&value)
            state.entries[key] = value
            return result
        }
    }

    /// Drops one entry.
    public func remove(_ key: Key) {
        state.withLock { state in
            state.generation &+= 1
            state.entries[key] = nil
        }
    }

    /// How many entries are kept now.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Whether reads may be answered from memory.
    public var isEnabled: Bool { state.withLock { $0.enabled } }

    public func invalidate(_ topic: CacheTopic) {
        state.withLock { state in
            state.generation &+= 1
            guard !state.entries.isEmpty else { return }
            state.entries = state.entries.filter { !isAffected(topic, $0.key, $0.value) }
        }
    }

    public func suspend() {
        state.withLock { state in
            state.generation &+= 1
            state.enabled = false
            state.entries.removeAll()
        }
    }

    public func resume() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll()
            state.enabled = true
        }
    }

    private func store(_ value: Value, for key: Key, loadedIn generation: UInt64) {
        state.withLock { state in
            guard state.enabled, state.generation == generation else { return }
            if state.entries[key] == nil, state.entries.count >= capacity {
                state.entries.remove(at: state.entries.startIndex)
            }
            state.entries[key] = value
        }
    }
}
