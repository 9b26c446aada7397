import Domain
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import Operations
import Postgres
import Prometheus
import ServiceLifecycle
import Store

/// Everything the HTTP layer needs: the composition root's `Services`, and what only HTTP uses.
public struct AppDependencies: Sendable {
    public var services: Services
    public var metrics: PrometheusCollectorRegistry
    /// The OpenAPI document and the page templates, read once at start.
    public var assets: ServerAssets
    public var loginLimits: LoginLimits

    public var settings: Settings { services.settings }
    public var database: PostgresPool { services.database }
    public var migrator: Migrator { services.migrator }
    public var logger: Logger { services.logger }
    public var passwords: Passwords { services.passwords }
    /// Where every request reads the time (`AppRequestContext.now`).
    public var clock: any WallClock { services.clock }
    /// Catalogs and credentials in memory; trusted only while the invalidation service listens.
    public var caches: Caches { services.caches }

    public init(services: Services, metrics: PrometheusCollectorRegistry, assets: ServerAssets, loginLimits: LoginLimits = LoginLimits()) {
        self.services = services
        self.metrics = metrics
        self.assets = assets
        self.loginLimits = loginLimits
    }

    /// The services built from these parts (`Services`), for callers that have no `Services` yet.
    public init(
        settings: Settings, database: PostgresPool, migrator: Migrator, metrics: PrometheusCollectorRegistry, logger: Logger,
        assets: ServerAssets, passwords: Passwords? = nil, loginLimits: LoginLimits = LoginLimits(), clock: any WallClock = SystemClock()
    ) {
        self.init(
            services: Services(settings: settings, database: database, migrator: migrator, logger: logger, passwords: passwords, clock: clock),
            metrics: metrics, assets: assets, loginLimits: loginLimits)
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
        services: dependencies.services.background,
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
    let services = dependencies.services
    let settings = services.settings
    let idempotency = Idempotency(database: services.database)
    installMiddleware(on: router, settings: settings, clock: services.clock)
    HealthRoutes(dependencies: dependencies).register(on: router)
    MarkRoutes(
        marks: services.marks, readiness: services.readiness, issuer: services.issuer, database: services.database,
        responses: services.caches.marks,
        pages: Pages(templates: dependencies.assets.templates)
    ).register(on: router)

    let authenticated = router.group().add(middleware: AuthenticationMiddleware(users: services.users))
    let api = authenticated.group("api/v1")
    OpenAPIRoutes(document: dependencies.assets.openAPIDocument).register(on: api)
    CatalogRoutes(
        catalogs: services.catalogs, operations: services.operations.catalogs, idempotency: idempotency, responses: services.caches.catalogs
    ).register(on: api)
    ParticipantRoutes(
        participants: services.participants, operations: services.operations.registry, idempotency: idempotency,
        responses: services.caches.participants
    ).register(on: api)
    WebhookRoutes(operations: services.webhooks).register(on: api)
    EnforcementRoutes(results: CheckResultStore(database: services.database)).register(on: api)
    AccountRoutes(
        users: services.users, operations: services.operations.accounts, participants: services.participants, idempotency: idempotency,
        loginLimits: dependencies.loginLimits
    )
    .register(on: api)
    SnapshotRoutes(
        snapshots: services.snapshots, measurements: services.measurements,
        // Half the pool at most, so sign-ins and page reads always find a connection.
        running: ConcurrencyLimit(perUser: settings.measurementsPerUser, total: settings.databasePoolSize / 2)
    ).register(on: api)
    AuditRoutes(chain: services.auditChain).register(on: api)
    JobRoutes(jobs: services.jobStore).register(on: api)
    SourceRoutes(sourcesFile: settings.snapshotSources, fetches: services.snapshotFetches).register(on: api)
    VerifyBulkRoutes(bulk: services.bulk).register(on: api)
    WatchlistRoutes(operations: services.watchlists).register(on: api)
    AccountLinkRoutes(operations: services.accountLinks, loginLimits: dependencies.loginLimits).register(on: api)
    WorkflowRoutes(
        applications: services.applications, reviews: services.reviews, operations: services.operations, idempotency: idempotency,
        evidenceMaxBytes: settings.evidenceMaxBytes
    ).register(on: api)
    WebRoutes(
        users: services.users, operations: services.operations.accounts, participants: services.participants,
        templates: dependencies.assets.templates, settings: settings,
        loginLimits: dependencies.loginLimits
    ).register(on: authenticated)
    let workflowPages = WorkflowPages(
        pages: Pages(templates: dependencies.assets.templates), operations: services.operations, applications: services.applications,
        reviews: services.reviews, participants: services.participants, catalogs: services.catalogs, measurements: services.measurements,
        evidenceMaxBytes: settings.evidenceMaxBytes, results: CheckResultStore(database: services.database)
    )
    workflowPages.register(on: authenticated.group().add(middleware: SignInRedirect()))
    AdminPages(web: workflowPages, services: services).register(on: authenticated.group().add(middleware: SignInRedirect()))
    RegistryPages(workflow: workflowPages, results: CheckResultStore(database: services.database)).register(
        on: authenticated.group().add(middleware: SignInRedirect()))
    VerifyBulkPages(pages: Pages(templates: dependencies.assets.templates), bulk: services.bulk).register(on: authenticated)
    MarkRegistryPages(pages: Pages(templates: dependencies.assets.templates), marks: services.marks).register(on: authenticated)
    WatchlistPages(operations: services.watchlists, pages: Pages(templates: dependencies.assets.templates))
        .register(on: authenticated.group().add(middleware: SignInRedirect()))
    AccountLinkPages(
        operations: services.accountLinks, templates: dependencies.assets.templates, settings: settings, loginLimits: dependencies.loginLimits
    ).register(on: authenticated)
    let routes = router.routes.map { RouteDescription(method: $0.method.rawValue, path: $0.path.description) }
    addMethodNotAllowedResponders(to: router, routes: routes)
    return (router, routes)
}

/// The middleware every route runs through, outermost first: one stack of one concrete type,
/// which the compiler can specialise and inline, rather than five existentials called in turn.
public func installMiddleware(on router: Router<AppRequestContext>, settings: Settings, clock: any WallClock = SystemClock()) {
    router.addMiddleware {
        RequestIDMiddleware(bodyLimit: settings.maxBodyBytes, trustedProxies: settings.trustedProxies, clock: clock)
        LogRequestsMiddleware(.debug)
        RequestMetricsMiddleware()
        ProblemMiddleware()
        RequestHygieneMiddleware()
    }
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
