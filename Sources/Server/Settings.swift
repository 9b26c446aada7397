import Credentials
import Domain
import Foundation
import Jobs
import Logging
import Routing

/// Process configuration, read once at start: command-line values over environment variables
/// over defaults. Every bad value is refused with a one-line error that names it.
public struct Settings: Sendable, Equatable {
    /// libpq connection string or URI; nil means the embedded cluster in `dataDirectory`.
    public var databaseURL: String?
    public var host: String
    public var port: Int
    /// Where the embedded cluster lives (`<dataDirectory>/postgres`).
    public var dataDirectory: String
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var databasePoolSize: Int
    /// Largest request body accepted; larger ones get 413.
    public var maxBodyBytes: Int
    /// bcrypt cost for passwords (12 or more).
    public var bcryptCost: Int
    /// How long a browser session lasts.
    public var sessionHours: Int
    /// Whether the session cookie is marked `Secure` (browsers accept it on http://localhost too).
    public var secureCookies: Bool
    /// Largest evidence file accepted; larger ones get 413.
    public var evidenceMaxBytes: Int
    /// Working days from submission to a review's due time.
    public var reviewSLADays: Int
    /// How long an auditor's claim on a queue item lasts.
    public var reviewClaimMinutes: Int
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: Set<String> = []
    /// Evidence files one participant may store in all, superseded versions included.
    public var evidenceQuotaBytes: Int = 1 << 30
    /// Seconds a connection may sit without a request before it is closed.
    public var idleTimeoutSeconds: Int = 60
    /// Measurement requests one user may have running at once; more get 429.
    public var measurementsPerUser: Int = 2
    /// The shortest prefixes a participant may claim.
    public var claimLimits: ClaimLimits = .standard
    /// The SMTP relay for notification email (`smtp://host:port`); nil writes email into
    /// `<dataDirectory>/maildir` instead.
    public var smtpURL: String?
    /// The sender of notification email.
    public var mailFrom: String = "manrs-plus@localhost"
    /// The key sealing webhook secrets (32 bytes, base64); nil uses `<dataDirectory>/webhook-secrets.key`.
    public var webhookSecretsKey: String?
    /// Whether webhook endpoints may be http:// to a loopback address (tests and the demo).
    public var webhookAllowLoopbackHTTP: Bool = false
    /// The server's public address, for links in notification email (nil: no links).
    public var publicURL: String?
    /// The addresses credentials name (issuer `did:web`, status lists, mark pages): `PUBLIC_URL`
    /// when it is https://, otherwise `https://localhost:<port>`.
    public var publicAddresses: PublicAddresses {
        if let url = publicURL.flatMap(URL.init(string:)), let addresses = try? PublicAddresses(origin: url) { return addresses }
        return .localhost(port: port)
    }
    /// How long a worker holds a job it took before another may take it again.
    public var jobLeaseSeconds: Int = 300
    /// How often an idle worker and the scheduler look for due jobs.
    public var jobPollMilliseconds: Int = 1000
    /// Runs of a failing job before it is parked as failed.
    public var jobMaxAttempts: Int = 5
    /// The first retry's wait; each further one doubles, up to an hour.
    public var jobBackoffSeconds: Int = 30
    /// How often the housekeeping job runs.
    public var housekeepingMinutes: Int = 60
    /// How often the outbox's due notifications are sent.
    public var notificationSeconds: Int = 10
    // Periodic checks and enforcement timers (issue 12, checks helper):
    /// How often the check runner looks for certifications whose checks are due.
    public var checkMinutes: Int = 60
    /// How often enforcement deadlines, validity ends and reminders are looked at.
    public var enforcementTimerMinutes: Int = 60
    /// The oldest a snapshot may be when a check uses it.
    public var checkMaxAgeHours: Int = 48
    /// The furthest apart the routes and VRP snapshots a check pairs may have been taken.
    public var checkPairingHours: Int = 24

    /// The freshness the periodic checks demand of their snapshots.
    public var checkFreshness: FreshnessPolicy {
        FreshnessPolicy(maximumAge: TimeInterval(checkMaxAgeHours) * 3600, maximumPairing: TimeInterval(checkPairingHours) * 3600)
    }
    /// The key sealing the issuer's private keys in the database (32 bytes, base64); nil uses
    /// `<dataDirectory>/issuer-key-secret.key`. Every instance of a deployment needs the same one.
    public var issuerKeySecret: String?
    /// The snapshot sources file (`docs/operations.md`, "Snapshot sources"); nil fetches nothing.
    public var snapshotSources: String?
    /// How often the `fetch_snapshots` job looks for sources that are due.
    public var snapshotCheckSeconds: Int = 300
    /// How often the readiness job looks for a newer snapshot pair to measure.
    public var readinessMinutes: Int = 60

