import Canonical

/// The issuer's DID document (`/.well-known/did.json`) and its JWKS, built from the same keys.
public struct IssuerDocument: Sendable {
    public let issuer: DIDWeb
    /// Every key whose signatures still count, the one signing today first.
    public let keys: [IssuerPublicKey]

    public init(issuer: DIDWeb, keys: [IssuerPublicKey]) {
        self.issuer = issuer
        self.keys = keys
    }

    /// The DID document: each key a `Multikey` verification method controlled by the DID and
    /// listed under `assertionMethod` (what issuing a credential is).
    public var didDocument: JSONValue {
        let methods: [JSONValue] = keys.map { key in
            .object([
                "id": .string(key.methodID(under: issuer)),
                "type": .string("Multikey"),
                "controller": .string(issuer.did),
                "publicKeyMultibase": .string(key.multibase),
            ])
        }
        return .object([
            "@context": .array([.string("https://www.w3.org/ns/did/v1"), .string("https://w3id.org/security/multikey/v1")]),
            "id": .string(issuer.did),
            "verificationMethod": .array(methods),
            "assertionMethod": .array(keys.map { .string($0.methodID(under: issuer)) }),
        ])
    }

    /// The same keys as a JSON Web Key Set (RFC 7517, RFC 8037): `OKP`/`Ed25519`, `x` in base64url,
    /// `kid` the verification method id.
    public var jwks: JSONValue {
        .object([
            "keys": .array(
                keys.map { key in
                    .object([
                        "kty": .string("OKP"),
                        "crv": .string("Ed25519"),
                        "x": .string(Base64URL.encode(key.raw)),
                        "kid": .string(key.methodID(under: issuer)),
                        "alg": .string("EdDSA"),
                        "use": .string("sig"),
                    ])
                })
        ])
    }

    /// The key a DID document lists for `assertionMethod` under `methodID`, or a refusal saying
    /// why it cannot be used: the document is another DID's, the key is absent or not listed for
    /// issuing, or it is not an Ed25519 Multikey.
    public static func assertionKey(_ methodID: String, in document: JSONValue, issuer: DIDWeb) -> Result<IssuerPublicKey, CredentialRefusal> {
        guard case .object(let fields) = document, case .string(let id)? = fields["id"] else {
            return .failure(.malformed("The DID document is not a DID document: it has no id."))
        }
        guard id == issuer.did else {
            return .failure(CredentialRefusal(.wrongIssuer, "The DID document is that of \(id), not of the issuer \(issuer.did)."))
        }
        guard methodID.hasPrefix(issuer.did + "#") else {
            return .failure(CredentialRefusal(.unknownKey, "The credential was signed with a key that does not belong to its issuer."))
        }
        func matches(_ candidate: String) -> Bool {
            candidate == methodID || (candidate.hasPrefix("#") && issuer.did + candidate == methodID)
        }
        // Verification methods are listed in `verificationMethod` and referred to, or embedded,
        // in `assertionMethod`.
        var listed: [String: JSONValue] = [:]
        if case .array(let methods)? = fields["verificationMethod"] {
            for case .object(let method) in methods {
                if case .string(let candidate)? = method["id"], matches(candidate) { listed = method }
            }
        }
        var mayAssert = false
        if case .array(let entries)? = fields["assertionMethod"] {
            for entry in entries {
                switch entry {
                case .string(let reference) where matches(reference): mayAssert = true
                case .object(let method):
                    if case .string(let candidate)? = method["id"], matches(candidate) {
                        mayAssert = true
                        listed = method
                    }
                default: continue
                }
            }
        }
        guard mayAssert, !listed.isEmpty else {
            return .failure(
                CredentialRefusal(.unknownKey, "The issuer's DID document does not list the key that signed the credential as a key for issuing."))
        }
        guard listed["type"] == .string("Multikey"), case .string(let multibase)? = listed["publicKeyMultibase"] else {
            return .failure(CredentialRefusal(.unknownKey, "The key that signed the credential is not published as a Multikey."))
        }
        if let controller = listed["controller"], controller != .string(issuer.did) {
            return .failure(CredentialRefusal(.unknownKey, "The key that signed the credential is controlled by someone other than the issuer."))
        }
        do {
            return .success(try IssuerPublicKey(multibase: multibase))
        } catch {
            return .failure(CredentialRefusal(.unknownKey, error.message))
        }
    }
}
