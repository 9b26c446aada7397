import Crypto

/// Ed25519 keys written as Multikey (W3C Controlled Identifiers §2.2.2): Multibase base58btc
/// (`z`) of a multicodec header and the raw key. A public key is `0xed 0x01` ‖ 32 bytes and always
/// starts `z6Mk`; a secret key (its 32-byte seed) is `0x80 0x26` ‖ 32 bytes and starts `z3u2`.
public enum Multikey {
    static let publicHeader: [UInt8] = [0xed, 0x01]
    static let secretHeader: [UInt8] = [0x80, 0x26]

    /// `publicKeyMultibase` of a raw 32-byte Ed25519 public key.
    public static func encodePublicKey(_ raw: some Collection<UInt8>) -> String {
        "z" + Base58.encode(publicHeader + raw)
    }

    /// `secretKeyMultibase` of a raw 32-byte Ed25519 seed.
    public static func encodeSecretKey(_ seed: some Collection<UInt8>) -> String {
        "z" + Base58.encode(secretHeader + seed)
    }

    /// The raw 32-byte public key of an Ed25519 `publicKeyMultibase`; any other key type,
    /// header or length is refused.
    public static func decodePublicKey(_ multibase: String) throws(CredentialRefusal) -> [UInt8] {
        try decode(multibase, header: publicHeader, what: "public key")
    }

    /// The raw 32-byte seed of an Ed25519 `secretKeyMultibase`.
    public static func decodeSecretKey(_ multibase: String) throws(CredentialRefusal) -> [UInt8] {
        try decode(multibase, header: secretHeader, what: "secret key")
    }

    /// The `publicKeyMultibase` of a signing key's public half.
    public static func publicKey(of key: Curve25519.Signing.PrivateKey) -> String {
        encodePublicKey([UInt8](key.publicKey.rawRepresentation))
    }

    private static func decode(_ multibase: String, header: [UInt8], what: String) throws(CredentialRefusal) -> [UInt8] {
        guard multibase.first == "z", let bytes = Base58.decode(multibase.dropFirst()) else {
            throw .malformed("The \(what) is not written in base58btc Multibase (it must start with z).")
        }
        guard bytes.count == header.count + 32, Array(bytes.prefix(header.count)) == header else {
            throw .malformed("The \(what) is not an Ed25519 \(what).")
        }
        return Array(bytes.dropFirst(header.count))
    }
}
