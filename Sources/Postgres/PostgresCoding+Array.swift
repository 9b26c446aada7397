import Foundation

/// A type that can be an element of a one-dimensional PostgreSQL array.
///
/// The array's text form is built by `encodeArray`/`decodeArray`; `UInt8` replaces them so that
/// `[UInt8]` travels as `bytea`, like `Data`.
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {
    static var postgresArrayType: PostgresType { get }
    static func encodeArray(_ elements: [Self]) throws -> String
    static func decodeArray(_ bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) -> [Self]
}

extension PostgresArrayElement {
    public static func encodeArray(_ elements: [Self]) throws -> String {
        var text = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            guard let value = try element.encodePostgresText() else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in value.unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }

    public static func decodeArray(
        _ bytes: UnsafeBufferPointer<UInt8>,
        type: PostgresType
    ) throws(PostgresDecodingFailure) -> [Self] {
        var elements: [Self] = []
        try ArrayLiteralParser.forEachElement(in: bytes) { (element: UnsafeBufferPointer<UInt8>?) throws(PostgresDecodingFailure) in
            if let element {
                elements.append(try Self(postgresText: element, type: type))
            } else {
                elements.append(try Self.postgresNull())
            }
        }
        return elements
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresType { Element.postgresArrayType }
    public func encodePostgresText() throws -> String? { try Element.encodeArray(self) }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        self = try Element.decodeArray(bytes, type: type)
    }
}

extension Int: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int64: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int32: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int4Array } }
extension Int16: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int2Array } }
extension Double: PostgresArrayElement { public static var postgresArrayType: PostgresType { .float8Array } }
extension Bool: PostgresArrayElement { public static var postgresArrayType: PostgresType { .boolArray } }
extension String: PostgresArrayElement { public static var postgresArrayType: PostgresType { .textArray } }
extension UUID: PostgresArrayElement { public static var postgresArrayType: PostgresType { .uuidArray } }
extension Date: PostgresArrayElement { public static var postgresArrayType: PostgresType { .timestamptzArray } }
extension Decimal: PostgresArrayElement { public static var postgresArrayType: PostgresType { .numericArray } }
extension Data: PostgresArrayElement { public static var postgresArrayType: PostgresType { .byteaArray } }
extension JSONB: PostgresArrayElement where Value: Codable { public static var postgresArrayType: PostgresType { .jsonbArray } }
extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { Wrapped.postgresArrayType }
}

extension UInt8: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { .bytea }
    public static func encodeArray(_ elements: [UInt8]) -> String { ByteaHex.encode(elements) }
    public static func decodeArray(
        _ bytes: UnsafeBufferPointer<UInt8>,
        type: PostgresType
    ) throws(PostgresDecodingFailure) -> [UInt8] {
        try ByteaHex.decode(bytes)
    }
}

/// Splits PostgreSQL's array text form (`{a,"b c",NULL}`) into element texts.
enum ArrayLiteralParser {
    static func forEachElement(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>?) throws(PostgresDecodingFailure) -> Void
    ) throws(PostgresDecodingFailure) {
        var index = 0
        // Arrays with lower bounds other than 1 are prefixed with "[2:3]=".
        if bytes.first == UInt8(ascii: "[") {
            while index < bytes.count, bytes[index] != UInt8(ascii: "=") { index += 1 }
            index += 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else {
            throw PostgresDecodingFailure("is not an array")
        }
        index += 1
        let end = bytes.count - 1
        if index == end { return }
        var scratch: [UInt8] = []
        while index <= end {
            while index < end, bytes[index] == UInt8(ascii: " ") { index += 1 }
            if index < end, bytes[index] == UInt8(ascii: "{") {
                throw PostgresDecodingFailure("is a multi-dimensional array")
            }
            if index < end, bytes[index] == UInt8(ascii: "\"") {
                scratch.removeAll(keepingCapacity: true)
                index += 1
                while index < end, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < end else { throw PostgresDecodingFailure("is an unterminated array element") }
                    scratch.append(bytes[index])
                    index += 1
                }
                guard index < end else { throw PostgresDecodingFailure("is an unterminated array element") }
                index += 1
                try scratch.withUnsafeBufferPointer { (element) throws(PostgresDecodingFailure) in try body(element) }
            } else {
                let start = index
                while index < end, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "}") { index += 1 }
                var stop = index
                while stop > start, bytes[stop - 1] == UInt8(ascii: " ") { stop -= 1 }
                let element = UnsafeBufferPointer(rebasing: bytes[start..<stop])
                if element.count == 4, String(postgresBytes: element).uppercased() == "NULL" {
                    try body(nil)
                } else {
                    try body(element)
                }
            }
            while index < end, bytes[index] == UInt8(ascii: " ") { index += 1 }
            if index == end { return }
            guard bytes[index] == UInt8(ascii: ",") else { throw PostgresDecodingFailure("is not an array") }
            index += 1
        }
    }
}
