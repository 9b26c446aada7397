import ArgumentParser
import Hummingbird
import Logging
import Metrics
import Prometheus
import Server
import Store

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server (migrating the database first).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to bind (env HOST).")
    var host: String?

    @Option(help: "Port to listen on (env PORT).")
    var port: String?

    @Option(help: "Database connections (env DB_POOL_SIZE).")
    var poolSize: String?

    @Option(help: "Largest request body in bytes (env MAX_BODY_BYTES).")
    var maxBodyBytes: String?

    @Flag(help: "Do not migrate; refuse to start when the database is behind.")
    var noMigrate = false

    @Flag(help: "Run no job scheduler or worker in this process (another process runs `manrs-plus worker`).")
    var noJobs = false

    func run() async throws {
        var overrides: [String: String] = [:]
        overrides["HOST"] = host
        overrides["PORT"] = port
        overrides["DB_POOL_SIZE"] = poolSize
        overrides["MAX_BODY_BYTES"] = maxBodyBytes
        let (settings, logger) = try global.load(overrides)

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let migrator = Migrator(migrations: try Migration.load(from: locateSchemaDirectory()), logger: logger)
        let assets: ServerAssets
        do {
            assets = try await ServerAssets.load(root: try locateResourceRoot())
        } catch {
            throw CommandFailure("cannot start: \(error)")
        }
        let database = try DatabaseRuntime.open(settings: settings, logger: logger)
        do {
            // The composition root: every store, the operations and the background services.
            let services = Services(
                settings: settings, database: database.pool, migrator: migrator, logger: logger, runJobs: !noJobs,
                resourceRoot: try locateResourceRoot())
            if noMigrate {
                try await services.requireCurrentSchema()
            } else {
                try await services.migrate()
            }
            let app = buildApplication(AppDependencies(services: services, metrics: registry, assets: assets))
            logger.info("Serving", metadata: ["http.address": "http://\(settings.host):\(settings.port)"])
            // Runs until SIGTERM or SIGINT: the server drains in-flight requests, then the
            // services stop in reverse order (the pool last).
            try await app.runService()
        } catch {
            await database.shutdown()
            throw CommandFailure("\(error)")
        }
        await database.shutdown()
    }
}
