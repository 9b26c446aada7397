import CLibPQ
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Owns one `PGconn` and finishes it exactly once.
final class ConnectionHandle {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PQfinish(pointer) }
}

/// One database session with a thread of its own.
///
/// Every libpq call for this session runs on that thread. Code inside a lease
/// (`PostgresPool.withConnection`) already runs there, so queries are direct calls; called from
/// anywhere else, a method hops to the thread and back. The session is opened lazily and opened
/// again after the server went away, so a pool recovers from a server restart by itself.
public final class PostgresConnection: @unchecked Sendable {
    let thread: ConnectionThread
    let configuration: PostgresConfiguration
    let logger: Logger
    let metrics: PostgresMetrics
    // Touched only on `thread`.
    private var handle: ConnectionHandle?

    init(configuration: PostgresConfiguration, logger: Logger, metrics: PostgresMetrics) {
        self.configuration = configuration
        self.thread = ConnectionThread()
        self.logger = logger
        self.metrics = metrics
    }

    deinit {
        thread.shutdown()
    }

    // MARK: Running on the connection's thread

    /// Runs `body` on this connection's thread, directly when already there.
    func onThread<Result: Sendable>(_ body: @Sendable () throws -> Result) async throws -> Result {
        if thread.isCurrent { return try body() }
        return try await withTaskExecutorPreference(thread) {
            try await Self.run(body)
        }
    }

    @concurrent
    private static func run<Result: Sendable>(_ body: @Sendable () throws -> Result) async throws -> Result {
        try body()
    }

