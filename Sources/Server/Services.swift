import Credentials
import Domain
import Foundation
import Jobs
import Logging
import Operations
import Outbox
import Postgres
import ServiceLifecycle
import Store

/// The composition root: the settings, the clock, the pool, the migrations, every store, the
/// operations and the background services, built one way for `serve`, every command and the
/// tests. What runs beside the HTTP server (closing the pool, the cache listener, and with
/// `runJobs` the job scheduler and a worker) is in `background`, and `serve` runs it with the server.
public struct Services: Sendable {
    public let settings: Settings
    /// Where every rule and every row reads the time.
    public let clock: any WallClock
    public let database: PostgresPool
    public let migrator: Migrator
    public let logger: Logger
    public let passwords: Passwords

    public let users: UserStore
    public let participants: ParticipantStore
    public let catalogs: CatalogStore
    public let applications: ApplicationStore
    public let reviews: ReviewStore
    public let snapshots: SnapshotStore
    public let measurements: MeasurementStore
    public let auditChain: AuditChain
    /// The job queue's store, and the runner that workers, the scheduler and `jobs run-due` share.
    public let jobStore: JobStore
    public let jobs: JobRunner
    public let operations: Operations
    /// Webhook endpoints and the outbox (notifications are written by the stores' changes).
    public let notifications: NotificationStore
    /// Participants' webhook endpoints, authorised.
    public let webhooks: WebhookOperations
    /// The fetch log of the snapshot sources, and the fetcher the `fetch_snapshots` job runs.
    public let snapshotFetches: SnapshotFetchStore
    public let snapshotFetcher: SnapshotFetcher
    /// Catalogs and credentials in memory, kept honest by LISTEN/NOTIFY (`background` listens).
    public let caches: Caches
    /// Signs marks' credentials and status lists: `PUBLIC_URL`'s addresses, the keys in the database.
    public let issuer: MarkIssuer
    /// Public reads of marks (verification, history, credentials, status lists), and the batched
    /// lookups the bulk check shares.
    public let marks: MarkStore
    /// Measured readiness per origin ASN (the `measure_readiness` job writes it).
    public let readiness: ReadinessStore
    /// Bulk supplier checks: marks by ASN, id or name, and readiness for the rest.
    public let bulk: BulkVerificationOperations
    /// Buyers' sign-up and everyone's password reset by emailed links; buyers' watchlists and their webhooks.
    public let accountLinks: AccountLinkOperations
    public let watchlists: WatchlistOperations

    /// Services that run as long as the server, in this order; the service group stops them in
    /// reverse, after the HTTP server has drained (so the pool closes last).
    public var background: [any Service]

    /// With `runJobs`, `background` also runs the job scheduler and a worker (`serve`, `worker`);
    /// commands and most tests leave it off.
    public init(
        settings: Settings, database: PostgresPool, migrator: Migrator, logger: Logger, passwords: Passwords? = nil,
        clock: any WallClock = SystemClock(), runJobs: Bool = false,
        resourceRoot: String = FileManager.default.currentDirectoryPath
    ) {
        self.settings = settings
        self.clock = clock
        self.database = database
        self.migrator = migrator
        self.logger = logger
        let passwords = passwords ?? Passwords(cost: UInt8(settings.bcryptCost))
        self.passwords = passwords
        caches = Caches(configuration: database.configuration, logger: logger)
        users = UserStore(database: database, passwords: passwords, credentials: caches.credentials)
        participants = ParticipantStore(database: database)
        catalogs = CatalogStore(database: database)
        applications = ApplicationStore(
            database: database, reviewWorkingDays: settings.reviewSLADays, evidenceQuotaBytes: settings.evidenceQuotaBytes)
        issuer = Self.issuer(settings)
        marks = MarkStore(database: database)
        reviews = ReviewStore(database: database, claimLease: TimeInterval(settings.reviewClaimMinutes * 60), issuer: issuer)
        snapshots = SnapshotStore(database: database)
        measurements = MeasurementStore(database: database)
        auditChain = AuditChain(database: database)
        operations = Operations(
            applications: applications, reviews: reviews, catalogs: catalogs, users: users, participants: participants,
            claimLimits: settings.claimLimits)
        let configuredKey = settings.webhookSecretsKey.flatMap { Data(base64Encoded: $0) }.flatMap { try? SecretSealer(key: [UInt8]($0)) }
        let sealer = configuredKey ?? SecretSealer(keyFile: settings.dataDirectory + "/webhook-secrets.key")
        notifications = NotificationStore(database: database, sealer: sealer)
        webhooks = WebhookOperations(store: notifications, allowLoopbackHTTP: settings.webhookAllowLoopbackHTTP)
        let fetcher = SnapshotFetcher(snapshots: snapshots, fetches: SnapshotFetchStore(database: database), logger: logger)
        snapshotFetches = fetcher.fetches
        snapshotFetcher = fetcher
        accountLinks = AccountLinkOperations(store: AccountLinkStore(database: database, passwords: passwords, sealer: sealer))
        watchlists = WatchlistOperations(
            store: WatchlistStore(database: database), notifications: notifications, allowLoopbackHTTP: settings.webhookAllowLoopbackHTTP)
        jobStore = JobStore(database: database)
        jobs = JobRunner(
            store: jobStore,
            registry: Self.jobHandlers(
                jobStore: jobStore, database: database, settings: settings,
                delivery: { [notifications] in
                    try Self.notificationDelivery(
                        settings: settings, notifications: notifications, templatesRoot: resourceRoot + "/templates", logger: logger)
                }, snapshots: SnapshotFetchJob(sourcesFile: settings.snapshotSources, fetcher: fetcher)),
            configuration: settings.jobConfiguration, clock: clock, logger: logger)
        readiness = ReadinessStore(database: database)
        bulk = BulkVerificationOperations(marks: marks, readiness: readiness)
        background = [DatabaseService(pool: database), CacheInvalidationService(invalidation: caches.invalidation)]
        if runJobs {
            background += [JobSchedulerService(runner: jobs), JobWorkerService(runner: jobs)]
        }
    }

