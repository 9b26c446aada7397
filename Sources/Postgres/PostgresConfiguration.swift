/// How to reach PostgreSQL and how to size and tune the pool.
public struct PostgresConfiguration: Sendable {
    /// Any libpq connection string or URI (`host=/path dbname=x`, `postgres://user@host/db`).
    public var connectionString: String
    /// Connections the pool opens at most.
    public var poolSize: Int
    /// How long `withConnection` waits for a free connection before failing with `.poolTimeout`.
    public var acquireTimeout: Duration
    /// Server-side limit per statement; nil leaves the server's default.
    public var statementTimeout: Duration?
    /// Shown in `pg_stat_activity`.
    public var applicationName: String
    /// Seconds libpq waits for a new connection.
    public var connectTimeoutSeconds: Int

    public init(
        connectionString: String,
        poolSize: Int = 10,
        acquireTimeout: Duration = .seconds(10),
        statementTimeout: Duration? = .seconds(30),
        applicationName: String = "manrs-plus",
        connectTimeoutSeconds: Int = 5
    ) {
        self.connectionString = connectionString
        self.poolSize = poolSize
        self.acquireTimeout = acquireTimeout
        self.statementTimeout = statementTimeout
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Keyword/value pairs for `PQconnectdbParams`. The connection string comes first so the
    /// settings after it win; the session settings make text-format decoding unambiguous.
    var connectParameters: [(String, String)] {
        var options = "-c TimeZone=UTC -c DateStyle=ISO,MDY -c IntervalStyle=iso_8601 -c extra_float_digits=3 -c client_min_messages=warning"
        if let statementTimeout {
            let milliseconds = statementTimeout.components.seconds * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000
            options += " -c statement_timeout=\(milliseconds)"
        }
        return [
            ("dbname", connectionString),
            ("application_name", applicationName),
            ("client_encoding", "UTF8"),
            ("connect_timeout", String(connectTimeoutSeconds)),
            ("options", options),
        ]
    }
}
