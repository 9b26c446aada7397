import ArgumentParser
import Canonical
import Domain
import Foundation
import Jobs
import Logging
import Server
import ServiceLifecycle
import Store

/// `manrs-plus worker`: only the job scheduler and a worker, until SIGTERM or SIGINT.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the job scheduler and a worker, without the HTTP server.",
        discussion: "Any number of workers and servers may share one database; each job runs once."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Do not migrate; refuse to start when the database is behind.")
    var noMigrate = false

    func run() async throws {
        let (settings, logger) = try global.load()
        let migrator = Migrator(migrations: try Migration.load(from: locateSchemaDirectory()), logger: logger)
        let database = try DatabaseRuntime.open(settings: settings, logger: logger)
        do {
            let services = Services(
                settings: settings, database: database.pool, migrator: migrator, logger: logger, runJobs: true, resourceRoot: try locateResourceRoot()
            )
            if noMigrate {
                try await services.requireCurrentSchema()
            } else {
                try await services.migrate()
            }
            logger.info("Running jobs", metadata: ["job.worker": "\(services.jobs.worker)"])
            let group = ServiceGroup(services: services.background, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await group.run()
        } catch {
            await database.shutdown()
            throw CommandFailure("\(error)")
        }
        await database.shutdown()
    }
}

/// `manrs-plus jobs …`: the queue, and running what is due at a given time.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "The background job queue.", subcommands: [List.self, RunDue.self, Enqueue.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the queue, newest first: state, kind, due time, attempts, last error.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only jobs in this state: queued, running, done or failed.")
        var state: String?

        @Option(help: "How many jobs to show.")
        var limit = 50

        func run() async throws {
            let (settings, logger) = try global.load()
            var states = JobState.allCases
            if let state {
                guard let chosen = JobState(rawValue: state) else {
                    throw CommandFailure("invalid --state '\(state)': expected queued, running, done or failed")
                }
                states = [chosen]
            }
            let (jobs, counts) = try await DatabaseRuntime.withServices(settings: settings, logger: logger) { services in
                (try await services.jobStore.list(states: states, limit: limit), try await services.jobStore.counts())
            }
            let format = ISO8601DateFormatter()
            print(JobState.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", "))
            for job in jobs {
                var line = "\(job.id)\t\(job.state.rawValue)\t\(job.kind.rawValue)\tdue \(format.string(from: job.dueAt))"
                line += "\tattempts \(job.attempts)/\(job.maxAttempts)"
                if let leasedBy = job.leasedBy, job.state == .running { line += "\tby \(leasedBy)" }
                if let error = job.lastError { line += "\terror: \(error)" }
                print(line)
            }
        }
    }

    struct RunDue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-due",
            abstract: "Run every job due at a time, in this process, until nothing is due.",
            discussion: """
                For tests, demos and catching up after downtime. Refuses a time earlier than one the \
                jobs have already run at, so time never runs backwards.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "The time to run at, e.g. 2027-03-01T00:00:00Z (default: now).")
        var now: String?

        func run() async throws {
            let (settings, logger) = try global.load()
            let clock: any WallClock
            if let now {
                guard let date = ISO8601DateFormatter().date(from: now) else {
                    throw CommandFailure("invalid --now '\(now)': expected a time like 2027-03-01T00:00:00Z")
                }
                clock = ManualClock(date)
            } else {
                clock = SystemClock()
            }
            let summary = try await DatabaseRuntime.withServices(settings: settings, logger: logger, clock: clock) { services in
                try await services.jobs.runDue()
            }
            print("Done \(summary.done), retrying later \(summary.retrying), parked as failed \(summary.parked)")
        }
    }

    struct Enqueue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue jobs of a kind, due now (for operators checking the workers, and tests).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The kind: housekeeping or probe.")
        var kind: String

        @Option(help: "How many jobs.")
        var count = 1

        @Option(help: "The payload as JSON, e.g. '{\"seconds\": 5}' for a probe that takes five seconds.")
        var payload = "{}"

        func run() async throws {
            let (settings, logger) = try global.load()
            guard let jobKind = JobKind(rawValue: kind) else {
                throw CommandFailure("invalid kind '\(kind)': expected \(JobKind.allCases.map(\.rawValue).joined(separator: " or "))")
            }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(payload.utf8)) else {
                throw CommandFailure("invalid --payload: expected JSON")
            }
            let ids = try await DatabaseRuntime.withServices(settings: settings, logger: logger) { services in
                var ids: [Int64] = []
                let now = services.clock.now()
                for _ in 0..<max(count, 0) {
                    if let id = try await services.jobStore.enqueue(
                        jobKind, payload: value, dueAt: now, maxAttempts: settings.jobMaxAttempts, at: now)
                    {
                        ids.append(id)
                    }
                }
                return ids
            }
            print("Queued \(ids.count) \(jobKind.rawValue) job(s)")
        }
    }
}