    /// The credential issuer `settings` describe: `PUBLIC_URL`'s addresses, and its keys sealed
    /// with `ISSUER_KEY_SECRET` (or `DATA_DIR/issuer-key-secret.key`, created once).
    public static func issuer(_ settings: Settings) -> MarkIssuer {
        let configured = settings.issuerKeySecret.flatMap { Data(base64Encoded: $0) }.flatMap { try? SecretSealer(key: [UInt8]($0)) }
        return MarkIssuer(
            addresses: settings.publicAddresses, sealer: configured ?? SecretSealer(keyFile: settings.dataDirectory + "/issuer-key-secret.key"))
    }

    /// Every job kind's handler. A new kind's handler is registered here.
    static func jobHandlers(
        jobStore: JobStore, database: PostgresPool, settings: Settings, delivery: @escaping @Sendable () throws -> NotificationDelivery,
        snapshots: SnapshotFetchJob
    ) -> JobRegistry {
        JobRegistry([
            HousekeepingJob(housekeeping: Housekeeping(database: database)), ProbeJob(store: jobStore),
            NotificationDeliveryJob(delivery: delivery),
            CheckRunJob(store: CheckRunStore(database: database, freshness: settings.checkFreshness)),
            EnforcementTimersJob(store: EnforcementTimerStore(database: database)),
            snapshots,
            ReadinessJob(readiness: ReadinessStore(database: database)),
            ReviewRemindersJob(reviews: ReviewStore(database: database)),
            RenewalsJob(store: RenewalStore(database: database)),
        ])
    }

    /// Delivers the outbox (a job calls `deliverDue(at:limit:)`): email over SMTP when
    /// `SMTP_URL` is set, otherwise into `DATA_DIR/maildir`; email rendered from
    /// `<templatesRoot>/email`; webhooks signed per Standard Webhooks.
    public func notificationDelivery(templatesRoot: String) throws -> NotificationDelivery {
        try Self.notificationDelivery(settings: settings, notifications: notifications, templatesRoot: templatesRoot, logger: logger)
    }

    static func notificationDelivery(
        settings: Settings, notifications: NotificationStore, templatesRoot: String, logger: Logger
    ) throws -> NotificationDelivery {
        let mailer: Mailer =
            if let url = settings.smtpURL, let client = SMTPClient(url: url) {
                .smtp(client)
            } else {
                .maildir(Maildir(root: settings.dataDirectory + "/maildir"))
            }
        return NotificationDelivery(
            store: notifications, mailer: mailer, from: settings.mailFrom,
            renderer: try EmailRenderer(templatesDirectory: templatesRoot, baseURL: settings.publicURL),
            webhooks: WebhookSender(allowLoopback: settings.webhookAllowLoopbackHTTP),
            logger: logger)
    }

    /// Brings the schema to this build's and seals audit events written before the chain.
    public func migrate() async throws {
        try await migrator.migrate(database)
        try await auditChain.sealUnchained()
    }

    /// Refuses to go on when the schema is not exactly this build's (for `serve --no-migrate`).
    public func requireCurrentSchema() async throws {
        let status = try await migrator.status(database)
        if let problem = status.problems.first { throw problem }
        if !status.pending.isEmpty { throw MigrationError.pending(status.pending.map(\.version)) }
    }
}

extension Settings {
    /// The job queue's settings: lease, polling, retries and the housekeeping interval.
    public var jobConfiguration: JobConfiguration {
        JobConfiguration(
            lease: TimeInterval(jobLeaseSeconds), pollInterval: TimeInterval(jobPollMilliseconds) / 1000,
            retry: JobRetryPolicy(baseDelay: TimeInterval(jobBackoffSeconds), maxDelay: 3600, maxAttempts: jobMaxAttempts),
            schedules: [
                JobSchedule(kind: .housekeeping, interval: TimeInterval(housekeepingMinutes * 60)),
                JobSchedule(kind: .deliverNotifications, interval: TimeInterval(notificationSeconds)),
                JobSchedule(kind: .runChecks, interval: TimeInterval(checkMinutes * 60)),
                JobSchedule(kind: .enforcementTimers, interval: TimeInterval(enforcementTimerMinutes * 60)),
                JobSchedule(kind: .fetchSnapshots, interval: TimeInterval(snapshotCheckSeconds)),
                JobSchedule(kind: .measureReadiness, interval: TimeInterval(readinessMinutes * 60)),
                JobSchedule(kind: .reviewReminders, interval: 15 * 60),
                JobSchedule(kind: .renewals, interval: TimeInterval(enforcementTimerMinutes * 60)),
            ])
    }
}

/// Closes the pool when the service group shuts down, after the HTTP server has drained.
struct DatabaseService: Service {
    let pool: PostgresPool

    func run() async throws {
        try? await gracefulShutdown()
        await pool.close()
    }
}
