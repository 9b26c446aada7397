import Foundation

/// `timestamptz` with microsecond precision. Connections run with `TimeZone=UTC` and
/// `DateStyle=ISO`, so the server's text is `YYYY-MM-DD HH:MM:SS[.ffffff]+00[ BC]`; other
/// offsets are still read correctly.
extension Date: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .timestamptz }

    public func encodePostgresText() -> String? {
        if self == .distantFuture { return "infinity" }
        if self == .distantPast { return "-infinity" }
        // Beyond Int64 microseconds (±292,000 years, past PostgreSQL's own range) a time is
        // later or earlier than any the server stores: infinity, never a trap.
        guard let micros = Int64(exactly: (timeIntervalSince1970 * 1_000_000).rounded()) else {
            return timeIntervalSince1970 > 0 ? "infinity" : "-infinity"
        }
        let (seconds, fraction) = floorDivision(micros, 1_000_000)
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        let yearText = year > 0 ? pad(year, 4) : pad(1 - year, 4)
        var text = "\(yearText)-\(pad(month, 2))-\(pad(day, 2)) "
        text += "\(pad(Int(secondOfDay / 3600), 2)):\(pad(Int(secondOfDay / 60 % 60), 2)):\(pad(Int(secondOfDay % 60), 2))"
        text += ".\(pad(Int(fraction), 6))+00"
        if year <= 0 { text += " BC" }
        return text
    }

    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard let micros = TimestampParser.microseconds(bytes) else { throw .invalid(Date.self, type) }
        switch micros {
        case .max: self = .distantFuture
        case .min: self = .distantPast
        default: self = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
        }
    }
}

@inline(__always)
private func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
    let quotient = value >= 0 ? value / divisor : (value - divisor + 1) / divisor
    return (quotient, value - quotient * divisor)
}

private func pad(_ value: some BinaryInteger, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// Proleptic Gregorian calendar arithmetic on day numbers since 1970-01-01 (H. Hinnant's algorithms).
enum CivilCalendar {
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Reads PostgreSQL's ISO timestamp output into microseconds since 1970 (UTC).
/// Returns `.max`/`.min` for `infinity`/`-infinity`, nil for anything else it cannot read.
enum TimestampParser {
    static func microseconds(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var cursor = Cursor(bytes: text)
        if cursor.matches("infinity") { return .max }
        if cursor.matches("-infinity") { return .min }
        guard let year = cursor.number(minDigits: 4, maxDigits: 9), cursor.skip("-"),
            let month = cursor.number(minDigits: 2, maxDigits: 2), cursor.skip("-"),
            let day = cursor.number(minDigits: 2, maxDigits: 2),
            cursor.skip(" ") || cursor.skip("T"),
            let hour = cursor.number(minDigits: 2, maxDigits: 2), cursor.skip(":"),
            let minute = cursor.number(minDigits: 2, maxDigits: 2), cursor.skip(":"),
            let second = cursor.number(minDigits: 2, maxDigits: 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var micros: Int64 = 0
        if cursor.skip(".") {
            var scale: Int64 = 100_000
            var digits = 0
            while let digit = cursor.digit() {
                micros += Int64(digit) * scale
                scale /= 10
                digits += 1
            }
            guard digits > 0, digits <= 6 else { return nil }
        }
        var offsetSeconds: Int64 = 0
        if let sign = cursor.sign() {
            guard let hours = cursor.number(minDigits: 2, maxDigits: 2) else { return nil }
            var offset = hours * 3600
            if cursor.skip(":") {
                guard let minutes = cursor.number(minDigits: 2, maxDigits: 2) else { return nil }
                offset += minutes * 60
                if cursor.skip(":") {
                    guard let seconds = cursor.number(minDigits: 2, maxDigits: 2) else { return nil }
                    offset += seconds
                }
            }
            offsetSeconds = sign * offset
        }
        let isBC = cursor.matchesSuffix(" BC")
        guard cursor.atEnd else { return nil }
        let astronomicalYear = isBC ? 1 - year : year
        let days = CivilCalendar.days(year: astronomicalYear, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1_000_000 + micros
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var end: Int

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            self.end = bytes.count
        }

        var atEnd: Bool { index == end }

        mutating func matches(_ literal: StaticString) -> Bool {
            let length = literal.utf8CodeUnitCount
            guard end - index == length else { return false }
            return (0..<length).allSatisfy { bytes[index + $0] == literal.utf8Start[$0] }
        }

        mutating func matchesSuffix(_ literal: StaticString) -> Bool {
            let length = literal.utf8CodeUnitCount
            guard end - index >= length else { return false }
            let start = end - length
            guard (0..<length).allSatisfy({ bytes[start + $0] == literal.utf8Start[$0] }) else { return false }
            end = start
            return index <= end
        }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < end, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func sign() -> Int64? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }

        mutating func digit() -> UInt8? {
            guard index < end else { return nil }
            let value = bytes[index] &- UInt8(ascii: "0")
            guard value < 10 else { return nil }
            index += 1
            return value
        }

        mutating func number(minDigits: Int, maxDigits: Int) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while count < maxDigits, let digit = digit() {
                value = value * 10 + Int64(digit)
                count += 1
            }
            return count >= minDigits ? value : nil
        }
    }
}
