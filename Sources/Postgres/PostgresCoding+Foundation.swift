import Foundation

extension UUID: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .uuid }
    public func encodePostgresText() -> String? { uuidString.lowercased() }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard let value = UUID(uuidString: String(postgresBytes: bytes)) else { throw .invalid(UUID.self, type) }
        self = value
    }
}

extension Decimal: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .numeric }
    public func encodePostgresText() -> String? { isNaN ? "NaN" : description }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        let text = String(postgresBytes: bytes)
        if text == "NaN" {
            self = .nan
            return
        }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw .invalid(Decimal.self, type)
        }
        self = value
    }
}

// MARK: - bytea, in hex format

enum ByteaHex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: 2 + bytes.count * 2) { buffer in
            buffer[0] = UInt8(ascii: "\\")
            buffer[1] = UInt8(ascii: "x")
            var index = 2
            for byte in bytes {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0f)]
                index += 2
            }
            return index
        }
    }

    static func decode(_ text: UnsafeBufferPointer<UInt8>) throws(PostgresDecodingFailure) -> [UInt8] {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x"), text.count % 2 == 0 else {
            throw PostgresDecodingFailure("is not bytea in hex format")
        }
        var bytes = [UInt8](repeating: 0, count: (text.count - 2) / 2)
        var index = 2
        for position in bytes.indices {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else {
                throw PostgresDecodingFailure("is not bytea in hex format")
            }
            bytes[position] = high << 4 | low
            index += 2
        }
        return bytes
    }

    @inline(__always)
    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Data: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .bytea }
    public func encodePostgresText() -> String? { ByteaHex.encode(self) }
    /// Sent as they are: a file of evidence goes to the server without a hex copy.
    public func encodePostgresBinary() -> Data? { self }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        self = Data(try ByteaHex.decode(bytes))
    }
}

// MARK: - jsonb

/// A `Codable` value stored as `jsonb`: bind with `\(jsonb: value)` or `\(JSONB(value))`,
/// read with `row.decode("column", as: JSONB<Value>.self).value`.
public struct JSONB<Value: Sendable>: Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
}

extension JSONB: PostgresEncodable where Value: Encodable {
    public static var postgresType: PostgresType { .jsonb }
    public func encodePostgresText() throws -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension JSONB: PostgresDecodable where Value: Decodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(bytes))
        } catch {
            throw PostgresDecodingFailure("is not JSON for \(Value.self): \(error)")
        }
    }
}
