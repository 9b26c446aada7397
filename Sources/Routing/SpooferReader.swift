import Foundation

/// What a Spoofer test saw of packets sent with a forged source address.
public enum SpoofStatus: String, Sendable, Hashable, CaseIterable {
    /// The forged packet arrived: nothing on the way validated the source (no SAV).
    case received
    /// The forged packet was dropped on the way.
    case blocked
    /// A NAT rewrote the forged source before it left: the network's own filtering is untested.
    case rewritten
    case unknown
}

/// One Spoofer session's result for one address family of one client network.
public struct SpooferResult: Sendable, Hashable {
    /// CAIDA's session id.
    public let session: Int
    public let testedAt: Date
    public let asn: ASN
    /// The client's network as CAIDA publishes it (a /24 or a /64, never the host).
    public let prefix: IPPrefix
    /// Forged routable source addresses.
    public let routed: SpoofStatus?
    /// Forged private (RFC 1918 / ULA) source addresses.
    public let privateSource: SpoofStatus?
    public let nat: Bool?

    public init(
        session: Int, testedAt: Date, asn: ASN, prefix: IPPrefix, routed: SpoofStatus?, privateSource: SpoofStatus?, nat: Bool?
    ) {
        self.session = session
        self.testedAt = testedAt
        self.asn = asn
        self.prefix = prefix
        self.routed = routed
        self.privateSource = privateSource
        self.nat = nat
    }

    public enum Verdict: String, Sendable {
        /// A forged packet got out: the network leaks spoofed traffic (MANRS M5).
        case spoofable
        /// Forged packets were blocked and none got out.
        case blocked
        /// Nothing conclusive (rewritten by a NAT, or unknown).
        case inconclusive
    }

    public var verdict: Verdict {
        let statuses = [routed, privateSource].compactMap(\.self)
        if statuses.contains(.received) { return .spoofable }
        if statuses.contains(.blocked) { return .blocked }
        return .inconclusive
    }
}

/// Reads CAIDA Spoofer session results, detected from content:
/// - CSV with a header row naming its columns, in either of the two published dialects:
///   the Spoofer Data API's `Session` fields (`session`, `timestamp`, `asn4`, `client4`,
///   `nat4`, `routedspoof`, `privatespoof`, and the same with `6`), one row giving up to one
///   result per address family; or Shadowserver's CAIDA IP Spoofer report (`timestamp`,
///   `asn`, `network`, `routedspoof`, `session`, `nat`), one result per row.
/// - JSON lines, one `Session` object per line, as the Data API's own example client prints.
/// Column order does not matter and other columns are ignored. A row that names a client
/// network but no valid ASN, time or status is a reject; a family without a client network
/// was not tested and gives no result. See docs/data-formats.md.
public enum SpooferReader {
    public static func read(path: String, policy: BadRecordPolicy = .skip, _ body: (SpooferResult) throws -> Void) throws -> ReadSummary {
        var summary = ReadSummary()
        let stream = try ByteStream(path: path)
        var header: [String]? = nil
        var isJSONLines: Bool? = nil
        try stream.forEachLine { bytes, number in
            let line = String(decoding: bytes, as: UTF8.self)
            if line.allSatisfy(\.isWhitespace) { return }
            let fields: [String: String]
            do {
                if isJSONLines == nil { isJSONLines = line.first { !$0.isWhitespace } == "{" }
                if isJSONLines == true {
                    fields = try jsonFields(line)
                } else if let columns = header {
                    let values = try csvFields(line)
                    guard values.count == columns.count else {
                        throw Problem("has \(values.count) fields where the header names \(columns.count)")
                    }
                    // The first of a repeated column name wins (Shadowserver repeats `type`).
                    fields = Dictionary(zip(columns, values), uniquingKeysWith: { first, _ in first })
                } else {
                    header = try csvFields(line).map { $0.lowercased() }
                    try checkHeader(header!, path: path, line: number)
                    return
                }
                let results = try Self.results(fields)
                for result in results {
                    summary.records += 1
                    try body(result)
                }
            } catch let problem as Problem {
                try summary.reject(RoutingDataError(file: path, line: number, reason: problem.reason), policy: policy)
            }
        }
        if isJSONLines == nil || (isJSONLines == false && header == nil) {
            throw RoutingDataError(file: path, reason: "empty: no Spoofer header or sessions")
        }
        summary.truncated = stream.truncated
        return summary
    }

