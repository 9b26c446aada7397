/// Why a credential, a proof, a key or a mark id is not accepted: a stable code for machines and
/// a plain sentence for the buyer, auditor or operator reading it.
public struct CredentialRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of refusal, stable across versions (they reach the API and the command line).
    public enum Code: String, Sendable, CaseIterable {
        /// Not the shape a credential, key, DID or status list must have.
        case malformed
        /// A proof of another type or cryptosuite than `DataIntegrityProof`/`eddsa-jcs-2022`.
        case unsupportedProof = "unsupported_proof"
        /// The signature does not match the document: it was changed after signing, or signed by another key.
        case badSignature = "bad_signature"
        /// The proof names a key the issuer's DID document does not list for issuing.
        case unknownKey = "unknown_key"
        /// The credential's issuer is not the DID the document or the expected issuer names.
        case wrongIssuer = "wrong_issuer"
        /// The checked time is before `validFrom`.
        case notYetValid = "not_yet_valid"
        /// The checked time is after `validUntil`.
        case expired
        /// The suspension status list has the credential's bit set.
        case suspended
        /// The revocation status list has the credential's bit set.
        case revoked
        /// A status list that is not the one the credential points to, or whose entry is out of range.
        case statusList = "status_list"
        /// A mark id that is mistyped (wrong check character) or not a mark id at all.
        case markID = "mark_id"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func malformed(_ message: String) -> Self { Self(.malformed, message) }
}
