import Domain
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import Postgres
import Prometheus
import ServiceLifecycle
import Store

/// Everything the HTTP layer needs, built once by the composition root.
public struct AppDependencies: Sendable {
    public var settings: Settings
    public var database: PostgresPool
    public var migrator: Migrator
    public var metrics: PrometheusCollectorRegistry
    public var logger: Logger
    /// The OpenAPI document and the page templates, read once at start.
    public var assets: ServerAssets
    /// bcrypt with the configured cost; tests pass a cheaper one.
    public var passwords: Passwords
    public var loginLimits: LoginLimits
    /// Where every request reads the time (`AppRequestContext.now`).
    public var clock: any WallClock

    public init(
        settings: Settings, database: PostgresPool, migrator: Migrator, metrics: PrometheusCollectorRegistry, logger: Logger,
        assets: ServerAssets, passwords: Passwords? = nil, loginLimits: LoginLimits = LoginLimits(), clock: any WallClock = SystemClock()
    ) {
        self.settings = settings
        self.database = database
        self.migrator = migrator
        self.metrics = metrics
        self.logger = logger
        self.assets = assets
        self.passwords = passwords ?? Passwords(cost: UInt8(settings.bcryptCost))
        self.loginLimits = loginLimits
        self.clock = clock
    }
}

/// A method and path the router answers, for the OpenAPI check and the 405 responders.
public struct RouteDescription: Hashable, Sendable, CustomStringConvertible {
    public let method: String
    public let path: String
    public var description: String { "\(method) \(path)" }
}

/// Builds the application: used by `manrs-plus serve` and, with test settings, by the tests.
public func buildApplication(_ dependencies: AppDependencies) -> some ApplicationProtocol {
    let (router, _) = buildRouter(dependencies)
    return Application(
        router: router,
        server: httpServer(dependencies.settings),
        configuration: .init(
            address: .hostname(dependencies.settings.host, port: dependencies.settings.port),
            serverName: "manrs-plus"
        ),
        services: [DatabaseService(pool: dependencies.database)],
        logger: dependencies.logger
    )
}

/// HTTP/1.1, where a connection that sends nothing for `IDLE_TIMEOUT_SECONDS` is closed: slow
/// or idle clients cannot hold connections open.
public func httpServer(_ settings: Settings) -> HTTPServerBuilder {
    .http1(configuration: .init(idleTimeout: .seconds(Int64(settings.idleTimeoutSeconds))))
}

/// The router with every route, and the list of the routes it serves.
public func buildRouter(_ dependencies: AppDependencies) -> (Router<AppRequestContext>, [RouteDescription]) {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    let users = UserStore(database: dependencies.database, passwords: dependencies.passwords)
    let participants = ParticipantStore(database: dependencies.database)
    let catalogs = CatalogStore(database: dependencies.database)
    let idempotency = Idempotency(database: dependencies.database)
    installMiddleware(on: router, settings: dependencies.settings, clock: dependencies.clock)
    HealthRoutes(dependencies: dependencies).register(on: router)

    let authenticated = router.group().add(middleware: AuthenticationMiddleware(users: users))
    let api = authenticated.group("api/v1")
    OpenAPIRoutes(document: dependencies.assets.openAPIDocument).register(on: api)
    CatalogRoutes(catalogs: catalogs, idempotency: idempotency).register(on: api)
    ParticipantRoutes(participants: participants, idempotency: idempotency, claimLimits: dependencies.settings.claimLimits).register(on: api)
    AccountRoutes(users: users, participants: participants, idempotency: idempotency, loginLimits: dependencies.loginLimits).register(on: api)
    SnapshotRoutes(
        snapshots: SnapshotStore(database: dependencies.database), measurements: MeasurementStore(database: dependencies.database),
        // Half the pool at most, so sign-ins and page reads always find a connection.
        running: ConcurrencyLimit(perUser: dependencies.settings.measurementsPerUser, total: dependencies.settings.databasePoolSize / 2)
    ).register(on: api)
    AuditRoutes(chain: AuditChain(database: dependencies.database)).register(on: api)
    let settings = dependencies.settings
    let applications = ApplicationStore(
        database: dependencies.database, reviewWorkingDays: settings.reviewSLADays, evidenceQuotaBytes: settings.evidenceQuotaBytes)
    let reviews = ReviewStore(database: dependencies.database, claimLease: TimeInterval(settings.reviewClaimMinutes * 60))
    WorkflowRoutes(
        applications: applications, reviews: reviews, users: users, idempotency: idempotency, evidenceMaxBytes: settings.evidenceMaxBytes
    ).register(on: api)
    WebRoutes(
        users: users, participants: participants, templates: dependencies.assets.templates, settings: dependencies.settings,
        loginLimits: dependencies.loginLimits
    ).register(on: authenticated)
    WorkflowPages(
        pages: Pages(templates: dependencies.assets.templates), applications: applications, reviews: reviews, participants: participants,
        catalogs: catalogs, measurements: MeasurementStore(database: dependencies.database), evidenceMaxBytes: settings.evidenceMaxBytes
    ).register(on: authenticated.group().add(middleware: SignInRedirect()))
    let routes = router.routes.map { RouteDescription(method: $0.method.rawValue, path: $0.path.description) }
    addMethodNotAllowedResponders(to: router, routes: routes)
    return (router, routes)
}

/// The middleware every route runs through, outermost first.
public func installMiddleware(on router: Router<AppRequestContext>, settings: Settings, clock: any WallClock = SystemClock()) {
    router.add(middleware: RequestIDMiddleware(bodyLimit: settings.maxBodyBytes, trustedProxies: settings.trustedProxies, clock: clock))
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: RequestHygieneMiddleware())
}

/// Answers a known path with a wrong method with 405 and an `Allow` header (Hummingbird's
/// router would say 404).
func addMethodNotAllowedResponders(to router: Router<AppRequestContext>, routes: [RouteDescription]) {
    let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options, .trace]
    for (path, served) in Dictionary(grouping: routes, by: \.path) {
        var allowed = Set(served.map(\.method))
        if allowed.contains("GET") { allowed.insert("HEAD") }
        let allowList = allowed.sorted()
        for method in methods where !allowed.contains(method.rawValue) {
            router.on(RouterPath(path), method: method) { request, _ -> Response in
                throw Problem.methodNotAllowed(method: request.method.rawValue, allowed: allowList)
            }
        }
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
