import Domain
import Foundation
import Store

/// A buyer's watchlists and the webhooks for them, authorised once (`readWatchlists`,
/// `manageWatchlists`: enterprise users and the secretariat), checked by `WatchlistRules`.
/// A watchlist is its owner's only: another user's is not found.
public struct WatchlistOperations: Sendable {
    public let store: WatchlistStore
    public let notifications: NotificationStore
    public let allowLoopbackHTTP: Bool

    public init(store: WatchlistStore, notifications: NotificationStore, allowLoopbackHTTP: Bool) {
        self.store = store
        self.notifications = notifications
        self.allowLoopbackHTTP = allowLoopbackHTTP
    }

    /// A new watchlist, with its first entries when given.
    public func create(name: String, entries: [String], by actor: Actor, change: ChangeContext) async throws -> Watchlist {
        try Authorise.check(.manageWatchlists, actor, participant: nil)
        let name = InputRules.trimmed(name)
        let parsed = try Self.parse(entries)
        try refuse(WatchlistRules.name(name))
        let list = try await store.create(name: name, owner: actor.userID, context: change)
        if !parsed.isEmpty { _ = try await store.add(parsed, note: "", to: list.id, of: actor.userID, context: change) }
        return try await store.list(list.id, of: actor.userID)
    }

    public func lists(by actor: Actor) async throws -> [Watchlist] {
        try Authorise.check(.readWatchlists, actor, participant: nil)
        return try await store.lists(of: actor.userID)
    }

    public func list(_ id: UUID, by actor: Actor) async throws -> (list: Watchlist, entries: [WatchEntry]) {
        try Authorise.check(.readWatchlists, actor, participant: nil)
        let list = try await store.list(id, of: actor.userID)
        return (list, try await store.entries(of: id, owner: actor.userID))
    }

    public func rename(_ id: UUID, to name: String, by actor: Actor, change: ChangeContext) async throws -> Watchlist {
        try Authorise.check(.manageWatchlists, actor, participant: nil)
        let name = InputRules.trimmed(name)
        try refuse(WatchlistRules.name(name))
        return try await store.rename(id, of: actor.userID, to: name, context: change)
    }

    public func delete(_ id: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.manageWatchlists, actor, participant: nil)
        try await store.delete(id, of: actor.userID, context: change)
    }

    /// Adds ASNs and mark ids as typed (every one is checked before any is added); returns how many were new.
    public func add(_ entries: [String], note: String?, to id: UUID, by actor: Actor, change: ChangeContext) async throws -> Int {
        try Authorise.check(.manageWatchlists, actor, participant: nil)
        let note = InputRules.trimmed(note)
        try refuse(WatchlistRules.note(note))
        let parsed = try Self.parse(entries)
        guard !parsed.isEmpty else {
            throw StoreError.invalid([FieldRefusal("entries", "required", "Enter at least one ASN (like AS64500) or mark id.")])
        }
        return try await store.add(parsed, note: note, to: id, of: actor.userID, context: change)
    }

    public func remove(_ entry: String, from id: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.manageWatchlists, actor, participant: nil)
        switch WatchlistRules.entry(entry, parseMark: WatchlistStore.canonicalMark) {
        case .success(let parsed): try await store.remove(parsed, from: id, of: actor.userID, context: change)
        case .failure: throw StoreError.notFound("\(entry.prefix(40)) is not on this watchlist.")
        }
    }

    /// The list as CSV: one line per entry (kind, entry, status, programs, mark, valid until, note),
    /// every cell neutralised for spreadsheets (`CSV`).
    public func csv(_ id: UUID, by actor: Actor) async throws -> (list: Watchlist, body: String) {
        let (list, entries) = try await self.list(id, by: actor)
        var body = CSV.row(["kind", "entry", "status", "marks", "valid_until", "note"])
        for entry in entries {
            let marks = Set(entry.certifications.compactMap(\.markID)).sorted().joined(separator: " ")
            let until = entry.certifications.compactMap(\.validUntil).max().map { $0.formatted(.iso8601) } ?? ""
            body += CSV.row([entry.kind.rawValue, entry.value, entry.status, marks, until, entry.note])
        }
        return (list, body)
    }

    // MARK: Webhooks for one's watchlists

    public func registerWebhook(url: String, description: String?, by actor: Actor, change: ChangeContext) async throws
        -> (endpoint: UserWebhookEndpoint, secret: String)
    {
        try Authorise.check(.manageWatchlists, actor, participant: nil)
        let url = WebhookEndpointRules.normalised(InputRules.trimmed(url))
        let description = InputRules.trimmed(description)
        var refusals: [FieldRefusal] = []
        if let refusal = WebhookEndpointRules.url(url, allowLoopbackHTTP: allowLoopbackHTTP) {
            refusals.append(FieldRefusal("url", refusal.code, refusal.message))
        }
        if description.count > Limits.webhookDescription.max {
            refusals.append(FieldRefusal("description", "too_long", "Keep the description to \(Limits.webhookDescription.max) characters."))
        }
        try refuse(refusals)
        return try await notifications.createEndpoint(user: actor.userID, url: url, description: description, context: change)
    }

    public func webhooks(by actor: Actor) async throws -> [UserWebhookEndpoint] {
        try Authorise.check(.readWatchlists, actor, participant: nil)
        return try await notifications.endpoints(ofUser: actor.userID)
    }

    public func deleteWebhook(_ id: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.manageWatchlists, actor, participant: nil)
        try await notifications.deleteEndpoint(id, ofUser: actor.userID, context: change)
    }

    public func deliveries(of id: UUID, limit: Int, by actor: Actor) async throws -> [DeliveryAttempt] {
        try Authorise.check(.readWatchlists, actor, participant: nil)
        return try await notifications.deliveries(of: id, user: actor.userID, limit: limit)
    }

    /// Every entry parsed, or every refusal at once (field `entries`, naming each entry refused).
    static func parse(_ entries: [String]) throws(StoreError) -> [(kind: WatchKind, value: String)] {
        var parsed: [(kind: WatchKind, value: String)] = []
        var refusals: [FieldRefusal] = []
        for entry in entries {
            switch WatchlistRules.entry(entry, parseMark: WatchlistStore.canonicalMark) {
            case .success(let value): parsed.append(value)
            case .failure(let refusal): refusals.append(FieldRefusal("entries", refusal.refusal.code, refusal.refusal.message))
            }
        }
        if refusals.count > 20 { refusals = Array(refusals.prefix(20)) }
        try refuse(refusals)
        guard parsed.count <= WatchlistRules.maxEntriesPerList else {
            throw StoreError.invalid([
                FieldRefusal("entries", "too_many", "Add at most \(WatchlistRules.maxEntriesPerList) entries at a time.")
            ])
        }
        return parsed
    }
}
