import ArgumentParser
import Store

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Change nothing; exit non-zero when migrations are pending or the schema does not match.")
    var check = false

    func run() async throws {
        let (settings, logger) = try global.load()
        let migrator = Migrator(migrations: try Migration.load(from: locateSchemaDirectory()), logger: logger)
        let database = try DatabaseRuntime.open(settings: settings, logger: logger)
        let outcome: Result<String, any Error>
        do {
            if check {
                let status = try await migrator.status(database.pool)
                if let problem = status.problems.first { throw problem }
                if !status.pending.isEmpty { throw MigrationError.pending(status.pending.map(\.version)) }
                outcome = .success("The database schema is current (\(status.applied.count) migrations applied).")
            } else {
                let applied = try await migrator.migrate(database.pool)
                outcome = .success(
                    applied.isEmpty ? "Nothing to migrate." : "Applied migrations \(applied.map(String.init).joined(separator: ", "))."
                )
            }
        } catch {
            outcome = .failure(error)
        }
        await database.shutdown()
        switch outcome {
        case .success(let message): print(message)
        case .failure(let error): throw CommandFailure("\(error)")
        }
    }
}
