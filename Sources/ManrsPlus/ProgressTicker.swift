import Foundation

/// Progress lines on stderr for long runs: at most one every `interval`, and none at all while
/// a run is short, so quick runs print only their summary. Checked every 65,536 records, so the
/// hot loops pay one branch per record.
struct ProgressTicker {
    let command: String
    let interval: Duration
    private let started = ContinuousClock.now
    private var lastPrint: ContinuousClock.Instant

    init(command: String, interval: Duration = .seconds(2)) {
        self.command = command
        self.interval = interval
        lastPrint = started
    }

    /// Call with a running count; prints "`command`: `count` `what` so far (N s)" now and then.
    @inline(__always)
    mutating func tick(_ count: Int, _ what: String) {
        guard count & 0xFFFF == 0 else { return }
        let now = ContinuousClock.now
        guard now - lastPrint >= interval else { return }
        lastPrint = now
        let line = "\(command): \(count) \(what) so far (\(String(format: "%.1f", (now - started).seconds)) s)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension Duration {
    /// The duration in seconds, for messages.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// The duration in whole milliseconds, for messages.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
