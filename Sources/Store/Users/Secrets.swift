import Credentials
import Crypto
import Foundation

/// Random secrets for tokens and sessions, and the SHA-256 under which they are stored.
public enum Secrets {
    /// 32 random bytes as base64url without padding (43 characters).
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return base64URL(bytes)
    }

    /// An API token: `mp_` (so secret scanners can recognise it) and 32 random bytes.
    public static func apiToken() -> String { "mp_" + random() }

    public static func sha256(_ text: String) -> Data {
        Data(SHA256.hash(data: Data(text.utf8)))
    }

    /// A password for a new account, shown once: 18 random bytes as base64url (24 characters).
    public static func password() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL((0..<18).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// `bytes` as base64url without padding (written once, in `Credentials.Base64URL`).
    public static func base64URL(_ bytes: some Sequence<UInt8>) -> String { Base64URL.encode(bytes) }

    /// Compares without an early exit, so timing does not reveal how much of a secret matched.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
