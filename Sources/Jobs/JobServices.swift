import Domain
import Foundation
import Logging
import ServiceLifecycle

/// Runs due jobs one after another until graceful shutdown, then finishes the job in hand.
/// Several of these (in one process or many) share the queue; each job runs once.
public struct JobWorkerService: Service {
    public let runner: JobRunner

    public init(runner: JobRunner) { self.runner = runner }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let outcome: JobRunner.Outcome
            do {
                outcome = try await runner.runNext()
            } catch {
                runner.logger.error("Could not take or record a job", metadata: ["error": "\(error)"])
                outcome = .idle
            }
            if outcome == .idle {
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(Int(runner.configuration.pollInterval * 1000)))
                }
            }
        }
    }
}

/// Enqueues recurring jobs when they are due, checking every poll interval until graceful
/// shutdown. Several schedulers may run: each due time is enqueued once.
public struct JobSchedulerService: Service {
    public let runner: JobRunner

    public init(runner: JobRunner) { self.runner = runner }

    public func run() async throws {
        do {
            try await runner.ensureSchedules()
        } catch {
            runner.logger.error("Could not set up the recurring jobs", metadata: ["error": "\(error)"])
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await runner.enqueueDue()
            } catch {
                runner.logger.error("Could not enqueue recurring jobs", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: .milliseconds(Int(runner.configuration.pollInterval * 1000)))
            }
        }
    }
}
