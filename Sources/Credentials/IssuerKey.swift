import Crypto
import Foundation

/// An Ed25519 key of the issuer as its DID document publishes it. Its verification method id is
/// the DID with the key's Multikey as fragment, so a key's id never changes and never collides:
/// rotation adds a key and keeps the old ones, and what they signed keeps verifying.
public struct IssuerPublicKey: Sendable, Hashable {
    /// The raw 32-byte Ed25519 public key.
    public let raw: [UInt8]

    public init(raw: [UInt8]) throws(CredentialRefusal) {
        guard raw.count == 32 else { throw CredentialRefusal(.malformed, "An Ed25519 public key has 32 bytes.") }
        self.raw = raw
    }

    /// The public half of a signing key: always 32 bytes, so nothing to refuse.
    init(_ key: Curve25519.Signing.PublicKey) {
        raw = [UInt8](key.rawRepresentation)
    }

    public init(multibase: String) throws(CredentialRefusal) {
        raw = try Multikey.decodePublicKey(multibase)
    }

    /// `publicKeyMultibase`, `z6Mk…`.
    public var multibase: String { Multikey.encodePublicKey(raw) }

    /// The verification method id of this key under `issuer`.
    public func methodID(under issuer: DIDWeb) -> String { issuer.methodID(multibase) }
}

/// The issuer's signing key: an Ed25519 private key. Never logged: its description names only the
/// public key, and it has no children to reflect (`dump`, debuggers' summaries).
public struct IssuerSigningKey: Sendable, CustomStringConvertible, CustomReflectable {
    public let privateKey: Curve25519.Signing.PrivateKey

    public init(_ privateKey: Curve25519.Signing.PrivateKey) { self.privateKey = privateKey }

    /// A new random key.
    public static func generate() -> IssuerSigningKey { IssuerSigningKey(Curve25519.Signing.PrivateKey()) }

    /// The key whose 32-byte seed is written as `secretKeyMultibase` (`z3u2…`).
    public init(secretKeyMultibase: String) throws(CredentialRefusal) {
        let seed = try Multikey.decodeSecretKey(secretKeyMultibase)
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw CredentialRefusal(.malformed, "The secret key is not an Ed25519 key.")
        }
        privateKey = key
    }

    /// The seed as `secretKeyMultibase`, for storing the key where configuration says.
    public var secretKeyMultibase: String { Multikey.encodeSecretKey([UInt8](privateKey.rawRepresentation)) }

    public var publicKey: IssuerPublicKey {
        IssuerPublicKey(privateKey.publicKey)
    }

    public var description: String { "IssuerSigningKey(\(publicKey.multibase), secret not shown)" }

    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
