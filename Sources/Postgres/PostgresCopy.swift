import CLibPQ

/// Feeds rows to a running `COPY … FROM STDIN` in PostgreSQL's text format.
///
/// Rows are buffered and sent in large chunks; the writer is only valid inside the
/// `copyFromStdin` closure, on the connection's thread.
public final class PostgresCopyWriter {
    private let connection: OpaquePointer
    private let owner: PostgresConnection
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 20
    public private(set) var rowsWritten = 0

    init(connection: OpaquePointer, owner: PostgresConnection) {
        self.connection = connection
        self.owner = owner
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Appends one row; nil fields are NULL. Tabs, newlines and backslashes are escaped.
    public func appendRow(_ fields: [String?]) throws {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let field else {
                buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                continue
            }
            try appendEscaped(field)
        }
        buffer.append(UInt8(ascii: "\n"))
        rowsWritten += 1
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Appends text already in COPY format (complete lines, escaped by the caller).
    public func appendRaw(_ bytes: some Sequence<UInt8>, rows: Int) throws {
        buffer.append(contentsOf: bytes)
        rowsWritten += rows
        if buffer.count >= flushThreshold { try flush() }
    }

    private func appendEscaped(_ field: String) throws {
        for byte in field.utf8 {
            switch byte {
            case 0:
                throw PostgresError(code: .invalidParameter, message: "a COPY field contains a NUL character")
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: buffer.append(byte)
            }
        }
    }

    func flush() throws {
        precondition(owner.thread.isCurrent, "COPY data written off its connection thread")
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw owner.connectionError(connection, sql: nil) }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension PostgresConnection {
    /// Runs `statement` (a `COPY … FROM STDIN`) and streams the rows `body` writes.
    /// Returns the number of rows the server stored. A throw from `body` aborts the COPY,
    /// and nothing is stored.
    @discardableResult
    public func copyFromStdin(_ statement: SQL, _ body: (PostgresCopyWriter) throws -> Void) async throws -> Int {
        try await withThreadPreference {
            try self.copyOnThread(statement, body)
        }
    }

    private func copyOnThread(_ statement: SQL, _ body: (PostgresCopyWriter) throws -> Void) throws -> Int {
        precondition(thread.isCurrent, "COPY started off its connection thread")
        let connection = try session()
        let start = try check(PQexec(connection, statement.text), connection: connection, sql: statement)
        guard PQresultStatus(start.handle.pointer) == PGRES_COPY_IN else {
            throw PostgresError(code: .invalidParameter, message: "the statement is not COPY FROM STDIN", query: statement.text)
        }
        let writer = PostgresCopyWriter(connection: connection, owner: self)
        do {
            try body(writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(connection, "aborted by the client")
            while let result = PQgetResult(connection) { PQclear(result) }
            throw error
        }
        guard PQputCopyEnd(connection, nil) == 1 else { throw connectionError(connection, sql: statement) }
        var outcome: Result<PostgresRows, any Error>? = nil
        while let result = PQgetResult(connection) {
            let checked = Result { try check(result, connection: connection, sql: statement) }
            if outcome == nil { outcome = checked }
        }
        guard let outcome else { throw connectionError(connection, sql: statement) }
        return try outcome.get().affectedRows
    }
}
