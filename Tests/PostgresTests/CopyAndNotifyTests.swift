import Foundation
import Postgres
import TestSupport
import Testing

@Suite("COPY and LISTEN/NOTIFY")
struct CopyAndNotifyTests {
    @Test("COPY FROM STDIN loads 100,000 rows with escapes and NULLs intact")
    func copyHundredThousandRows() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            try await db.pool.execute("CREATE TABLE announcements (prefix cidr NOT NULL, origin bigint NOT NULL, note text)")
            let stored = try await db.pool.withConnection { connection in
                try await connection.copyFromStdin("COPY announcements (prefix, origin, note) FROM STDIN") { writer in
                    for index in 0..<100_000 {
                        let note: String? = index % 10 == 0 ? nil : "tab\there\\ line\nnext #\(index)"
                        try writer.appendRow(["10.\(index / 65536).\(index / 256 % 256).\(index % 256)/32", String(64_512 + index), note])
                    }
                }
            }
            #expect(stored == 100_000)
            let rows = try await db.pool.query("SELECT count(*), count(note), max(origin) FROM announcements")
            #expect(try rows[0].decode(Int.self, Int.self, Int.self) == (100_000, 90_000, 64_512 + 99_999))
            let sample = try await db.pool.query("SELECT note FROM announcements WHERE origin = \(64_512 + 7)")
            #expect(try sample[0].decode(0, as: String.self) == "tab\there\\ line\nnext #7")
        }
    }

    @Test("a COPY whose writer throws stores nothing and leaves the connection usable")
    func abortedCopy() async throws {
        struct Stop: Error {}
        try await TestDatabase.withDatabase(migrated: false, poolSize: 1) { (db: FreshDatabase) async throws in
            try await db.pool.execute("CREATE TABLE t (v int)")
            await #expect(throws: Stop.self) {
                try await db.pool.withConnection { connection in
                    try await connection.copyFromStdin("COPY t FROM STDIN") { writer in
                        try writer.appendRow(["1"])
                        throw Stop()
                    }
                }
            }
            let bad = await #expect(throws: PostgresError.self) {
                try await db.pool.withConnection { connection in
                    try await connection.copyFromStdin("COPY t FROM STDIN") { writer in
                        try writer.appendRow(["not a number"])
                    }
                }
            }
            #expect(bad?.sqlState == "22P02")
            #expect(try await db.pool.query("SELECT count(*) FROM t")[0].decode(0, as: Int.self) == 0)
        }
    }

    @Test("NOTIFY reaches a listener, payloads are bound, and a lost session and its reconnect are announced")
    func notifications() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            let listener = PostgresListener(configuration: db.pool.configuration, channels: ["cache invalidation"], logger: TestDatabase.logger)
            let running = Task { try await listener.run() }
            await listener.waitUntilListening()
            var events = listener.events.makeAsyncIterator()
            #expect(await events.next() == .listening)

            let payload = "participant:42'); NOTIFY x; --"
            try await db.pool.notify(channel: "cache invalidation", payload: payload)
            #expect(await events.next() == .notification(channel: "cache invalidation", payload: payload))

            // Kill the listener's session: it reconnects, says so, and hears the next NOTIFY.
            try await db.pool.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
            #expect(await events.next() == .disconnected)
            #expect(await events.next() == .reconnected)
            try await db.pool.notify(channel: "cache invalidation", payload: "after")
            #expect(await events.next() == .notification(channel: "cache invalidation", payload: "after"))
            running.cancel()
        }
    }
}
