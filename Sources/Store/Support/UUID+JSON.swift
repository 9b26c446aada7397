import Foundation

// Foundation's JSONEncoder writes UUIDs in upper case; the API (like PostgreSQL, RFC 9562 and
// every URL it builds) uses lower case. Synthesized `Encodable` conformances resolve to these
// more specific overloads, so every id in a response is lower case.
extension KeyedEncodingContainer {
    public mutating func encode(_ value: UUID, forKey key: Key) throws {
        try encode(value.uuidString.lowercased(), forKey: key)
    }

    public mutating func encodeIfPresent(_ value: UUID?, forKey key: Key) throws {
        guard let value else { return }
        try encode(value.uuidString.lowercased(), forKey: key)
    }
}
