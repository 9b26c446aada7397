import Foundation

/// How fresh the routing data behind a conformance verdict must be. RPKI verdicts on VRPs and
/// routes taken on different days say nothing about either day: a ROA fixed in between makes a
/// route look invalid that no longer is, and the reverse.
public struct FreshnessPolicy: Sendable, Equatable {
    /// The oldest a snapshot may be when a check uses it.
    public var maximumAge: TimeInterval
    /// The furthest apart the VRPs and the routes a check pairs may have been taken.
    public var maximumPairing: TimeInterval

    /// Checks in production: data at most two days old, VRPs and routes within 24 hours.
    public static let standard = FreshnessPolicy(maximumAge: 2 * 86_400, maximumPairing: 86_400)

    public init(maximumAge: TimeInterval, maximumPairing: TimeInterval) {
        self.maximumAge = maximumAge
        self.maximumPairing = maximumPairing
    }

    /// Why the routes and VRPs taken at these times may not be used for a verdict at `time`; nil
    /// when they may. A snapshot taken after `time` is refused too: time does not run backwards.
    public func refusal(routesTakenAt routes: Date, vrpsTakenAt vrps: Date, at time: Date) -> Refusal? {
        for (name, taken) in [("routing table", routes), ("RPKI (VRP) data", vrps)] {
            if taken > time {
                return Refusal(
                    "snapshot-from-the-future", "The \(name) was taken \(Self.span(taken.timeIntervalSince(time))) after the check's time.")
            }
            let age = time.timeIntervalSince(taken)
            if age > maximumAge {
                return Refusal(
                    "stale-snapshot", "The \(name) is \(Self.span(age)) old; checks use data at most \(Self.span(maximumAge)) old.")
            }
        }
        let apart = abs(routes.timeIntervalSince(vrps))
        if apart > maximumPairing {
            return Refusal(
                "snapshots-apart",
                "The routing table and the RPKI data were taken \(Self.span(apart)) apart; RPKI verdicts need both within \(Self.span(maximumPairing))."
            )
        }
        return nil
    }

    /// A duration in the largest whole unit that says it: "36 hours", "15 months".
    static func span(_ seconds: TimeInterval) -> String {
        let minutes = Int(seconds / 60)
        let hours = minutes / 60
        let days = hours / 24
        func plural(_ count: Int, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s")" }
        if days >= 60 { return plural(days / 30, "month") }
        if hours >= 72 { return plural(days, "day") }
        if minutes >= 120 { return plural(hours, "hour") }
        return plural(minutes, "minute")
    }
}
