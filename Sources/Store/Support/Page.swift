import Domain
import Foundation

/// One page of a listing and the cursor of the next, nil at the end.
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    public let items: [Item]
    public let nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)  // null at the end, not absent
    }
}

/// A position in a listing ordered by (created_at, id): opaque to clients, base64url text.
struct ListCursor: Equatable {
    let createdAt: Date
    let id: UUID

    var encoded: String {
        let micros = Int64(exactly: (createdAt.timeIntervalSince1970 * 1_000_000).rounded()) ?? 0
        return Secrets.base64URL(Data("\(micros)/\(id.uuidString.lowercased())".utf8))
    }

    init(createdAt: Date, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    /// Reads a cursor this server wrote; anything else is a 422 on `cursor`.
    init(_ text: String) throws(StoreError) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard text.count <= 100, let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8) else {
            throw .invalid([FieldRefusal("cursor", "invalid_cursor", "The cursor is not one this server returned.")])
        }
        let parts = decoded.split(separator: "/")
        // Times this server writes lie between 1970 and 9999; anything else was not ours.
        guard parts.count == 2, let micros = Int64(parts[0]), (0..<Self.maxMicros).contains(micros), let id = UUID(uuidString: String(parts[1]))
        else {
            throw .invalid([FieldRefusal("cursor", "invalid_cursor", "The cursor is not one this server returned.")])
        }
        self.createdAt = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
        self.id = id
    }

    /// 10000-01-01T00:00:00Z in microseconds since 1970.
    static let maxMicros: Int64 = 253_402_300_800_000_000
}
