/// An error from PostgreSQL or from talking to it.
///
/// `description` is safe to show and to log at any level: it names the kind of failure, the
/// SQLSTATE and the constraint, never the statement or a value. `debugDescription`
/// (`String(reflecting:)`) adds the server's message, detail and the statement text, for logs.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let uniqueViolation = Code("unique violation")
        public static let foreignKeyViolation = Code("foreign key violation")
        public static let checkViolation = Code("check violation")
        public static let notNullViolation = Code("not-null violation")
        public static let exclusionViolation = Code("exclusion violation")
        public static let serializationFailure = Code("serialization failure")
        public static let deadlockDetected = Code("deadlock detected")
        public static let queryCancelled = Code("query cancelled")
        public static let lockNotAvailable = Code("lock not available")
        /// The connection broke while a statement was running, or could not be used.
        public static let connectionLost = Code("connection lost")
        /// A new connection could not be opened.
        public static let connectionFailed = Code("connection failed")
        /// No pooled connection became free within the acquire timeout.
        public static let poolTimeout = Code("pool acquire timed out")
        /// The pool has been closed.
        public static let poolClosed = Code("pool closed")
        /// A parameter could not be encoded (for example, text containing NUL).
        public static let invalidParameter = Code("invalid parameter")
        /// A result column could not be read as the requested Swift type.
        public static let decoding = Code("decoding failed")
        /// Any other server error; see `sqlState`.
        public static let server = Code("server error")
    }

    public var code: Code
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// The constraint the server named, for integrity violations.
    public var constraint: String?
    /// The column a decoding failure was about.
    public var column: String?
    /// The server's or libpq's message. May quote values: for logs only.
    public var message: String?
    /// The server's detail line. May quote values: for logs only.
    public var detail: String?
    /// The statement text (placeholders, never values). For logs only.
    public var query: String?

    public init(
        code: Code,
        sqlState: String? = nil,
        constraint: String? = nil,
        column: String? = nil,
        message: String? = nil,
        detail: String? = nil,
        query: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.constraint = constraint
        self.column = column
        self.message = message
        self.detail = detail
        self.query = query
    }

    /// Maps a SQLSTATE to the codes callers branch on.
    static func code(forSQLState state: String) -> Code {
        switch state {
        case "23505": .uniqueViolation
        case "23503": .foreignKeyViolation
        case "23514": .checkViolation
        case "23502": .notNullViolation
        case "23P01": .exclusionViolation
        case "40001": .serializationFailure
        case "40P01": .deadlockDetected
        case "57014": .queryCancelled
        case "55P03": .lockNotAvailable
        case "57P01", "57P02", "57P03": .connectionLost  // admin shutdown, crash shutdown, cannot connect now
        default: state.hasPrefix("08") ? .connectionLost : .server
        }
    }

    /// True for the errors a whole transaction may be retried after.
    public var isTransient: Bool {
        code == .serializationFailure || code == .deadlockDetected
    }

    public var description: String {
        var text = "PostgreSQL: \(code)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let constraint { text += " on constraint \(constraint)" }
        if let column { text += " in column \(column)" }
        return text
    }

    public var debugDescription: String {
        var text = description
        if let message { text += "; message: \(message)" }
        if let detail { text += "; detail: \(detail)" }
        if let query { text += "; query: \(query)" }
        return text
    }
}
