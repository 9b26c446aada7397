import Foundation
import Postgres
import TestSupport
import Testing

/// Every supported type goes to the server as a bound parameter and comes back through a column.
@Suite("Type round-trips through PostgreSQL")
struct TypeRoundTripTests {
    /// Sends `value` cast to `type`, reads it back.
    func roundTrip<Value: PostgresCodable>(_ value: Value, as type: String, on pool: PostgresPool) async throws -> Value {
        let rows = try await pool.query("SELECT \(value)::\(unsafeRaw: type) AS v")
        return try rows[0].decode("v", as: Value.self)
    }

    @Test("Integers at their limits, doubles, booleans, decimals")
    func scalars() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            for value in [Int.min, -1, 0, 1, Int.max] {
                #expect(try await roundTrip(value, as: "int8", on: db.pool) == value)
            }
            for value in [Int32.min, 0, Int32.max] {
                #expect(try await roundTrip(value, as: "int4", on: db.pool) == value)
            }
            for value in [Int16.min, Int16.max] {
                #expect(try await roundTrip(value, as: "int2", on: db.pool) == value)
            }
            for value in [0.1, -1.5e300, Double.leastNonzeroMagnitude, .infinity, -.infinity] {
                #expect(try await roundTrip(value, as: "float8", on: db.pool) == value)
            }
            #expect(try await roundTrip(Double.nan, as: "float8", on: db.pool).isNaN)
            #expect(try await roundTrip(true, as: "bool", on: db.pool) == true)
            #expect(try await roundTrip(false, as: "bool", on: db.pool) == false)
            let decimal = Decimal(string: "12345678901234567890.123456789", locale: Locale(identifier: "en_US_POSIX"))!
            #expect(try await roundTrip(decimal, as: "numeric", on: db.pool) == decimal)
        }
    }

    @Test("Strings: empty, unicode, quotes; NUL is refused before reaching the server")
    func strings() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            for value in ["", "plain", "Zürich – 東京 – 🛰️", "it's \"quoted\" \\ back", String(repeating: "x", count: 100_000)] {
                #expect(try await roundTrip(value, as: "text", on: db.pool) == value)
            }
            let error = await #expect(throws: PostgresError.self) {
                _ = try await roundTrip("nul\u{0}inside", as: "text", on: db.pool)
            }
            #expect(error?.code == .invalidParameter)
            // The connection is still usable afterwards.
            #expect(try await roundTrip("after", as: "text", on: db.pool) == "after")
        }
    }

    @Test("UUID, bytea up to 10 MB, jsonb")
    func foundationTypes() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            let uuid = UUID()
            #expect(try await roundTrip(uuid, as: "uuid", on: db.pool) == uuid)
            #expect(try await roundTrip(Data(), as: "bytea", on: db.pool) == Data())
            var generator = SystemRandomNumberGenerator()
            var large = Data(count: 10_000_000)
            large.withUnsafeMutableBytes { bytes in
                for offset in stride(from: 0, to: bytes.count, by: 8) {
                    withUnsafeBytes(of: generator.next() as UInt64) { random in
                        bytes.baseAddress!.advanced(by: offset).copyMemory(from: random.baseAddress!, byteCount: 8)
                    }
                }
            }
            #expect(try await roundTrip(large, as: "bytea", on: db.pool) == large)
            let bytes: [UInt8] = [0, 1, 254, 255]
            #expect(try await roundTrip(bytes, as: "bytea", on: db.pool) == bytes)

            struct Payload: Codable, Equatable, Sendable {
                var name: String
                var asns: [Int]
                var nested: [String: Bool]
            }
            let payload = Payload(name: "AS3333 – RIPE NCC", asns: [3333, 4_200_000_000], nested: ["ok": true])
            let rows = try await db.pool.query("SELECT \(jsonb: payload) AS v")
            #expect(try rows[0].decode("v", as: JSONB<Payload>.self).value == payload)
        }
    }

    @Test("timestamptz keeps microseconds and means the same instant in any session time zone")
    func timestamps() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            // Date is a Double: microseconds survive for instants within about ±285 years of 1970.
            let micros: [Int64] = [0, 1_700_000_000_123_456, -1_000_000, 7_258_118_400_999_999, -62_135_596_800_000_000]
            for value in micros {
                let date = Date(timeIntervalSince1970: Double(value) / 1_000_000)
                let back = try await roundTrip(date, as: "timestamptz", on: db.pool)
                #expect(Int64((back.timeIntervalSince1970 * 1_000_000).rounded()) == value)
            }
            // The server computes the instant; we read it back in sessions with other time zones.
            try await db.pool.withConnection { connection in
                for zone in ["UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"] {
                    try await connection.execute("SELECT set_config('TimeZone', \(zone), false)")
                    let rows = try await connection.query(
                        "SELECT '2024-02-29 12:34:56.789012+00'::timestamptz AS v, current_setting('TimeZone') AS z")
                    let date = try rows[0].decode("v", as: Date.self)
                    #expect(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) == 1_709_210_096_789_012, "in \(zone)")
                }
            }
            #expect(try await roundTrip(Date.distantFuture, as: "timestamptz", on: db.pool) == .distantFuture)
            let rows = try await db.pool.query("SELECT 'infinity'::timestamptz, '-infinity'::timestamptz")
            let (future, past) = try rows[0].decode(Date.self, Date.self)
            #expect(future == .distantFuture)
            #expect(past == .distantPast)
        }
    }

    @Test("NULL reads as nil into optionals and is a clear error otherwise")
    func nulls() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            let missing: Int? = nil
            let rows = try await db.pool.query("SELECT \(missing)::int8 AS v, \("x") AS w")
            #expect(try rows[0].decode("v", as: Int?.self) == nil)
            let error = #expect(throws: PostgresError.self) { try rows[0].decode("v", as: Int.self) }
            #expect(error?.code == .decoding)
            #expect(error?.column == "v")
            #expect(error.map { String(describing: $0) }?.contains("x") == false)
            let mismatch = #expect(throws: PostgresError.self) { try rows[0].decode("w", as: Int.self) }
            #expect(mismatch?.code == .decoding)
            #expect(throws: PostgresError.self) { try rows[0].decode("nope", as: Int.self) }
        }
    }

    @Test("Arrays of every element type, with NULL elements and awkward text")
    func arrays() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            #expect(try await roundTrip([1, Int.min, Int.max], as: "int8[]", on: db.pool) == [1, Int.min, Int.max])
            #expect(try await roundTrip([Int](), as: "int8[]", on: db.pool) == [])
            let texts = ["a", "", "with,comma", "with \"quote\"", "back\\slash", "NULL", " spaced ", "{braces}"]
            #expect(try await roundTrip(texts, as: "text[]", on: db.pool) == texts)
            let optionals: [String?] = ["x", nil, "y"]
            #expect(try await roundTrip(optionals, as: "text[]", on: db.pool) == optionals)
            let uuids = [UUID(), UUID()]
            #expect(try await roundTrip(uuids, as: "uuid[]", on: db.pool) == uuids)
            #expect(try await roundTrip([true, false], as: "bool[]", on: db.pool) == [true, false])
            #expect(try await roundTrip([1.5, -2.25], as: "float8[]", on: db.pool) == [1.5, -2.25])
            let blobs = [Data([1, 2]), Data(), Data([255])]
            #expect(try await roundTrip(blobs, as: "bytea[]", on: db.pool) == blobs)
            let dates = [Date(timeIntervalSince1970: 1_700_000_000.5), Date(timeIntervalSince1970: 0)]
            #expect(try await roundTrip(dates, as: "timestamptz[]", on: db.pool) == dates)
            // A NULL element in a non-optional array is refused.
            let rows = try await db.pool.query("SELECT ARRAY[1, NULL]::int8[] AS v")
            #expect(throws: PostgresError.self) { try rows[0].decode("v", as: [Int].self) }
            #expect(try rows[0].decode("v", as: [Int?].self) == [1, nil])
        }
    }
}
