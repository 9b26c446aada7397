import Domain
import Foundation
import Testing

@Suite("Job rules")
struct JobRulesTests {
    let start = Date(timeIntervalSince1970: 1_803_859_200)  // 2027-03-01T00:00:00Z

    @Test("retries wait 30 s, 60 s, 120 s, … up to the limit, then the job is parked")
    func backoff() {
        let policy = JobRetryPolicy(baseDelay: 30, maxDelay: 100, maxAttempts: 4)
        #expect(policy.delay(afterAttempt: 1) == 30)
        #expect(policy.delay(afterAttempt: 2) == 60)
        #expect(policy.delay(afterAttempt: 3) == 100)
        #expect(policy.delay(afterAttempt: 60) == 100)
        #expect(JobRules.afterFailure(attempts: 1, maxAttempts: 4, policy: policy, at: start) == .retry(at: start.addingTimeInterval(30)))
        #expect(JobRules.afterFailure(attempts: 3, maxAttempts: 4, policy: policy, at: start) == .retry(at: start.addingTimeInterval(100)))
        #expect(JobRules.afterFailure(attempts: 4, maxAttempts: 4, policy: policy, at: start) == .park)
        #expect(!JobRules.mustPark(attempts: 4, maxAttempts: 4))
        #expect(JobRules.mustPark(attempts: 5, maxAttempts: 4))
    }

    @Test("a job is due exactly at its due time; a lease has ended exactly at its end")
    func dueAndLease() {
        #expect(JobRules.isDue(start, at: start))
        #expect(!JobRules.isDue(start, at: start.addingTimeInterval(-1)))
        #expect(JobRules.leaseExpired(start, at: start))
        #expect(!JobRules.leaseExpired(start, at: start.addingTimeInterval(-1)))
        #expect(JobRules.leaseExpired(nil, at: start))
    }

    @Test("runs missed while nothing ran collapse into one, at the latest missed due time")
    func scheduleCatchUp() throws {
        let hourly = JobSchedule(kind: .housekeeping, interval: 3600)
        #expect(hourly.due(next: start, at: start.addingTimeInterval(-1)) == nil)
        let onTime = try #require(hourly.due(next: start, at: start))
        #expect(onTime.enqueue == start && onTime.following == start.addingTimeInterval(3600))
        let late = try #require(hourly.due(next: start, at: start.addingTimeInterval(10 * 3600 + 5)))
        #expect(late.enqueue == start.addingTimeInterval(10 * 3600))
        #expect(late.following == start.addingTimeInterval(11 * 3600))
        #expect(JobSchedule.dedupeKey(for: start) == "2027-03-01T00:00:00Z")
    }

    @Test("time never runs backwards; the same time again is allowed")
    func timeOrder() {
        #expect(JobRules.timeRefusal(requested: start, latestRecorded: nil) == nil)
        #expect(JobRules.timeRefusal(requested: start, latestRecorded: start) == nil)
        #expect(JobRules.timeRefusal(requested: start.addingTimeInterval(-1), latestRecorded: start)?.code == "time_backwards")
    }
}
