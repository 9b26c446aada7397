import Foundation
import Testing

@testable import Postgres

@Suite("SQL interpolation")
struct SQLTests {
    @Test("Interpolated values become numbered placeholders, never text")
    func valuesAreBound() throws {
        let name = "Robert'); DROP TABLE students;--"
        let id = 42
        let sql: SQL = "SELECT * FROM t WHERE name = \(name) AND id = \(id)"
        #expect(sql.text == "SELECT * FROM t WHERE name = $1 AND id = $2")
        #expect(sql.binds.count == 2)
        #expect(try sql.binds[0].value.encodePostgresText() == name)
        #expect(sql.binds[1].type == .int8)
        #expect(!sql.description.contains("DROP"))
    }

    @Test("Nested fragments are renumbered after the outer binds")
    func fragmentsRenumber() {
        let filter: SQL = "country = \("NL") AND status = \("active")"
        let sql: SQL = "SELECT * FROM p WHERE id > \(10) AND \(filter) LIMIT \(5)"
        #expect(sql.text == "SELECT * FROM p WHERE id > $1 AND country = $2 AND status = $3 LIMIT $4")
        #expect(sql.binds.count == 4)
        let joined = SQL("SELECT \(1)") + " UNION SELECT \(2)"
        #expect(joined.text == "SELECT $1 UNION SELECT $2")
    }

    @Test("Identifiers are quoted and raw text must say unsafe")
    func identifiersAndRaw() {
        let sql: SQL = "SELECT \(identifier: "we\"ird") FROM t \(unsafeRaw: "ORDER BY 1")"
        #expect(sql.text == #"SELECT "we""ird" FROM t ORDER BY 1"#)
        #expect(sql.binds.isEmpty)
    }
}

extension SQL {
    init(_ sql: SQL) { self = sql }
}
