import Domain
import EmbeddedPostgres
import Foundation
import Logging
import Metrics
import Postgres
import Server
import Store

/// The database a command works on: `DATABASE_URL` when set, otherwise the embedded cluster in
/// `DATA_DIR`, which is started for the command's length unless it is already running.
struct DatabaseRuntime {
    let pool: PostgresPool
    let embedded: EmbeddedPostgres?
    let stopsEmbeddedServer: Bool
    let logger: Logger

    static func open(
        settings: Settings,
        logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws -> DatabaseRuntime {
        var connectionString = settings.databaseURL
        var embedded: EmbeddedPostgres? = nil
        var startedHere = false
        if connectionString == nil {
            let cluster = EmbeddedPostgres(dataDirectory: settings.dataDirectory + "/postgres")
            let server = try cluster.start(logger: logger)
            connectionString = server.connectionString
            embedded = cluster
            startedHere = server.startedHere
        }
        let pool = PostgresPool(
            configuration: PostgresConfiguration(connectionString: connectionString!, poolSize: settings.databasePoolSize),
            logger: logger,
            metricsFactory: metricsFactory
        )
        return DatabaseRuntime(pool: pool, embedded: embedded, stopsEmbeddedServer: startedHere, logger: logger)
    }

    /// Closes the pool, then stops the embedded server when this is the last process using it
    /// and this command started it, or the process that started it has handed the stop over
    /// (`EmbeddedPostgres.stopWhenLastUser`): a `serve` or `worker` started meanwhile keeps it running.
    func shutdown() async {
        await pool.close()
        guard let embedded else { return }
        do {
            if try embedded.stopWhenLastUser(startedHere: stopsEmbeddedServer) {
                logger.info("Stopped embedded PostgreSQL")
            } else if stopsEmbeddedServer {
                logger.info("Left embedded PostgreSQL running: another process is using it")
            }
        } catch {
            logger.error("Could not stop embedded PostgreSQL", metadata: ["error": "\(error)"])
        }
    }
}

/// Finds `schema/`: `SCHEMA_DIR`, else the nearest `schema` folder above the working directory
/// or the executable (a checkout's `.build/release/manrs-plus` finds the checkout's).
func locateSchemaDirectory() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    if let configured = environment["SCHEMA_DIR"], !configured.isEmpty { return configured }
    let starts = [
        FileManager.default.currentDirectoryPath,
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path,
    ]
    for start in starts {
        var directory = URL(fileURLWithPath: start)
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("schema")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate.path
            }
            directory.deleteLastPathComponent()
        }
    }
    throw CommandFailure("cannot find the schema/ folder; set SCHEMA_DIR")
}

struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension DatabaseRuntime {
    /// The composition root for a command: opens the database, builds `Services` over it,
    /// migrates it (unless `migrate` is false), runs `body`, and shuts down whatever happens;
    /// an error becomes a one-line command failure.
    static func withServices<Result>(
        settings: Settings, logger: Logger, migrate: Bool = true, clock: any WallClock = SystemClock(),
        _ body: (Services) async throws -> Result
    ) async throws -> Result {
        let migrator = Migrator(migrations: try Migration.load(from: locateSchemaDirectory()), logger: logger)
        let database = try DatabaseRuntime.open(settings: settings, logger: logger)
        let services = Services(settings: settings, database: database.pool, migrator: migrator, logger: logger, clock: clock)
        let outcome: Swift.Result<Result, any Error>
        do {
            if migrate { try await services.migrate() }
            outcome = .success(try await body(services))
        } catch {
            outcome = .failure(error)
        }
        await database.shutdown()
        switch outcome {
        case .success(let value): return value
        case .failure(let error as CommandFailure): throw error
        case .failure(let error as StoreError): throw CommandFailure(describe(error))
        case .failure(let error): throw CommandFailure("\(error)")
        }
    }

    static func describe(_ error: StoreError) -> String {
        switch error {
        case .notFound(let detail), .conflict(_, let detail), .refused(_, let detail), .unreadable(let detail): detail
        case .staleVersion(let current): "changed concurrently (now version \(current)); try again"
        case .invalid(let fields): fields.map { "\($0.field): \($0.refusal.message)" }.joined(separator: "; ")
        }
    }
}

/// The folder that holds `schema/`, `templates/` and `docs/` (a checkout, or an installed share directory).
func locateResourceRoot() throws -> String {
    URL(fileURLWithPath: try locateSchemaDirectory()).deletingLastPathComponent().path
}
