import Domain
import Foundation
import Postgres
import Store
import TestSupport
import Testing

@Suite("Text limits: the schema and Domain.Limits agree")
struct LimitsTests {
    @Test("every length CHECK in the migrated schema is a named limit, and every named limit is a CHECK")
    func schemaMatchesLimits() async throws {
        try await TestDatabase.withDatabase { db in
            let rows = try await db.pool.query(
                """
                SELECT c.conrelid::regclass::text, pg_get_constraintdef(c.oid)
                FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                WHERE c.contype = 'c' AND n.nspname = 'public'
                """)
            // table.column → (lower bound, upper bound) as SQL states them.
            var schema: [String: (min: Int?, max: Int?)] = [:]
            let pattern = try Regex(#"length\((\w+)\) (>=|<=) (\d+)"#)
            for row in rows {
                let (table, definition) = try row.decode(String.self, String.self)
                for match in definition.matches(of: pattern) {
                    let column = String(match.output[1].substring!)
                    let bound = Int(match.output[3].substring!)!
                    var entry = schema["\(table).\(column)"] ?? (nil, nil)
                    if match.output[2].substring! == ">=" { entry.min = bound } else { entry.max = bound }
                    schema["\(table).\(column)"] = entry
                }
            }
            #expect(!schema.isEmpty)
            let named = Dictionary(uniqueKeysWithValues: Limits.schemaColumns.map { ("\($0.table).\($0.column)", $0.limit) })
            #expect(
                Set(schema.keys) == Set(named.keys),
                "in the schema only: \(Set(schema.keys).subtracting(named.keys)); named only: \(Set(named.keys).subtracting(schema.keys))")
            for (column, bounds) in schema {
                guard let limit = named[column] else { continue }
                #expect(bounds.max == limit.max, "\(column): schema \(bounds), Limits \(limit)")
                // A column without a lower bound in SQL is one the rules keep at 0 or 1 (not empty).
                #expect(bounds.min.map { $0 == limit.min } ?? (limit.min <= 1), "\(column): schema \(bounds), Limits \(limit)")
            }
        }
    }

    @Test("a decision's per-action comments are held to the same limits in the database (migration 0013)")
    func actionComments() async throws {
        try await TestDatabase.withDatabase { db in
            func within(_ json: String) async throws -> Bool {
                try await db.pool.query("SELECT action_comments_within_limits(\(json)::jsonb)")[0].decode(0, as: Bool.self)
            }
            let longest = String(repeating: "a", count: Limits.comment.max)
            let most = (0..<Limits.actionCommentsPerDecision).map { #""a\#($0)": "x""# }
            let answers = [
                try await within(#"{"ixp.1": "\#(longest)"}"#), try await within(#"{"ixp.1": "\#(longest)a"}"#),
                try await within(#"{"ixp.1": ""}"#), try await within(#"["not an object"]"#),
                try await within("{" + most.joined(separator: ",") + "}"),
                try await within("{" + (most + [#""one more": "x""#]).joined(separator: ",") + "}"),
            ]
            #expect(answers == [true, false, false, false, true, false])
        }
    }
}