    public enum LogFormat: String, Sendable, Equatable {
        case text, json
    }

    /// The variables read, with their defaults, as documented in the README.
    public static let variables: [(name: String, defaultValue: String, meaning: String)] = [
        ("DATABASE_URL", "(unset)", "PostgreSQL connection string or URI; unset starts the embedded cluster under DATA_DIR"),
        ("HOST", "127.0.0.1", "address the HTTP server binds"),
        ("PORT", "8080", "HTTP port (1-65535)"),
        ("DATA_DIR", ".data", "folder of the embedded PostgreSQL cluster"),
        ("LOG_LEVEL", "info", "trace, debug, info, notice, warning, error or critical"),
        ("LOG_FORMAT", "text", "text, or json for one JSON object per line"),
        ("DB_POOL_SIZE", "10", "database connections per process (1-500)"),
        ("MAX_BODY_BYTES", "1048576", "largest request body in bytes; larger gets 413"),
        ("BCRYPT_COST", "12", "bcrypt cost for passwords (12-16)"),
        ("SESSION_HOURS", "12", "lifetime of a browser session in hours (1-720)"),
        ("SECURE_COOKIES", "true", "mark the session cookie Secure (true or false; false only behind plain HTTP in development)"),
        ("EVIDENCE_MAX_BYTES", "26214400", "largest evidence file in bytes (25 MiB); larger gets 413"),
        ("REVIEW_SLA_DAYS", "10", "working days from submission to a review's due time (1-100)"),
        ("REVIEW_CLAIM_MINUTES", "120", "how long an auditor's claim on a queue item lasts (5-10080)"),
        ("TRUSTED_PROXIES", "(none)", "comma-separated addresses of reverse proxies whose X-Forwarded-For is believed"),
        ("EVIDENCE_QUOTA_BYTES", "1073741824", "evidence files one participant may store in all (1 GiB); more gets 409"),
        ("IDLE_TIMEOUT_SECONDS", "60", "seconds an HTTP connection may stay idle, or take to send a request, before it is closed (1-3600)"),
        ("MEASUREMENTS_PER_USER", "2", "measurement requests one user may run at once (1-100); more get 429"),
        ("CLAIM_MIN_IPV4_LENGTH", "8", "shortest IPv4 prefix a participant may claim (1-24); shorter claims get 422 too_broad"),
        ("CLAIM_MIN_IPV6_LENGTH", "19", "shortest IPv6 prefix a participant may claim (1-48); shorter claims get 422 too_broad"),
        ("SMTP_URL", "(unset)", "SMTP relay for notification email, smtp://host:port; unset writes email into DATA_DIR/maildir"),
        ("MAIL_FROM", "manrs-plus@localhost", "sender address of notification email"),
        (
            "WEBHOOK_SECRETS_KEY", "(unset)",
            "32 bytes in base64 sealing webhook secrets at rest; unset uses DATA_DIR/webhook-secrets.key, created once"
        ),
        ("WEBHOOK_ALLOW_HTTP_LOOPBACK", "false", "accept http:// webhook endpoints on loopback addresses (tests and demos only)"),
        (
            "PUBLIC_URL", "(unset)",
            "the server's public https:// address, for links in notification email, the issuer's did:web and every credential URL (unset: https://localhost:PORT)"
        ),
        ("JOB_LEASE_SECONDS", "300", "how long a worker holds a job before another worker may take it again (1-86400)"),
        ("JOB_POLL_MILLISECONDS", "1000", "how often idle workers and the scheduler look for due jobs (10-60000)"),
        ("JOB_MAX_ATTEMPTS", "5", "runs of a failing job before it is parked as failed (1-100)"),
        ("JOB_BACKOFF_SECONDS", "30", "wait before a failed job's first retry; each further wait doubles, up to an hour (1-3600)"),
        ("HOUSEKEEPING_MINUTES", "60", "how often expired sessions, idempotency keys and old sign-in attempts are removed (1-10080)"),
        ("NOTIFICATION_SECONDS", "10", "how often the outbox's due email and webhooks are sent (1-3600)"),
        ("CHECK_MINUTES", "60", "how often the periodic checks look for certifications due (each at its catalog's cadence) (1-10080)"),
        ("ENFORCEMENT_TIMER_MINUTES", "60", "how often passed deadlines, ended validity and reminders are looked at (1-10080)"),
        ("CHECK_MAX_AGE_HOURS", "48", "oldest routes or VRP snapshot a check may use, in hours (1-87600)"),
        ("CHECK_PAIRING_HOURS", "24", "furthest apart the routes and VRP snapshots of a check may be taken, in hours (1-87600)"),
        (
            "ISSUER_KEY_SECRET", "(unset)",
            "32 bytes in base64 sealing the credential issuer's private keys in the database; unset uses DATA_DIR/issuer-key-secret.key, created once (set it when several instances share a database)"
        ),
        ("SNAPSHOT_SOURCES", "(unset)", "JSON file listing the routing data sources to fetch and import on their cadence; unset fetches nothing"),
        ("SNAPSHOT_CHECK_SECONDS", "300", "how often the fetch_snapshots job looks for sources that are due (10-86400)"),
        ("READINESS_MINUTES", "60", "how often measured readiness looks for a newer VRP and routes snapshot pair to measure (1-10080)"),
    ]

