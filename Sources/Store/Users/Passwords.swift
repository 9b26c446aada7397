import HummingbirdBcrypt
import NIOPosix

/// bcrypt hashing and verification, run on NIO's blocking thread pool: a cost-12 hash takes a
/// quarter of a second of CPU, which must never stall the cooperative pool.
public struct Passwords: Sendable {
    /// The bcrypt cost; 12 or more outside tests.
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Checks `password` against `hash`. With no hash (an unknown account) it spends the same
    /// time hashing and says no, so response times do not tell which accounts exist. A password
    /// longer than bcrypt reads cannot be one that was set, so it is never taken for its prefix.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        let cost = cost
        let readable = password.utf8.count <= Self.maxBytes
        return try await NIOThreadPool.singleton.runIfActive {
            guard let hash, readable else {
                _ = Bcrypt.hash(String(password.utf8.prefix(Self.maxBytes)) ?? "", cost: cost)
                return false
            }
            return Bcrypt.verify(password, hash: hash)
        }
    }

    /// bcrypt reads the first 72 bytes and ignores the rest, so no longer password is accepted.
    public static let maxBytes = 72

    /// Passwords are at least 12 characters and at most 72 bytes (what bcrypt reads); length is
    /// the only rule (NIST SP 800-63B).
    public static func isAcceptable(_ password: String) -> Bool {
        password.count >= 12 && password.utf8.count <= maxBytes
    }

    /// The rule in words, for refusals.
    public static let rule = "A password has at least 12 characters and at most 72 bytes (72 letters, fewer with accents or symbols)."
}
