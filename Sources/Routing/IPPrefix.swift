/// An IP address family.
public enum IPFamily: UInt8, Sendable, Hashable, Comparable {
    case v4 = 4
    case v6 = 6

    /// Bits in an address of this family.
    public var width: Int { self == .v4 ? 32 : 128 }

    public static func < (lhs: IPFamily, rhs: IPFamily) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An IPv4 or IPv6 prefix in canonical form: no host bits set.
///
/// Bits are stored left-aligned in a `UInt128` for both families (an IPv4 address sits in the top
/// 32 bits), so containment and masking are the same arithmetic for both.
public struct IPPrefix: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let family: IPFamily
    /// The network bits, left-aligned; every bit after `length` is zero.
    public let bits: UInt128
    public let length: UInt8

    /// Builds a prefix from left-aligned bits, clearing any host bits.
    public init(family: IPFamily, bits: UInt128, length: UInt8) {
        precondition(Int(length) <= family.width, "prefix length \(length) is too long for \(family)")
        self.family = family
        self.bits = bits & Self.mask(length)
        self.length = length
    }

    /// The mask of the top `length` bits.
    @inline(__always)
    public static func mask(_ length: UInt8) -> UInt128 {
        length == 0 ? 0 : ~UInt128(0) << (128 - UInt128(length))
    }

    /// True when `other` is this prefix or more specific than it.
    @inline(__always)
    public func contains(_ other: IPPrefix) -> Bool {
        family == other.family && other.length >= length && (other.bits & Self.mask(length)) == bits
    }

    /// The prefix that covers this one with `length` bits.
    public func truncated(to length: UInt8) -> IPPrefix {
        IPPrefix(family: family, bits: bits, length: min(length, self.length))
    }

    public static func < (lhs: IPPrefix, rhs: IPPrefix) -> Bool {
        (lhs.family, lhs.bits, lhs.length) < (rhs.family, rhs.bits, rhs.length)
    }

    // MARK: Text

    /// Parses `address/length`. With `strict`, host bits set is an error (the API's rule); otherwise
    /// they are cleared (for data files, which sometimes carry them).
    public init(_ text: some StringProtocol, strict: Bool = true) throws(IPParseError) {
        guard let slash = text.firstIndex(of: "/") else { throw .missingLength }
        let address = try IPAddress(text[..<slash])
        guard let length = UInt8(text[text.index(after: slash)...]), Int(length) <= address.family.width else {
            throw .badLength
        }
        if strict && address.bits & ~Self.mask(length) != 0 { throw .hostBitsSet }
        self.init(family: address.family, bits: address.bits, length: length)
    }

    /// Parses `address/length` from bytes without allocating for IPv4 (the bulk of routing data);
    /// IPv6 goes through the text parser. Nil when malformed.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, strict: Bool) -> IPPrefix? {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash + 1 < bytes.count else { return nil }
        var length = 0
        for index in (slash + 1)..<bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10, length < 1000 else { return nil }
            length = length * 10 + Int(digit)
        }
        let address = UnsafeBufferPointer(rebasing: bytes[..<slash])
        if !address.contains(UInt8(ascii: ":")) {
            guard length <= 32, let v4 = IPAddress.parseV4(address) else { return nil }
            let bits = UInt128(v4) << 96
            if strict && bits & ~mask(UInt8(length)) != 0 { return nil }
            return IPPrefix(family: .v4, bits: bits, length: UInt8(length))
        }
        if length <= 128, let bits = IPAddress.parseV6Fast(address) {
            if strict && bits & ~mask(UInt8(length)) != 0 { return nil }
            return IPPrefix(family: .v6, bits: bits, length: UInt8(length))
        }
        return try? IPPrefix(String(decoding: bytes, as: UTF8.self), strict: strict)
    }

    /// Appends the canonical text to `output` (fast for IPv4).
    public func write(to output: inout [UInt8]) {
        guard family == .v4 else {
            output.append(contentsOf: description.utf8)
            return
        }
        let value = UInt32(truncatingIfNeeded: bits >> 96)
        for shift in [24, 16, 8, 0] as [UInt32] {
            appendDecimal(UInt64(value >> shift & 0xff), to: &output)
            output.append(shift == 0 ? UInt8(ascii: "/") : UInt8(ascii: "."))
        }
        appendDecimal(UInt64(length), to: &output)
    }

    /// Canonical text: RFC 5952 for IPv6, e.g. `2001:db8::/32`, `192.0.2.0/24`.
    public var description: String {
        IPAddress(family: family, bits: bits).description + "/" + String(length)
    }

    /// The first address of the prefix.
    public var network: IPAddress { IPAddress(family: family, bits: bits) }
}

public enum IPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingLength
    case badLength
    case badAddress
    case hostBitsSet

    public var description: String {
        switch self {
        case .missingLength: "a prefix needs a /length"
        case .badLength: "the prefix length is out of range"
        case .badAddress: "not an IPv4 or IPv6 address"
        case .hostBitsSet: "host bits are set after the prefix length"
        }
    }
}