    /// Reads settings from `environment`, with `overrides` (from the command line) taking precedence.
    public static func load(environment: [String: String], overrides: [String: String] = [:]) throws(SettingsError) -> Settings {
        func value(_ name: String) -> String? {
            if let override = overrides[name] { return override }
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(SettingsError) -> Int {
            guard let text = value(name) else { return defaultValue }
            guard let number = Int(text), range.contains(number) else {
                throw SettingsError(name: name, value: text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }

        let levelText = value("LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw SettingsError(name: "LOG_LEVEL", value: levelText, expected: "one of trace, debug, info, notice, warning, error, critical")
        }
        let formatText = value("LOG_FORMAT") ?? "text"
        guard let format = LogFormat(rawValue: formatText.lowercased()) else {
            throw SettingsError(name: "LOG_FORMAT", value: formatText, expected: "text or json")
        }
        let host = value("HOST") ?? "127.0.0.1"
        guard !host.contains(where: \.isWhitespace) else {
            throw SettingsError(name: "HOST", value: host, expected: "an address or host name")
        }
        let secureText = value("SECURE_COOKIES") ?? "true"
        guard let secure = ["true": true, "false": false][secureText.lowercased()] else {
            throw SettingsError(name: "SECURE_COOKIES", value: secureText, expected: "true or false")
        }
        var trusted: Set<String> = []
        for entry in (value("TRUSTED_PROXIES") ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard (try? IPAddress(entry)) != nil else {
                throw SettingsError(name: "TRUSTED_PROXIES", value: entry, expected: "IP addresses separated by commas")
            }
            trusted.insert(entry)
        }
        var settings = Settings(
            databaseURL: value("DATABASE_URL"),
            host: host,
            port: try integer("PORT", default: 8080, in: 1...65535),
            dataDirectory: value("DATA_DIR") ?? ".data",
            logLevel: level,
            logFormat: format,
            databasePoolSize: try integer("DB_POOL_SIZE", default: 10, in: 1...500),
            maxBodyBytes: try integer("MAX_BODY_BYTES", default: 1 << 20, in: 1...(1 << 30)),
            bcryptCost: try integer("BCRYPT_COST", default: 12, in: 12...16),
            sessionHours: try integer("SESSION_HOURS", default: 12, in: 1...720),
            secureCookies: secure,
            evidenceMaxBytes: try integer("EVIDENCE_MAX_BYTES", default: 25 << 20, in: 1024...(1 << 30)),
            reviewSLADays: try integer("REVIEW_SLA_DAYS", default: 10, in: 1...100),
            reviewClaimMinutes: try integer("REVIEW_CLAIM_MINUTES", default: 120, in: 5...10080),
            trustedProxies: trusted,
            claimLimits: ClaimLimits(
                minIPv4Length: UInt8(try integer("CLAIM_MIN_IPV4_LENGTH", default: 8, in: 1...24)),
                minIPv6Length: UInt8(try integer("CLAIM_MIN_IPV6_LENGTH", default: 19, in: 1...48)))
        )
        settings.evidenceQuotaBytes = try integer("EVIDENCE_QUOTA_BYTES", default: 1 << 30, in: 1024...(1 << 50))
        settings.idleTimeoutSeconds = try integer("IDLE_TIMEOUT_SECONDS", default: 60, in: 1...3600)
        settings.measurementsPerUser = try integer("MEASUREMENTS_PER_USER", default: 2, in: 1...100)
        if let smtp = value("SMTP_URL") {
            guard let components = URLComponents(string: smtp), components.scheme?.lowercased() == "smtp", components.host?.isEmpty == false else {
                throw SettingsError(name: "SMTP_URL", value: smtp, expected: "smtp://host or smtp://host:port")
            }
            settings.smtpURL = smtp
        }
        if let from = value("MAIL_FROM") {
            guard from.contains("@"), !from.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" }) else {
                throw SettingsError(name: "MAIL_FROM", value: from, expected: "an email address")
            }
            settings.mailFrom = from
        }
        if let key = value("WEBHOOK_SECRETS_KEY") {
            guard Data(base64Encoded: key)?.count == 32 else {
                // The value is a secret: not repeated in the error.
                throw SettingsError(name: "WEBHOOK_SECRETS_KEY", value: "(hidden)", expected: "32 bytes written in base64")
            }
            settings.webhookSecretsKey = key
        }
        let loopbackText = value("WEBHOOK_ALLOW_HTTP_LOOPBACK") ?? "false"
        guard let loopback = ["true": true, "false": false][loopbackText.lowercased()] else {
            throw SettingsError(name: "WEBHOOK_ALLOW_HTTP_LOOPBACK", value: loopbackText, expected: "true or false")
        }
        settings.webhookAllowLoopbackHTTP = loopback
        if let url = value("PUBLIC_URL") {
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
                components.host?.isEmpty == false
            else { throw SettingsError(name: "PUBLIC_URL", value: url, expected: "an address starting with https://") }
            settings.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        settings.jobLeaseSeconds = try integer("JOB_LEASE_SECONDS", default: 300, in: 1...86_400)
        settings.jobPollMilliseconds = try integer("JOB_POLL_MILLISECONDS", default: 1000, in: 10...60_000)
        settings.jobMaxAttempts = try integer("JOB_MAX_ATTEMPTS", default: 5, in: 1...100)
        settings.jobBackoffSeconds = try integer("JOB_BACKOFF_SECONDS", default: 30, in: 1...3600)
        settings.housekeepingMinutes = try integer("HOUSEKEEPING_MINUTES", default: 60, in: 1...10_080)
        settings.notificationSeconds = try integer("NOTIFICATION_SECONDS", default: 10, in: 1...3600)
        settings.checkMinutes = try integer("CHECK_MINUTES", default: 60, in: 1...10_080)
        settings.enforcementTimerMinutes = try integer("ENFORCEMENT_TIMER_MINUTES", default: 60, in: 1...10_080)
        settings.checkMaxAgeHours = try integer("CHECK_MAX_AGE_HOURS", default: 48, in: 1...87_600)
        settings.checkPairingHours = try integer("CHECK_PAIRING_HOURS", default: 24, in: 1...87_600)
        if let key = value("ISSUER_KEY_SECRET") {
            guard Data(base64Encoded: key)?.count == 32 else {
                // The value is a secret: not repeated in the error.
                throw SettingsError(name: "ISSUER_KEY_SECRET", value: "(hidden)", expected: "32 bytes written in base64")
            }
            settings.issuerKeySecret = key
        }
        if let file = value("SNAPSHOT_SOURCES") {
            // Read now so a bad file stops the start; the job reads it again on each run.
            do {
                _ = try SnapshotSourceList.load(path: file)
            } catch {
                throw SettingsError(name: "SNAPSHOT_SOURCES", value: file, expected: "a readable sources file (\(error.description))")
            }
            settings.snapshotSources = file
        }
        settings.snapshotCheckSeconds = try integer("SNAPSHOT_CHECK_SECONDS", default: 300, in: 10...86_400)
        settings.readinessMinutes = try integer("READINESS_MINUTES", default: 60, in: 1...10_080)
        return settings
    }
}

public struct SettingsError: Error, CustomStringConvertible, Equatable {
    public let name: String
    public let value: String
    public let expected: String

    public var description: String { "invalid \(name) '\(value)': expected \(expected)" }
}
