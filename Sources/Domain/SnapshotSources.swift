import Foundation

/// The pure rules of snapshot sources (`SNAPSHOT_SOURCES`): when a source is due, and reading
/// the durations and sizes its configuration names.
public enum SnapshotSourceRules {
    /// Whether a source fetched every `cadence` seconds, last attempted at `lastAttempt` (nil:
    /// never), is due at `now`. Exactly one cadence after the last attempt it is. A failed
    /// attempt counts as an attempt: a broken source is tried again at its cadence, not in a loop.
    public static func isDue(lastAttempt: Date?, cadence: TimeInterval, at now: Date) -> Bool {
        guard let lastAttempt else { return true }
        return lastAttempt.addingTimeInterval(cadence) <= now
    }

    /// The shortest cadence a source may have: a minute.
    public static let shortestCadence: TimeInterval = 60

    /// Reads a duration written as seconds (`90`) or with a unit (`30s`, `15m`, `6h`, `1d`);
    /// nil when it is neither or not positive.
    public static func duration(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var number = Substring(trimmed)
        var unit: TimeInterval = 1
        if let last = trimmed.last, let factor = units[last] {
            number = trimmed.dropLast()
            unit = factor
        }
        guard let value = Int(number), value > 0 else { return nil }
        return TimeInterval(value) * unit
    }
}