    /// Runs `body` with this connection's thread as the task's executor.
    func withThreadPreference<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await withTaskExecutorPreference(thread) {
            try await body()
        }
    }

    // MARK: Session state (on the thread)

    /// The live session, opened or re-opened when needed.
    func session() throws -> OpaquePointer {
        precondition(thread.isCurrent, "libpq used off its connection thread")
        if let handle, PQstatus(handle.pointer) == CONNECTION_OK {
            return handle.pointer
        }
        if handle != nil {
            logger.info("Reconnecting to PostgreSQL after the connection broke")
            handle = nil
        }
        let connection = try Self.connect(configuration)
        handle = ConnectionHandle(connection)
        metrics.connectionsOpened.increment()
        return connection
    }

    /// Drops the session when the server has closed it while it sat idle, so the next use reconnects.
    func checkIdleSession() {
        guard let handle else { return }
        if PQconsumeInput(handle.pointer) == 0 || PQstatus(handle.pointer) != CONNECTION_OK {
            logger.debug("Pooled connection found closed; it will reconnect")
            self.handle = nil
        }
    }

    /// Leaves the session ready for the next lease: a transaction left open is rolled back.
    func resetAfterLease() {
        guard let handle else { return }
        switch PQtransactionStatus(handle.pointer) {
        case PQTRANS_IDLE:
            return
        case PQTRANS_INTRANS, PQTRANS_INERROR:
            if let result = PQexec(handle.pointer, "ROLLBACK") { PQclear(result) }
        default:
            self.handle = nil
        }
    }

    /// Closes the session on its thread and lets the thread end.
    func close() async {
        _ = try? await onThread { self.handle = nil }
        thread.shutdown()
    }

    static func connect(_ configuration: PostgresConfiguration) throws -> OpaquePointer {
        let parameters = configuration.connectParameters
        let keywords = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let connection = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { keywordPointers in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { valuePointers in
                PQconnectdbParams(keywordPointers.baseAddress, valuePointers.baseAddress, 1)
            }
        }
        guard let connection else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(code: .connectionFailed, message: message.trimmingTrailingWhitespace)
        }
        // libpq prints server notices (warnings, shutdown messages) to stderr by default. Errors
        // reach callers through results; sessions run with client_min_messages=warning, so
        // what is dropped here is advisory.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        return connection
    }

    // MARK: Statements (on the thread)

    /// Runs one statement with bound parameters and returns its result.
    func executeOnThread(_ sql: SQL) throws -> PostgresRows {
        let connection = try session()
        let start = monotonicNanoseconds()
        defer { metrics.queryDuration.recordNanoseconds(monotonicNanoseconds() - start) }
        let result: OpaquePointer?
        if sql.binds.isEmpty {
            result = PQexecParams(connection, sql.text, 0, nil, nil, nil, nil, 0)
        } else {
            result = try Self.withParameters(sql) { types, values, lengths, formats in
                PQexecParams(connection, sql.text, Int32(sql.binds.count), types, values, lengths, formats, 0)
            }
        }
        return try check(result, connection: connection, sql: sql)
    }

    /// Runs a script of several statements through the simple query protocol; no binds allowed.
    func executeScriptOnThread(_ script: SQL) throws {
        guard script.binds.isEmpty else {
            throw PostgresError(code: .invalidParameter, message: "a script cannot have bound parameters")
        }
        let connection = try session()
        var last: OpaquePointer? = nil
        guard PQsendQuery(connection, script.text) == 1 else {
            throw connectionError(connection, sql: script)
        }
        // Keep the first failure, but read every result so the session is ready for the next statement.
        var failure: (any Error)? = nil
        while let result = PQgetResult(connection) {
            last = result
            do { _ = try check(result, connection: connection, sql: script) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
        if last == nil { throw connectionError(connection, sql: script) }
    }

    /// Encodes the text binds into one buffer of NUL-terminated strings and passes their
    /// addresses; binary binds (bytea) pass the address of their own bytes, uncopied.
    static func withParameters<Result>(
        _ sql: SQL,
        _ body: (UnsafePointer<Oid>, UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<Int32>, UnsafePointer<Int32>) throws -> Result
    ) throws -> Result {
        var storage: [UInt8] = []
        var offsets: [Int?] = []
        var binary: [Int: Data] = [:]
        var types: [Oid] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        offsets.reserveCapacity(sql.binds.count)
        types.reserveCapacity(sql.binds.count)
        for (index, bind) in sql.binds.enumerated() {
            types.append(bind.type.rawValue)
            if let bytes = bind.value.encodePostgresBinary() {
                guard bytes.count <= Int32.max else {
                    throw PostgresError(code: .invalidParameter, message: "parameter $\(index + 1) is over 2 GiB", query: sql.text)
                }
                binary[index] = bytes
                offsets.append(nil)
                lengths.append(Int32(bytes.count))
                formats.append(1)
                continue
            }
            lengths.append(0)
            formats.append(0)
            let text: String?
            do {
                text = try bind.value.encodePostgresText()
            } catch {
                throw PostgresError(code: .invalidParameter, message: "parameter $\(index + 1) could not be encoded: \(error)", query: sql.text)
            }
            guard let text else {
                offsets.append(nil)
                continue
            }
            let utf8 = text.utf8
            if utf8.contains(0) {
                throw PostgresError(code: .invalidParameter, message: "parameter $\(index + 1) contains a NUL character", query: sql.text)
            }
            offsets.append(storage.count)
            storage.append(contentsOf: utf8)
            storage.append(0)
        }
        return try storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self)
            let textPointers: [UnsafePointer<CChar>?] = offsets.map { offset in offset.map { base! + $0 } }
            return try withBinaryPointers(binary.sorted { $0.key < $1.key }[...], into: textPointers) { pointers in
                try pointers.withUnsafeBufferPointer { valuePointers in
                    try types.withUnsafeBufferPointer { typePointers in
                        try lengths.withUnsafeBufferPointer { lengthPointers in
                            try formats.withUnsafeBufferPointer { formatPointers in
                                try body(
                                    typePointers.baseAddress!, valuePointers.baseAddress!, lengthPointers.baseAddress!, formatPointers.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Puts the address of each binary value's own bytes into `pointers` at its index, for the
    /// duration of `body`. An empty value still needs an address (a null one would mean NULL).
    private static func withBinaryPointers<Result>(
        _ values: ArraySlice<(key: Int, value: Data)>, into pointers: [UnsafePointer<CChar>?], _ body: ([UnsafePointer<CChar>?]) throws -> Result
    ) throws -> Result {
        guard let (index, data) = values.first else { return try body(pointers) }
        return try data.withUnsafeBytes { raw in
            var pointers = pointers
            pointers[index] = raw.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) } ?? emptyValue
            return try withBinaryPointers(values.dropFirst(), into: pointers, body)
        }
    }

    private static var emptyValue: UnsafePointer<CChar> { UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self) }

    /// Turns a `PGresult` into rows, or into a typed error (clearing it either way).
    func check(_ result: OpaquePointer?, connection: OpaquePointer, sql: SQL) throws -> PostgresRows {
        guard let result else { throw connectionError(connection, sql: sql) }
        let handle = ResultHandle(result)
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN:
            return PostgresRows(handle: handle)
        default:
            throw serverError(result, connection: connection, sql: sql)
        }
    }

    func serverError(_ result: OpaquePointer, connection: OpaquePointer, sql: SQL) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        guard let state = field(Int32(UInt8(ascii: "C"))) else {
            return connectionError(connection, sql: sql)
        }
        var code = PostgresError.code(forSQLState: state)
        if PQstatus(connection) != CONNECTION_OK { code = .connectionLost }
        return PostgresError(
            code: code,
            sqlState: state,
            constraint: field(Int32(UInt8(ascii: "n"))),
            message: field(Int32(UInt8(ascii: "M"))),
            detail: field(Int32(UInt8(ascii: "D"))),
            query: sql.text
        )
    }

    func connectionError(_ connection: OpaquePointer, sql: SQL?) -> PostgresError {
        PostgresError(
            code: .connectionLost,
            message: String(cString: PQerrorMessage(connection)).trimmingTrailingWhitespace,
            query: sql?.text
        )
    }

    // MARK: Public API

    /// Runs a statement and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) async throws -> PostgresRows {
        try await onThread { try self.executeOnThread(sql) }
    }

    /// Runs a statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await onThread { try self.executeOnThread(sql).affectedRows }
    }

    /// Runs several statements in one round trip (simple query protocol). No bound values.
    public func executeScript(_ script: SQL) async throws {
        try await onThread { try self.executeScriptOnThread(script) }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func transaction<Result>(
        isolation: PostgresIsolationLevel = .readCommitted,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await execute(SQL(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.sql)"))
        let result: Result
        do {
            result = try await body(self)
        } catch {
            _ = try? await execute("ROLLBACK")
            throw error
        }
        // COMMIT of a transaction that already failed answers ROLLBACK rather than an error.
        let commit = try await query("COMMIT")
        guard commit.commandTag == "COMMIT" else {
            throw PostgresError(code: .server, sqlState: "25P02", message: "the transaction had failed and was rolled back")
        }
        return result
    }
}

public enum PostgresIsolationLevel: Sendable {
    case readCommitted, repeatableRead, serializable

    var sql: String {
        switch self {
        case .readCommitted: "READ COMMITTED"
        case .repeatableRead: "REPEATABLE READ"
        case .serializable: "SERIALIZABLE"
        }
    }
}

func monotonicNanoseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}

extension String {
    var trimmingTrailingWhitespace: String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
