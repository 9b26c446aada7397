import Foundation

/// RFC 8785 JSON Canonicalization Scheme: one byte sequence per JSON value, so a hash or a
/// signature over JSON means the same thing to every implementation.
///
/// Object members are sorted by their keys' UTF-16 code units, strings use the minimal escapes,
/// numbers are written as ECMAScript's `Number.prototype.toString` writes doubles.
public enum JCS {
    /// The canonical bytes of `value`.
    public static func canonicalize(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, to: &output)
        return output
    }

    /// Parses JSON text and returns its canonical bytes.
    public static func canonicalize(json: some Collection<UInt8>) throws -> [UInt8] {
        canonicalize(try JSONDecoder().decode(JSONValue.self, from: Data(json)))
    }

    static func write(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null: output += Array("null".utf8)
        case .bool(let flag): output += Array((flag ? "true" : "false").utf8)
        case .number(let number): output += Array(serialize(number).utf8)
        case .string(let text): writeString(text, to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(item, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(members[key]!, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `text` as a JSON string with the minimal escapes (RFC 8785 §3.2.2.2): what any
    /// JSON writer may use for its strings.
    public static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Byte by byte: the escaped characters are all ASCII, and every other byte (UTF-8 of
        // any scalar) is copied as it is.
        for byte in text.utf8 {
            switch byte {
            case 0x22: output += [0x5c, 0x22]
            case 0x5c: output += [0x5c, 0x5c]
            case 0x08: output += [0x5c, UInt8(ascii: "b")]
            case 0x09: output += [0x5c, UInt8(ascii: "t")]
            case 0x0A: output += [0x5c, UInt8(ascii: "n")]
            case 0x0C: output += [0x5c, UInt8(ascii: "f")]
            case 0x0D: output += [0x5c, UInt8(ascii: "r")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output += [0x5c, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// ECMAScript's number to string (ECMA-262 7.1.12.1) from the shortest round-trip digits,
    /// which Swift's `description` already finds.
    public static func serialize(_ number: Double) -> String {
        precondition(number.isFinite, "JSON has no NaN or infinity")
        if number == 0 { return "0" }
        if number < 0 { return "-" + serialize(-number) }
        // Digits and the decimal point's position: value = 0.d1d2… × 10^point.
        let text = number.description
        let parts = text.split(separator: "e")
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1])! : 0
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integer = pieces[0]
        let fraction = pieces.count > 1 ? pieces[1] : ""
        var digits = Array(integer + fraction)
        var point = integer.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        let k = digits.count
        let n = point
        let all = String(digits)
        if k <= n && n <= 21 { return all + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 { return String(all.prefix(n)) + "." + String(all.dropFirst(n)) }
        if -6 < n && n <= 0 { return "0." + String(repeating: "0", count: -n) + all }
        let e = n - 1
        let sign = e < 0 ? "-" : "+"
        let head = k == 1 ? all : String(all.prefix(1)) + "." + String(all.dropFirst())
        return head + "e" + sign + String(abs(e))
    }
}
