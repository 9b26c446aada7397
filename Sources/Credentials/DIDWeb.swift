import Foundation

/// A `did:web` identifier (W3C CCG did:web method) and the HTTPS URL of its DID document.
///
/// `did:web:example.com` is resolved at `https://example.com/.well-known/did.json`, a path after
/// the host at `https://example.com/user/alice/did.json` (`did:web:example.com:user:alice`), and a
/// port is written percent-encoded (`did:web:example.com%3A3000`).
public struct DIDWeb: Sendable, Hashable, CustomStringConvertible {
    /// The DID, `did:web:…`.
    public let did: String

    /// Reads a `did:web` DID; refuses any other method or an empty host.
    public init(_ did: String) throws(CredentialRefusal) {
        guard did.hasPrefix("did:web:"), let host = did.dropFirst("did:web:".count).split(separator: ":", omittingEmptySubsequences: false).first,
            !host.isEmpty, !did.dropFirst("did:web:".count).split(separator: ":", omittingEmptySubsequences: false).contains(where: \.isEmpty)
        else {
            throw CredentialRefusal(.malformed, "“\(did)” is not a did:web identifier.")
        }
        self.did = did
    }

    /// A DID known to be well formed.
    init(unchecked did: String) { self.did = did }

    /// The DID of an HTTPS origin, such as `https://manrs.example` or `https://localhost:8443/mp`.
    public init(origin: URL) throws(CredentialRefusal) {
        guard origin.scheme?.lowercased() == "https", let host = origin.host(percentEncoded: false)?.lowercased(), !host.isEmpty,
            origin.query == nil, origin.fragment == nil, origin.user == nil
        else {
            throw CredentialRefusal(.malformed, "The public address must be an https:// origin with no query, for example https://manrs.example.")
        }
        var did = "did:web:" + host
        if let port = origin.port { did += "%3A\(port)" }
        for segment in origin.path(percentEncoded: true).split(separator: "/") { did += ":" + segment }
        self.did = did
    }

    /// The DID whose document is at `url` (the Read steps backwards): `…/.well-known/did.json`
    /// is the host's DID, `…/a/b/did.json` the DID with path `a:b`.
    public init(documentURL url: URL) throws(CredentialRefusal) {
        var text = url.absoluteString
        guard text.hasSuffix("/did.json") else {
            throw CredentialRefusal(.malformed, "\(text) is not the address of a did:web document (it ends in /did.json).")
        }
        text.removeLast("/did.json".count)
        if text.hasSuffix("/.well-known") { text.removeLast("/.well-known".count) }
        guard let origin = URL(string: text) else { throw CredentialRefusal(.malformed, "\(url.absoluteString) is not an address.") }
        try self.init(origin: origin)
    }

    public var description: String { did }

    /// The URL of the DID document: the spec's Read steps.
    public var documentURL: URL {
        let segments = did.dropFirst("did:web:".count).split(separator: ":", omittingEmptySubsequences: false)
        let host = segments[0].removingPercentEncoding ?? String(segments[0])
        var text = "https://" + host
        if segments.count > 1 {
            text += "/" + segments.dropFirst().joined(separator: "/")
        } else {
            text += "/.well-known"
        }
        return URL(string: text + "/did.json")!
    }

    /// The id of the verification method `fragment` of this DID: `did:web:…#fragment`.
    public func methodID(_ fragment: String) -> String { did + "#" + fragment }
}
