import Crypto
import Foundation

/// Seals webhook signing secrets at rest with AES-GCM, under a key from configuration
/// (`WEBHOOK_SECRETS_KEY`, 32 bytes in base64) or a key file under `DATA_DIR` generated once
/// (mode 0600). The key and the secrets are never logged.
public struct SecretSealer: Sendable {
    enum Source: Sendable {
        case key(SymmetricKey)
        case file(String)
    }

    let source: Source

    /// A sealer with this 32-byte key.
    public init(key: [UInt8]) throws {
        guard key.count == 32 else {
            throw StoreError.refused(slug: "invalid_secrets_key", detail: "The webhook secrets key must be 32 bytes, written in base64.")
        }
        source = .key(SymmetricKey(data: key))
    }

    /// A sealer whose key is read from `keyFile` when first needed, and created there with 32
    /// random bytes if the file does not exist yet.
    public init(keyFile: String) {
        source = .file(keyFile)
    }

    /// Whether `base64` is a usable key (for the settings' check).
    public static func isValidKey(base64: String) -> Bool {
        Data(base64Encoded: base64)?.count == 32
    }

    func key() throws -> SymmetricKey {
        switch source {
        case .key(let key): return key
        case .file(let path):
            let manager = FileManager.default
            if manager.contents(atPath: path) == nil {
                try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
                let temporary = path + ".\(UUID().uuidString).tmp"
                guard manager.createFile(atPath: temporary, contents: fresh, attributes: [.posixPermissions: 0o600]) else {
                    throw StoreError.refused(slug: "secrets_key_unwritable", detail: "Could not write the webhook secrets key file \(path).")
                }
                // link(2) fails when another process created the file first: then its key is the one.
                _ = link(temporary, path)
                try? manager.removeItem(atPath: temporary)
            }
            guard let data = manager.contents(atPath: path), data.count == 32 else {
                throw StoreError.refused(slug: "invalid_secrets_key", detail: "The webhook secrets key file \(path) does not hold 32 bytes.")
            }
            return SymmetricKey(data: data)
        }
    }

    func seal(_ secret: [UInt8]) throws -> Data {
        guard let combined = try AES.GCM.seal(secret, using: try key()).combined else {
            throw StoreError.unreadable("Could not seal a webhook secret.")
        }
        return combined
    }

    func open(_ sealed: Data) throws -> [UInt8] {
        let key = try key()
        do {
            return [UInt8](try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key))
        } catch {
            throw StoreError.unreadable("A webhook secret does not open with the configured key.")
        }
    }
}
