import Domain
import Foundation
import Server
import TestSupport
import Testing

/// The jobs as the composition root wires them for `serve`, `worker` and `jobs run-due`.
@Suite("Jobs in the composition root")
struct CompositionJobsTests {
    @Test("every recurring job the server schedules runs without failing: housekeeping, and notification delivery with its templates found")
    func recurringJobsRun() async throws {
        try await TestDatabase.withDatabase { db in
            let clock = ManualClock(Date(timeIntervalSince1970: 1_803_859_200))
            let services = try TestApp.services(db.pool, clock: clock)
            let summary = try await services.jobs.runDue()
            #expect(summary.parked == 0 && summary.retrying == 0)
            #expect(summary.done == services.settings.jobConfiguration.schedules.count)
        }
    }
}
