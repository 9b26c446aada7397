import Canonical
import Crypto
import Foundation
import Postgres

/// The head of the audit chain: how many events, the last hash, when.
public struct AuditHead: Sendable, Encodable, Equatable {
    public let seq: Int
    public let hash: String
    public let at: Date
}

/// What `verify` found.
public struct AuditVerification: Sendable, Equatable, CustomStringConvertible {
    /// Events checked.
    public var checked = 0
    /// The first broken link, with the reason; nil when the chain is intact.
    public var firstBreak: (seq: Int, reason: String)?
    /// Events never sealed into the chain (their transaction committed with triggers disabled).
    public var unsealed = 0

    public static func == (lhs: AuditVerification, rhs: AuditVerification) -> Bool {
        lhs.checked == rhs.checked && lhs.firstBreak?.seq == rhs.firstBreak?.seq && lhs.firstBreak?.reason == rhs.firstBreak?.reason
            && lhs.unsealed == rhs.unsealed
    }

    public var isIntact: Bool { firstBreak == nil && unsealed == 0 }

    public var description: String {
        if let firstBreak { return "BROKEN at event \(firstBreak.seq): \(firstBreak.reason) (\(checked) events checked before it)" }
        if unsealed > 0 { return "\(checked) events chained; \(unsealed) events are outside the chain" }
        return "intact: \(checked) events"
    }
}

/// Reads and checks the audit hash chain.
public struct AuditChain: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    public func head() async throws -> AuditHead {
        let row = try await database.query("SELECT seq, hash, at FROM audit_chain_head")[0]
        return AuditHead(seq: try row.decode("seq"), hash: Self.hex(try row.decode("hash", as: Data.self)), at: try row.decode("at"))
    }

    /// Recomputes every event's canonical form from its columns and every link of the chain, in
    /// order, and reports the first that does not hold.
    public func verify(batch: Int = 5000) async throws -> AuditVerification {
        var result = AuditVerification()
        var previous = Data(repeating: 0, count: 32)
        var expectedSeq = 1
        while true {
            let rows = try await database.query(
                """
                SELECT seq, prev_hash, hash, canonical, \(unsafeRaw: AuditEventContent.columns)
                FROM audit_events WHERE seq >= \(expectedSeq) ORDER BY seq LIMIT \(batch)
                """)
            for row in rows {
                let seq = try row.decode("seq", as: Int.self)
                guard seq == expectedSeq else {
                    result.firstBreak = (expectedSeq, "event \(expectedSeq) is missing")
                    return result
                }
                guard try row.decode("prev_hash", as: Data?.self) == previous else {
                    result.firstBreak = (seq, "its previous hash is not the hash of event \(seq - 1)")
                    return result
                }
                let canonical = try AuditEventContent(row: row).canonical
                let recomputed = Self.link(previous, canonical)
                guard try row.decode("hash", as: Data?.self) == recomputed else {
                    result.firstBreak = (seq, "its content does not match its hash")
                    return result
                }
                previous = recomputed
                expectedSeq += 1
                result.checked += 1
            }
            if rows.count < batch { break }
        }
        let head = try await database.query("SELECT seq, hash FROM audit_chain_head")[0]
        if try head.decode("seq", as: Int.self) != result.checked || head.decode("hash", as: Data.self) != previous {
            result.firstBreak = (result.checked + 1, "the chain head does not match the last event")
        }
        result.unsealed = try await database.query("SELECT count(*) FROM audit_events WHERE seq IS NULL")[0].decode(0, as: Int.self)
        return result
    }

    /// Chains events that have no place yet: those written before the chain existed
    /// (migration 0004). Returns how many were sealed.
    @discardableResult
    public func sealUnchained() async throws -> Int {
        try await database.transaction { connection in
            let head = try await connection.query("SELECT seq, hash FROM audit_chain_head FOR UPDATE")[0]
            var seq = try head.decode("seq", as: Int.self)
            var hash = try head.decode("hash", as: Data.self)
            let rows = try await connection.query(
                """
                SELECT id, \(unsafeRaw: AuditEventContent.columns) FROM audit_events WHERE seq IS NULL ORDER BY id FOR UPDATE
                """)
            for row in rows {
                let canonical = try AuditEventContent(row: row).canonical
                let sealed = Self.link(hash, canonical)
                seq += 1
                try await connection.execute(
                    """
                    UPDATE audit_events SET seq = \(seq), prev_hash = \(hash), hash = \(sealed), canonical = \(Data(canonical))
                    WHERE id = \(try row.decode("id", as: Int.self))
                    """)
                hash = sealed
            }
            if !rows.isEmpty {
                try await connection.execute("UPDATE audit_chain_head SET seq = \(seq), hash = \(hash), at = now()")
            }
            return rows.count
        }
    }

    static func link(_ previous: Data, _ canonical: [UInt8]) -> Data {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonical)
        return Data(hasher.finalize())
    }

    static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }
}
