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
    /// time hashing and says no, so response times do not tell which accounts exist.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive {
            guard let hash else {
                _ = Bcrypt.hash(password, cost: cost)
                return false
            }
            return Bcrypt.verify(password, hash: hash)
        }
    }

    /// Passwords are 12 to 200 characters; length is the only rule (NIST SP 800-63B).
    public static func isAcceptable(_ password: String) -> Bool {
        (12...200).contains(password.count)
    }
}
