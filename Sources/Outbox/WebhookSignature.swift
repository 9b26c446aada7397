import Crypto
import Foundation

/// Standard Webhooks signing (https://www.standardwebhooks.com): the headers `webhook-id`,
/// `webhook-timestamp` and `webhook-signature`, where the signature is `v1,` followed by the
/// base64 HMAC-SHA256 of `id.timestamp.body` keyed with the secret's decoded bytes. Pure.
public enum WebhookSignature {
    /// The prefix of a secret as shown to the participant.
    public static let secretPrefix = "whsec_"

    /// The key bytes of a `whsec_` secret (the prefix is optional), or nil when it is not base64.
    public static func keyBytes(ofSecret secret: String) -> [UInt8]? {
        let encoded = secret.hasPrefix(secretPrefix) ? String(secret.dropFirst(secretPrefix.count)) : secret
        guard let data = Data(base64Encoded: encoded), !data.isEmpty else { return nil }
        return [UInt8](data)
    }

    /// A secret as shown once to the participant: `whsec_` and the key in base64.
    public static func secret(fromKey key: [UInt8]) -> String {
        secretPrefix + Data(key).base64EncodedString()
    }

    /// The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256>`.
    public static func sign(id: String, timestamp: Int64, body: [UInt8], key: [UInt8]) -> String {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The three headers of one delivery.
    public static func headers(id: String, timestamp: Int64, body: [UInt8], key: [UInt8]) -> [(String, String)] {
        [
            ("webhook-id", id),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", sign(id: id, timestamp: timestamp, body: body, key: key)),
        ]
    }

    /// Whether a `webhook-signature` header (space-separated `v1,...` entries) holds a valid
    /// signature for this message. Comparison is constant-time. No timestamp tolerance here:
    /// the caller checks the age of `timestamp` against its own clock.
    public static func verify(id: String, timestamp: Int64, body: [UInt8], key: [UInt8], header: String) -> Bool {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        for entry in header.split(separator: " ") {
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let given = Data(base64Encoded: String(parts[1])) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: content, using: SymmetricKey(data: key)) {
                return true
            }
        }
        return false
    }
}
