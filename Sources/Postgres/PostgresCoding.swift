import Foundation

/// A Swift value that can be sent as a bound parameter, in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The parameter type to declare; `.unspecified` lets the server infer it from the statement.
    static var postgresType: PostgresType { get }
    /// The value in PostgreSQL's text format, or nil for SQL NULL.
    func encodePostgresText() throws -> String?
    /// The value's bytes in PostgreSQL's binary format, for types better sent that way (bytea:
    /// the bytes themselves, not twice as much hex text); nil sends the text format.
    func encodePostgresBinary() -> Data?
}

extension PostgresEncodable {
    public func encodePostgresBinary() -> Data? { nil }
}

/// A Swift value that can be read from a result column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Reads a non-NULL value from its text form.
    init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure)
    /// The value for SQL NULL. Non-optional types refuse it.
    static func postgresNull() throws(PostgresDecodingFailure) -> Self
}

extension PostgresDecodable {
    public static func postgresNull() throws(PostgresDecodingFailure) -> Self {
        throw PostgresDecodingFailure("is NULL, and \(Self.self) is not optional")
    }
}

public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

/// Why a column's text could not become the requested Swift type. Carries no column value.
public struct PostgresDecodingFailure: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }

    static func invalid<T>(_ type: T.Type, _ postgresType: PostgresType) -> PostgresDecodingFailure {
        PostgresDecodingFailure("is not a valid \(T.self) (column type \(postgresType))")
    }
}

extension String {
    @inlinable
    init(postgresBytes bytes: UnsafeBufferPointer<UInt8>) {
        self = String(decoding: bytes, as: UTF8.self)
    }
}

// MARK: - Optional

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresType { Wrapped.postgresType }
    public func encodePostgresText() throws -> String? {
        switch self {
        case .none: nil
        case .some(let value): try value.encodePostgresText()
        }
    }
    public func encodePostgresBinary() -> Data? { self?.encodePostgresBinary() }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        self = .some(try Wrapped(postgresText: bytes, type: type))
    }
    public static func postgresNull() -> Self { .none }
}

// MARK: - Text

extension String: PostgresEncodable, PostgresDecodable {
    /// Unspecified, so that a string can be compared with text, uuid, inet, enum or date columns alike.
    public static var postgresType: PostgresType { .unspecified }
    public func encodePostgresText() -> String? { self }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) {
        self.init(postgresBytes: bytes)
    }
}

// MARK: - Integers

/// Parses an optionally signed decimal integer from ASCII digits, without allocating.
@inlinable
func parseInteger<T: FixedWidthInteger>(_ bytes: UnsafeBufferPointer<UInt8>, as: T.Type) -> T? {
    var index = 0
    var negative = false
    guard !bytes.isEmpty else { return nil }
    if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
        negative = bytes[0] == UInt8(ascii: "-")
        index = 1
        guard bytes.count > 1 else { return nil }
    }
    var value: T = 0
    while index < bytes.count {
        let digit = bytes[index] &- UInt8(ascii: "0")
        guard digit < 10 else { return nil }
        let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (next, overflow2) =
            negative
            ? times10.subtractingReportingOverflow(T(digit))
            : times10.addingReportingOverflow(T(digit))
        guard !overflow1, !overflow2 else { return nil }
        value = next
        index += 1
    }
    return value
}

extension Int: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .int8 }
    public func encodePostgresText() -> String? { String(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard let value = parseInteger(bytes, as: Int.self) else { throw .invalid(Int.self, type) }
        self = value
    }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .int8 }
    public func encodePostgresText() -> String? { String(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard let value = parseInteger(bytes, as: Int64.self) else { throw .invalid(Int64.self, type) }
        self = value
    }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .int4 }
    public func encodePostgresText() -> String? { String(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard let value = parseInteger(bytes, as: Int32.self) else { throw .invalid(Int32.self, type) }
        self = value
    }
}

extension Int16: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .int2 }
    public func encodePostgresText() -> String? { String(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard let value = parseInteger(bytes, as: Int16.self) else { throw .invalid(Int16.self, type) }
        self = value
    }
}

/// A byte read as a small integer. As an array element, `[UInt8]` is `bytea` (see `PostgresArrayElement`).
extension UInt8: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .int2 }
    public func encodePostgresText() -> String? { String(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard let value = parseInteger(bytes, as: UInt8.self) else { throw .invalid(UInt8.self, type) }
        self = value
    }
}

// MARK: - Floating point and booleans

extension Double: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .float8 }
    public func encodePostgresText() -> String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return description
    }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        let text = String(postgresBytes: bytes)
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(text) else { throw .invalid(Double.self, type) }
            self = value
        }
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .bool }
    public func encodePostgresText() -> String? { self ? "t" : "f" }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard bytes.count == 1 else { throw .invalid(Bool.self, type) }
        switch bytes[0] {
        case UInt8(ascii: "t"): self = true
        case UInt8(ascii: "f"): self = false
        default: throw .invalid(Bool.self, type)
        }
    }
}
