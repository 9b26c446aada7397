import ArgumentParser
import Foundation
import Logging
import Server

@main
struct ManrsPlus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manrs-plus",
        abstract: "The MANRS+ certification workflow server.",
        discussion: """
            Every command uses DATABASE_URL when it is set; otherwise the embedded PostgreSQL \
            cluster under DATA_DIR (default .data), started for the command's length unless it \
            is already running.
            """,
        subcommands: [
            Serve.self, Worker.self, JobsCommand.self, Migrate.self, CatalogCommand.self, UserCommand.self, DemoCommand.self, AuditCommand.self,
            Import.self, Validate.self,
            Measure.self, VerifyCredential.self,
            RoutesCommand.self, ResourcesCommand.self,
            IssuerCommand.self,
        ]
    )
}

/// Options every command takes; each overrides the environment variable of the same meaning.
struct GlobalOptions: ParsableArguments {
    @Option(help: "PostgreSQL connection string or URI (env DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Folder of the embedded PostgreSQL cluster (env DATA_DIR).")
    var dataDir: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (env LOG_LEVEL).")
    var logLevel: String?

    @Option(help: "text or json (env LOG_FORMAT).")
    var logFormat: String?

    var overrides: [String: String] {
        var values: [String: String] = [:]
        values["DATABASE_URL"] = databaseURL
        values["DATA_DIR"] = dataDir
        values["LOG_LEVEL"] = logLevel
        values["LOG_FORMAT"] = logFormat
        return values
    }

    /// Reads the settings and sets up logging, or exits with a one-line error naming the bad value.
    func load(_ extra: [String: String] = [:]) throws -> (Settings, Logger) {
        let settings: Settings
        do {
            settings = try Settings.load(
                environment: ProcessInfo.processInfo.environment,
                overrides: overrides.merging(extra) { $1 }
            )
        } catch {
            throw CommandFailure(error.description)
        }
        LoggingSystem.bootstrap { label in
            switch settings.logFormat {
            case .json: return JSONLogHandler(label: label, level: settings.logLevel)
            case .text: return TextLogHandler(label: label, level: settings.logLevel)
            }
        }
        return (settings, Logger(label: "manrs-plus"))
    }
}
