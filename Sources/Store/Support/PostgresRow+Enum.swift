import Postgres

extension PostgresRow {
    /// Decodes a column holding an enum's raw value. A value the enum does not know is an
    /// error (`StoreError.unreadable`), never a default: an unreadable row must not count as,
    /// say, a rejection.
    func decode<Value: RawRepresentable>(_ column: String, as type: Value.Type) throws -> Value where Value.RawValue: PostgresDecodable {
        let raw = try decode(column, as: Value.RawValue.self)
        guard let value = Value(rawValue: raw) else {
            throw StoreError.unreadable("Column \(column) holds \(raw), which is not a known \(Value.self).")
        }
        return value
    }

    /// Decodes a nullable column holding an enum's raw value; unknown values are errors.
    func decode<Value: RawRepresentable>(_ column: String, as type: Value?.Type) throws -> Value? where Value.RawValue: PostgresDecodable {
        guard let raw = try decode(column, as: Value.RawValue?.self) else { return nil }
        guard let value = Value(rawValue: raw) else {
            throw StoreError.unreadable("Column \(column) holds \(raw), which is not a known \(Value.self).")
        }
        return value
    }
}
