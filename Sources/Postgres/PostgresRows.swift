import CLibPQ

/// Owns one `PGresult` and clears it exactly once.
final class ResultHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PQclear(pointer) }
}

/// The rows a statement returned. Independent of the connection: safe to keep after the lease.
public struct PostgresRows: Sendable, RandomAccessCollection {
    let handle: ResultHandle
    public let count: Int
    /// Rows written or affected (`INSERT`, `UPDATE`, `DELETE`, `COPY`, …), 0 when not reported.
    public let affectedRows: Int

    init(handle: ResultHandle) {
        self.handle = handle
        self.count = Int(PQntuples(handle.pointer))
        self.affectedRows = Int(String(cString: PQcmdTuples(handle.pointer))) ?? 0
    }

    /// The command tag, such as `INSERT 0 1` or `COMMIT`.
    public var commandTag: String { String(cString: PQcmdStatus(handle.pointer)) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    /// Column names, in result order.
    public var columns: [String] {
        (0..<PQnfields(handle.pointer)).map { String(cString: PQfname(handle.pointer, $0)) }
    }

    /// The single row, or nil when there is none; more than one row is a programming error.
    public var single: PostgresRow? {
        precondition(count <= 1, "expected at most one row, got \(count)")
        return first
    }
}

/// One row of a result. Decode columns by name or position into Swift types.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    public var columnCount: Int { Int(PQnfields(rows.handle.pointer)) }

    /// Decodes the column named `column`.
    public func decode<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        let position = PQfnumber(rows.handle.pointer, column)
        guard position >= 0 else {
            throw PostgresError(code: .decoding, column: column, message: "no column named \(column)")
        }
        return try decode(Int(position), as: type)
    }

    /// Decodes the column at `column` (0-based).
    public func decode<Value: PostgresDecodable>(_ column: Int, as type: Value.Type = Value.self) throws -> Value {
        let result = rows.handle.pointer
        let field = Int32(column)
        guard column >= 0, field < PQnfields(result) else {
            throw PostgresError(code: .decoding, column: "#\(column)", message: "no column at position \(column)")
        }
        return try withExtendedLifetime(rows.handle) {
            do {
                if PQgetisnull(result, Int32(index), field) == 1 {
                    return try Value.postgresNull()
                }
                let bytes = UnsafeBufferPointer(
                    start: UnsafeRawPointer(PQgetvalue(result, Int32(index), field)!).assumingMemoryBound(to: UInt8.self),
                    count: Int(PQgetlength(result, Int32(index), field))
                )
                return try Value(postgresText: bytes, type: PostgresType(rawValue: PQftype(result, field)))
            } catch let failure as PostgresDecodingFailure {
                let name = String(cString: PQfname(result, field))
                throw PostgresError(code: .decoding, column: name, message: "column \(name) \(failure.reason)")
            }
        }
    }

    /// Decodes the first columns, in order, into a tuple: `let (id, name) = try row.decode(Int.self, String.self)`.
    public func decode<each Value: PostgresDecodable>(_ types: repeat (each Value).Type) throws -> (repeat each Value) {
        var position = 0
        func next<Column: PostgresDecodable>(_ type: Column.Type) throws -> Column {
            defer { position += 1 }
            return try decode(position, as: type)
        }
        return (repeat try next((each Value).self))
    }
}