    private struct Problem: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private static func checkHeader(_ columns: [String], path: String, line: Int) throws {
        let names = Set(columns)
        let missing = ["session", "timestamp"].filter { !names.contains($0) }
        guard missing.isEmpty, !names.isDisjoint(with: ["client4", "client6", "network"]) else {
            throw RoutingDataError(
                file: path, line: line,
                reason: "not a Spoofer session header: needs session, timestamp and client4/client6 or network"
                    + (missing.isEmpty ? "" : " (missing \(missing.joined(separator: ", ")))"))
        }
    }

    /// The results one session row holds: one per tested address family.
    private static func results(_ fields: [String: String]) throws -> [SpooferResult] {
        func value(_ name: String) -> String? {
            guard let text = fields[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text != "null" else { return nil }
            return text
        }
        guard let sessionText = value("session"), let session = Int(sessionText), session >= 0 else {
            throw Problem("session \(fields["session"].map { "'\($0)'" } ?? "missing") is not a session number")
        }
        guard let time = value("timestamp") else { throw Problem("session \(session) has no timestamp") }
        guard let testedAt = parseTimestamp(time) else { throw Problem("session \(session) timestamp '\(time)' is not a UTC time") }

        // (client, asn, nat, routed, private) columns of each family, in both dialects.
        let families: [(client: String, asn: String, nat: String, routed: String, private: String)] =
            fields["network"] != nil
            ? [("network", "asn", "nat", "routedspoof", "privatespoof")]
            : [("client4", "asn4", "nat4", "routedspoof", "privatespoof"), ("client6", "asn6", "nat6", "routedspoof6", "privatespoof6")]
        var results: [SpooferResult] = []
        for family in families {
            guard let client = value(family.client) else { continue }
            guard let prefix = try? IPPrefix(client, strict: false) else { throw Problem("session \(session) client '\(client)' is not a prefix") }
            guard let asnText = value(family.asn), let asn = parseASN(asnText) else {
                throw Problem("session \(session) client \(prefix) has no valid ASN")
            }
            func status(_ column: String) throws -> SpoofStatus? {
                guard let text = value(column) else { return nil }
                guard let status = SpoofStatus(rawValue: text.lowercased()) else {
                    throw Problem("session \(session) \(column) '\(text)' is none of \(SpoofStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return status
            }
            let nat: Bool? =
                switch value(family.nat)?.lowercased() {
                case "true", "t", "1", "yes": true
                case "false", "f", "0", "no": false
                default: nil
                }
            results.append(
                SpooferResult(
                    session: session, testedAt: testedAt, asn: asn, prefix: prefix, routed: try status(family.routed),
                    privateSource: try status(family.private), nat: nat))
        }
        guard !results.isEmpty else { throw Problem("session \(session) names no client network") }
        return results
    }

    /// Fields of one RFC 4180 record on one line: commas, double quotes, `""` inside quotes.
    static func csvFields(_ line: String) throws -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        var atFieldStart = true
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    // A doubled quote is a literal one; a single one closes the field.
                    var lookahead = iterator
                    if lookahead.next() == "\"" {
                        current.append("\"")
                        iterator = lookahead
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "," {
                fields.append(current)
                current = ""
                atFieldStart = true
                continue
            } else if character == "\"" && atFieldStart {
                quoted = true
            } else {
                current.append(character)
            }
            atFieldStart = false
        }
        guard !quoted else { throw Problem("has an unterminated quoted field") }
        fields.append(current)
        return fields
    }

    /// A JSON scalar as the text a CSV cell would hold.
    private struct Scalar: Decodable {
        let text: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                text = nil
            } else if let flag = try? container.decode(Bool.self) {
                text = flag ? "true" : "false"
            } else if let integer = try? container.decode(Int64.self) {
                text = String(integer)
            } else if let string = try? container.decode(String.self) {
                text = string
            } else {
                text = nil  // nested objects and fractions name nothing we read
            }
        }
    }

    private static func jsonFields(_ line: String) throws -> [String: String] {
        guard let object = try? JSONDecoder().decode([String: Scalar].self, from: Data(line.utf8)) else {
            throw Problem("is not a JSON object")
        }
        var fields: [String: String] = [:]
        for (key, value) in object { if let text = value.text { fields[key.lowercased()] = text } }
        return fields
    }

    /// `2020-05-07T14:34:59+00:00`, `2020-05-07T14:34:59Z`, `2019-08-27 00:06:24` (UTC), with
    /// optional fractional seconds.
    static func parseTimestamp(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<from + count] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            if bytes[index] == UInt8(ascii: "Z") && index + 1 == bytes.count {
                index += 1
            } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"), bytes.count == index + 6,
                bytes[index + 3] == UInt8(ascii: ":"), let hours = number(index + 1, 2), let minutes = number(index + 4, 2)
            {
                offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        // Days from the civil date (proleptic Gregorian), Howard Hinnant's algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
