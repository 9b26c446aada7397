import Canonical
import Crypto
import Foundation

/// The `eddsa-jcs-2022` cryptosuite of W3C Data Integrity EdDSA (vc-di-eddsa §3.3): a proof over
/// the RFC 8785 canonical form of the document and of the proof's own options, signed with Ed25519.
public enum EddsaJcs2022 {
    public static let proofType = "DataIntegrityProof"
    public static let cryptosuite = "eddsa-jcs-2022"

    /// What is hashed and signed, each step as the spec's test vectors show it.
    public struct Intermediates: Sendable, Equatable {
        /// JCS of the document without its proof.
        public let canonicalDocument: [UInt8]
        /// SHA-256 of `canonicalDocument`.
        public let documentHash: [UInt8]
        /// JCS of the proof options (the proof without `proofValue`, with the document's `@context`).
        public let canonicalProofConfig: [UInt8]
        /// SHA-256 of `canonicalProofConfig`.
        public let proofConfigHash: [UInt8]
        /// `proofConfigHash ‖ documentHash`: the 64 bytes that are signed.
        public var combined: [UInt8] { proofConfigHash + documentHash }

        init(document: [String: JSONValue], proofConfig: [String: JSONValue]) {
            canonicalDocument = JCS.canonicalize(.object(document))
            documentHash = Array(SHA256.hash(data: canonicalDocument))
            canonicalProofConfig = JCS.canonicalize(.object(proofConfig))
            proofConfigHash = Array(SHA256.hash(data: canonicalProofConfig))
        }
    }

    /// The proof options of a new proof: `assertionMethod` by `verificationMethod`, at `created`.
    public static func proofOptions(verificationMethod: String, created: Date, proofPurpose: String = "assertionMethod") -> [String: JSONValue] {
        [
            "type": .string(proofType),
            "cryptosuite": .string(cryptosuite),
            "created": .string(DateTimeStamp.format(created)),
            "verificationMethod": .string(verificationMethod),
            "proofPurpose": .string(proofPurpose),
        ]
    }

    /// The proof configuration: the options, with the document's `@context` when it has one.
    static func proofConfig(document: [String: JSONValue], options: [String: JSONValue]) -> [String: JSONValue] {
        var config = options
        config["proofValue"] = nil
        if let context = document["@context"] { config["@context"] = context }
        return config
    }

    /// The intermediates of signing `document` (without its `proof`) with `options`.
    public static func intermediates(document: [String: JSONValue], options: [String: JSONValue]) -> Intermediates {
        var unsecured = document
        unsecured["proof"] = nil
        return Intermediates(document: unsecured, proofConfig: proofConfig(document: unsecured, options: options))
    }

    /// `document` with a new proof made by `key` with `options` (see `proofOptions`).
    public static func sign(_ document: [String: JSONValue], options: [String: JSONValue], key: Curve25519.Signing.PrivateKey)
        throws(CredentialRefusal)
        -> [String: JSONValue]
    {
        guard options["type"] == .string(proofType), options["cryptosuite"] == .string(cryptosuite) else {
            throw CredentialRefusal(.unsupportedProof, "Only \(proofType) proofs with the \(cryptosuite) cryptosuite are made here.")
        }
        var unsecured = document
        unsecured["proof"] = nil
        let steps = intermediates(document: unsecured, options: options)
        let signature: Data
        do {
            signature = try key.signature(for: steps.combined)
        } catch {
            throw CredentialRefusal(.badSignature, "The document could not be signed.")
        }
        var proof = proofConfig(document: unsecured, options: options)
        proof["proofValue"] = .string("z" + Base58.encode([UInt8](signature)))
        var secured = unsecured
        secured["proof"] = .object(proof)
        return secured
    }

    /// The parts of a secured document's proof that a verifier looks at.
    public struct Proof: Sendable, Equatable {
        public let verificationMethod: String
        public let proofPurpose: String
        public let created: String?
        public let signature: [UInt8]
        /// The proof without `proofValue`.
        let options: [String: JSONValue]

        /// Reads the `proof` of `document`: exactly one proof, of type `DataIntegrityProof` and
        /// cryptosuite `eddsa-jcs-2022`, with a base58btc 64-byte signature.
        public init(of document: [String: JSONValue]) throws(CredentialRefusal) {
            guard case .object(let proof)? = document["proof"] else {
                if case .array? = document["proof"] {
                    throw CredentialRefusal(.unsupportedProof, "The document has several proofs; a MANRS+ credential has exactly one.")
                }
                throw CredentialRefusal(.malformed, "The document is not signed: it has no proof.")
            }
            guard proof["type"] == .string(EddsaJcs2022.proofType) else {
                throw CredentialRefusal(.unsupportedProof, "The proof is not a Data Integrity proof (\(EddsaJcs2022.proofType)).")
            }
            guard proof["cryptosuite"] == .string(EddsaJcs2022.cryptosuite) else {
                throw CredentialRefusal(.unsupportedProof, "The proof uses another cryptosuite than \(EddsaJcs2022.cryptosuite).")
            }
            guard case .string(let method)? = proof["verificationMethod"], case .string(let purpose)? = proof["proofPurpose"] else {
                throw CredentialRefusal(.malformed, "The proof does not say which key made it or for what purpose.")
            }
            guard case .string(let value)? = proof["proofValue"], value.first == "z", let signature = Base58.decode(value.dropFirst()),
                signature.count == 64
            else {
                throw CredentialRefusal(.malformed, "The proof's signature is not a base58btc Ed25519 signature.")
            }
            var created: String? = nil
            if let field = proof["created"] {
                guard case .string(let text) = field, DateTimeStamp.parse(text) != nil else {
                    throw CredentialRefusal(.malformed, "The proof's creation time is not a date and time.")
                }
                created = text
            }
            self.verificationMethod = method
            self.proofPurpose = purpose
            self.created = created
            self.signature = signature
            var options = proof
            options["proofValue"] = nil
            self.options = options
        }
    }

    /// Checks the proof of `document` against a raw Ed25519 public key: the document's `@context`
    /// must start with the proof's, and the signature must match the document and the proof
    /// options exactly as they are.
    public static func verify(_ document: [String: JSONValue], publicKey: [UInt8]) -> Result<Proof, CredentialRefusal> {
        let proof: Proof
        do {
            proof = try Proof(of: document)
        } catch {
            return .failure(error)
        }
        var unsecured = document
        unsecured["proof"] = nil
        if let proofContext = proof.options["@context"] {
            let contexts: (JSONValue?) -> [JSONValue] = { value in
                switch value {
                case .array(let items)?: return items
                case let item?: return [item]
                case nil: return []
                }
            }
            let expected = contexts(proofContext)
            guard contexts(unsecured["@context"]).starts(with: expected) else {
                return .failure(CredentialRefusal(.badSignature, "The proof was made for a document with another @context."))
            }
            unsecured["@context"] = proofContext
        }
        let steps = Intermediates(document: unsecured, proofConfig: proof.options)
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            return .failure(CredentialRefusal(.malformed, "The issuer's key is not an Ed25519 public key."))
        }
        guard key.isValidSignature(proof.signature, for: steps.combined) else {
            return .failure(
                CredentialRefusal(
                    .badSignature, "The signature does not match: the credential was changed after it was signed, or another key signed it."))
        }
        return .success(proof)
    }
}
