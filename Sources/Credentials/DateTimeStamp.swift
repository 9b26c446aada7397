import Foundation

/// The XML Schema `dateTimeStamp` text credentials use (`validFrom`, `validUntil`, `created`):
/// UTC, to the second, `2026-11-28T09:00:00Z`.
public enum DateTimeStamp {
    /// `date` in UTC to the whole second.
    public static func format(_ date: Date) -> String {
        Date.ISO8601FormatStyle().format(date)
    }

    /// Reads a `dateTimeStamp`: a time zone is required (`Z` or an offset), fractions of a second allowed.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? fractional.parse(text)
    }
}
