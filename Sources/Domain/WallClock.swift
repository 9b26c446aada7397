import Foundation
import Synchronization

/// Where every rule gets the time. The composition root picks one: the system's in production,
/// a manual one in tests, so no rule and no test depends on today's date.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's clock: the only place the code reads the current time.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told: set it, or advance it.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    public func set(_ date: Date) { current.withLock { $0 = date } }

    public func advance(by interval: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(interval) } }
}