/// An IPv4 or IPv6 address, bits left-aligned as in `IPPrefix`.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let family: IPFamily
    public let bits: UInt128

    public init(family: IPFamily, bits: UInt128) {
        self.family = family
        self.bits = bits
    }

    /// Parses dotted-quad IPv4 (no leading zeros) or IPv6 (`::`, embedded IPv4, any case).
    public init(_ text: some StringProtocol) throws(IPParseError) {
        let utf8 = Array(text.utf8)
        if utf8.contains(UInt8(ascii: ":")) {
            self.init(family: .v6, bits: try Self.parseV6(utf8[...]))
        } else {
            guard let v4 = Self.parseV4(utf8[...]) else { throw .badAddress }
            self.init(family: .v4, bits: UInt128(v4) << 96)
        }
    }

    static func parseV4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        bytes.withUnsafeBufferPointer { parseV4($0) }
    }

    static func parseV4(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var octets = 0
        var current: UInt32 = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                value = value << 8 | current
                octets += 1
                current = 0
                digits = 0
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, digits < 3, !(digits == 1 && current == 0) else { return nil }
            current = current * 10 + UInt32(digit)
            digits += 1
            guard current <= 255 else { return nil }
        }
        guard digits > 0, octets == 3 else { return nil }
        return value << 8 | current
    }

    /// IPv6 of the usual shape (hex groups, at most one `::`, no embedded IPv4) in one pass
    /// without allocating; nil for anything else, which the general parser then reads or refuses.
    /// Routing data is mostly this shape, and the general parser cost a microsecond an address.
    static func parseV6Fast(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt128? {
        let count = bytes.count
        var head: UInt128 = 0
        var headCount = 0
        var tail: UInt128 = 0
        var tailCount = 0
        var gap = false
        var index = 0
        if count >= 2, bytes[0] == UInt8(ascii: ":"), bytes[1] == UInt8(ascii: ":") {
            gap = true
            index = 2
            if index == count { return 0 }
        }
        while true {
            var group: UInt32 = 0
            var digits = 0
            while index < count {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
                default: digit = 0xff
                }
                guard digit != 0xff else { break }
                group = group << 4 | UInt32(digit)
                digits += 1
                index += 1
            }
            guard (1...4).contains(digits) else { return nil }
            if gap {
                tail = tail << 16 | UInt128(group)
                tailCount += 1
            } else {
                head = head << 16 | UInt128(group)
                headCount += 1
            }
            guard headCount + tailCount <= 8 else { return nil }
            if index == count { break }
            guard bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            guard index < count else { return nil }
            if bytes[index] == UInt8(ascii: ":") {
                guard !gap else { return nil }
                gap = true
                index += 1
                if index == count { break }
            }
        }
        let total = headCount + tailCount
        guard gap ? total <= 7 : total == 8 else { return nil }
        return (headCount == 0 ? 0 : head << UInt128(16 * (8 - headCount))) | tail
    }

    static func parseV6(_ bytes: ArraySlice<UInt8>) throws(IPParseError) -> UInt128 {
        if let value = bytes.withUnsafeBufferPointer({ parseV6Fast($0) }) { return value }
        return try parseV6General(bytes)
    }

    /// Every IPv6 form, including embedded IPv4, with the reason when it is not an address.
    static func parseV6General(_ bytes: ArraySlice<UInt8>) throws(IPParseError) -> UInt128 {
        // Split at "::" into a head and a tail of groups; the gap is zero-filled.
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let text = String(decoding: bytes, as: UTF8.self)
        let scalars = Array(bytes)
        let gaps = scalars.indices.dropLast().filter { scalars[$0] == UInt8(ascii: ":") && scalars[$0 + 1] == UInt8(ascii: ":") }
        if let gap = gaps.first {
            // ":::" shows up as two overlapping gaps; a second "::" later is also invalid.
            if gaps.count > 1 { throw .badAddress }
            sawGap = true
            let left = String(decoding: scalars[..<gap], as: UTF8.self)
            let right = String(decoding: scalars[(gap + 2)...], as: UTF8.self)
            head = try Self.groups(left.isEmpty ? [] : left.split(separator: ":", omittingEmptySubsequences: false), allowIPv4: right.isEmpty)
            tail = try Self.groups(right.isEmpty ? [] : right.split(separator: ":", omittingEmptySubsequences: false), allowIPv4: true)
        } else {
            head = try Self.groups(text.split(separator: ":", omittingEmptySubsequences: false), allowIPv4: true)
        }
        let total = head.count + tail.count
        guard sawGap ? total <= 7 : total == 8 else { throw .badAddress }
        var value: UInt128 = 0
        for group in head + Array(repeating: 0, count: 8 - total) + tail {
            value = value << 16 | UInt128(group)
        }
        return value
    }

    /// Reads hex groups; the last one may be an embedded IPv4 address (two groups).
    private static func groups(_ parts: [Substring], allowIPv4: Bool) throws(IPParseError) -> [UInt16] {
        var result: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, allowIPv4, part.contains(".") {
                guard let v4 = parseV4(Array(part.utf8)[...]) else { throw .badAddress }
                result.append(UInt16(v4 >> 16))
                result.append(UInt16(v4 & 0xffff))
                continue
            }
            guard (1...4).contains(part.utf8.count), let group = UInt16(part, radix: 16) else { throw .badAddress }
            result.append(group)
        }
        return result
    }

    /// RFC 5952 for IPv6 (lowercase, no leading zeros, the longest run of two or more zero groups
    /// as `::`, the first on a tie); dotted quad for IPv4.
    public var description: String {
        if family == .v4 {
            let value = UInt32(truncatingIfNeeded: bits >> 96)
            return "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
        }
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: bits >> UInt128(112 - 16 * $0)) }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < 8 && groups[index] == 0 { index += 1 }
            if index - start > bestLength {
                bestStart = start
                bestLength = index - start
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}

/// Appends the decimal digits of `value` to `output`, written by `writeDecimal`.
@inline(__always)
func appendDecimal(_ value: UInt64, to output: inout [UInt8]) {
    if value < 10 {
        output.append(UInt8(ascii: "0") + UInt8(value))
        return
    }
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
        let count = writeDecimal(value, to: buffer.baseAddress!)
        output.append(contentsOf: UnsafeBufferPointer(start: buffer.baseAddress, count: count))
    }
}
