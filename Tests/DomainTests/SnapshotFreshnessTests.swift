import Domain
import Foundation
import Testing

@Suite("Snapshot freshness")
struct SnapshotFreshnessTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = FreshnessPolicy.standard

    @Test("VRPs and routes from the same hours, within the maximum age, may be paired")
    func fresh() {
        #expect(policy.refusal(routesTakenAt: now.addingTimeInterval(-3_600), vrpsTakenAt: now.addingTimeInterval(-1_800), at: now) == nil)
    }

    @Test("pairing: exactly 24 hours apart is allowed, one second more is not, whichever came first")
    func pairingBoundary() {
        let routes = now.addingTimeInterval(-86_400)
        #expect(policy.refusal(routesTakenAt: routes, vrpsTakenAt: now, at: now) == nil)
        #expect(policy.refusal(routesTakenAt: routes.addingTimeInterval(-1), vrpsTakenAt: now, at: now)?.code == "snapshots-apart")
        #expect(policy.refusal(routesTakenAt: now, vrpsTakenAt: routes.addingTimeInterval(-1), at: now)?.code == "snapshots-apart")
    }

    @Test("age: exactly the maximum is allowed, one second more is refused, and the message says how old")
    func ageBoundary() {
        let oldest = now.addingTimeInterval(-policy.maximumAge)
        #expect(policy.refusal(routesTakenAt: oldest, vrpsTakenAt: oldest, at: now) == nil)
        let stale = policy.refusal(routesTakenAt: oldest.addingTimeInterval(-1), vrpsTakenAt: oldest, at: now)
        #expect(stale?.code == "stale-snapshot" && stale?.message.contains("routing table is 48 hours old") == true)
    }

    @Test("the demo's real inputs, April 2024 routes and July 2025 VRPs, are refused with the gap in months")
    func demoInputs() throws {
        let routes = try Date("2024-04-01T00:00:00Z", strategy: .iso8601)
        let vrps = try Date("2025-07-20T00:00:00Z", strategy: .iso8601)
        let tolerant = FreshnessPolicy(maximumAge: 10 * 365 * 86_400, maximumPairing: 86_400)
        let refusal = tolerant.refusal(routesTakenAt: routes, vrpsTakenAt: vrps, at: vrps)
        #expect(refusal?.code == "snapshots-apart" && refusal?.message.contains("15 months apart") == true)
        let demo = FreshnessPolicy(maximumAge: 10 * 365 * 86_400, maximumPairing: 500 * 86_400)
        #expect(demo.refusal(routesTakenAt: routes, vrpsTakenAt: vrps, at: vrps) == nil)
    }

    @Test("a snapshot taken after the check's time is refused")
    func future() {
        #expect(policy.refusal(routesTakenAt: now.addingTimeInterval(1), vrpsTakenAt: now, at: now)?.code == "snapshot-from-the-future")
    }
}
