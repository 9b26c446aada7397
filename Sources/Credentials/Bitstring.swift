/// The bits of a Bitstring Status List (W3C Bitstring Status List v1.0): index 0 is the left-most
/// (most significant) bit of the first byte, index n is bit `0x80 >> (n % 8)` of byte `n / 8`.
/// Published as GZIP, then base64url without padding, with the Multibase prefix `u`.
public struct Bitstring: Sendable, Equatable {
    /// The spec's minimum: 131,072 entries (16 KiB), so one holder cannot be told apart by the list.
    public static let minimumLength = 131_072
    /// The longest list this code decodes (128 Mi entries, 16 MiB), against compression bombs.
    public static let maximumLength = 1 << 27

    public private(set) var bytes: [UInt8]

    /// The number of bits.
    public var count: Int { bytes.count * 8 }

    /// A list of `count` bits, all clear; `count` is rounded up to whole bytes.
    public init(count: Int = Bitstring.minimumLength) {
        precondition(count > 0 && count <= Self.maximumLength)
        bytes = [UInt8](repeating: 0, count: (count + 7) / 8)
    }

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The bit at `index` (0 ..< count).
    public subscript(index: Int) -> Bool {
        get {
            precondition(index >= 0 && index < count, "status list index out of range")
            return bytes[index >> 3] & (0x80 >> UInt8(index & 7)) != 0
        }
        set {
            precondition(index >= 0 && index < count, "status list index out of range")
            if newValue {
                bytes[index >> 3] |= 0x80 >> UInt8(index & 7)
            } else {
                bytes[index >> 3] &= ~(0x80 >> UInt8(index & 7))
            }
        }
    }

    /// The value of entry `index` when each entry is `size` bits, read most significant bit first.
    public func entry(_ index: Int, size: Int = 1) -> Int {
        (0..<size).reduce(0) { value, offset in value << 1 | (self[index * size + offset] ? 1 : 0) }
    }

    /// The indices of the set bits, in order.
    public var setIndices: [Int] {
        var indices: [Int] = []
        for (byteIndex, byte) in bytes.enumerated() where byte != 0 {
            for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 { indices.append(byteIndex * 8 + bit) }
        }
        return indices
    }

    /// The `encodedList` value: `u` + base64url(gzip(bytes)).
    public var encoded: String { "u" + Base64URL.encode(Gzip.compress(bytes)) }

    /// Reads an `encodedList` value. Refuses text without the `u` prefix, that is not base64url
    /// or not gzip, and, unless `minimumLength` is lowered, a list shorter than the spec allows.
    public init(encoded: String, minimumLength: Int = Bitstring.minimumLength) throws(CredentialRefusal) {
        guard encoded.first == "u" else {
            throw CredentialRefusal(.statusList, "The status list is not written as the standard says (base64url with the prefix u).")
        }
        try self.init(base64URLGzip: encoded.dropFirst(), minimumLength: minimumLength)
    }

    /// Reads base64url(gzip(bytes)) without the Multibase prefix (as the raw `Bitstring` library vectors are).
    public init(base64URLGzip text: Substring, minimumLength: Int = Bitstring.minimumLength) throws(CredentialRefusal) {
        guard let compressed = Base64URL.decode(text), let bytes = Gzip.decompress(compressed, limit: Self.maximumLength / 8) else {
            throw CredentialRefusal(.statusList, "The status list cannot be read: it is not base64url-encoded GZIP data.")
        }
        guard bytes.count * 8 >= minimumLength else {
            throw CredentialRefusal(
                .statusList, "The status list has \(bytes.count * 8) entries, fewer than the \(minimumLength) the standard requires.")
        }
        self.bytes = bytes
    }
}
