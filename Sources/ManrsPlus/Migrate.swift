import ArgumentParser
import Store

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Change nothing; exit non-zero when migrations are pending or the schema does not match.")
    var check = false

    func run() async throws {
        let (settings, logger) = try global.load()
        let message = try await DatabaseRuntime.withServices(settings: settings, logger: logger, migrate: false) { services in
            if check {
                try await services.requireCurrentSchema()
                let status = try await services.migrator.status(services.database)
                return "The database schema is current (\(status.applied.count) migrations applied)."
            }
            let applied = try await services.migrator.migrate(services.database)
            return applied.isEmpty ? "Nothing to migrate." : "Applied migrations \(applied.map(String.init).joined(separator: ", "))."
        }
        print(message)
    }
}
