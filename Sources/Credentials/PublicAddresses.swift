import Foundation

/// Every public address a credential names, from the deployment's `PUBLIC_URL` origin, so the
/// server's routes and the credentials it signs cannot disagree.
public struct PublicAddresses: Sendable, Hashable {
    /// The HTTPS origin, with a path when the service lives below one (no trailing slash).
    public let origin: URL
    /// The issuer, `did:web` of the origin.
    public let issuer: DIDWeb

    public init(origin: URL) throws(CredentialRefusal) {
        issuer = try DIDWeb(origin: origin)
        let text = origin.absoluteString
        self.origin = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text)!
    }

    private init(origin: URL, issuer: DIDWeb) {
        self.origin = origin
        self.issuer = issuer
    }

    /// `https://localhost:<port>`, for a deployment without a public address (development).
    public static func localhost(port: Int) -> PublicAddresses {
        PublicAddresses(origin: URL(string: "https://localhost:\(port)")!, issuer: DIDWeb(unchecked: "did:web:localhost%3A\(port)"))
    }

    private func address(_ path: String) -> URL { URL(string: origin.absoluteString + path)! }

    /// The DID document, where `did:web` resolves: `/.well-known/did.json` (or `<path>/did.json`).
    public var didDocument: URL { issuer.documentURL }
    /// The issuer's keys as a JWKS.
    public var jwks: URL { address("/.well-known/jwks.json") }
    /// The status list credential of `purpose`.
    public func statusList(_ purpose: StatusPurpose) -> URL { address("/api/v1/status-lists/\(purpose.rawValue)") }
    /// The mark's public page, also the credential subject's id.
    public func markPage(_ mark: MarkID) -> URL { address("/marks/\(mark.text)") }
    /// The mark's current signed credential.
    public func markCredential(_ mark: MarkID) -> URL { address("/api/v1/marks/\(mark.text)/credential") }
}
