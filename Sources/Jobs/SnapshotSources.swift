import Domain
import Foundation
import Store

/// One source of fresh routing data, as configured in the `SNAPSHOT_SOURCES` file: what it
/// holds, where it is (an http(s) URL or a local path), how often to fetch it, and the limits.
public struct SnapshotSource: Sendable, Equatable {
    /// Where a source is read from.
    public enum Location: Sendable, Equatable {
        case url(String)
        case path(String)

        public var description: String {
            switch self {
            case .url(let url): url
            case .path(let path): path
            }
        }
    }

    /// The source's name: the snapshots' `source_name` and the fetch log's key.
    public let name: String
    public let kind: SnapshotKind
    public let location: Location
    /// Seconds between fetches.
    public let cadence: TimeInterval
    /// The largest body accepted (as sent, compressed or not); a larger one imports nothing.
    public let maxBytes: Int64
    /// How long one fetch may take, from the request to the last byte.
    public let timeout: TimeInterval

    public static let defaultMaxBytes: Int64 = 1 << 30
    public static let defaultTimeout: TimeInterval = 600

    public init(
        name: String, kind: SnapshotKind, location: Location, cadence: TimeInterval, maxBytes: Int64 = Self.defaultMaxBytes,
        timeout: TimeInterval = Self.defaultTimeout
    ) {
        self.name = name
        self.kind = kind
        self.location = location
        self.cadence = cadence
        self.maxBytes = maxBytes
        self.timeout = timeout
    }
}

/// The `SNAPSHOT_SOURCES` file, read strictly: every problem is refused with a sentence that
/// names the source and the field. Documented in `docs/operations.md` ("Snapshot sources").
public struct SnapshotSourceList: Sendable, Equatable {
    public let sources: [SnapshotSource]

    public init(sources: [SnapshotSource]) { self.sources = sources }

    /// A file that cannot be used, with the reason.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads the file at `path`. A relative local path inside it is taken from the file's folder.
    public static func load(path: String) throws(Problem) -> SnapshotSourceList {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem("The snapshot sources file \(path) cannot be read.")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(data, relativeTo: folder)
    }

    static let fields: Set<String> = ["name", "kind", "url", "path", "cadence", "max_bytes", "timeout"]

    /// Reads the file's JSON: `{"sources": [{"name", "kind", "url" or "path", "cadence", "max_bytes"?, "timeout"?}]}`.
    public static func parse(_ data: Data, relativeTo folder: String) throws(Problem) -> SnapshotSourceList {
        guard let file = try? JSONDecoder().decode(File.self, from: data) else {
            throw Problem(
                "The snapshot sources file is not JSON of the form {\"sources\": [{\"name\": …, \"kind\": …, \"url\" or \"path\": …, \"cadence\": …}]}, "
                    + "with a cadence and timeout written as seconds or as \"15m\", \"6h\", \"1d\", and max_bytes a whole number.")
        }
        var sources: [SnapshotSource] = []
        for (index, entry) in file.sources.enumerated() {
            guard let name = entry.name, (1...200).contains(name.count), !name.contains(where: \.isNewline) else {
                throw Problem("Source \(index + 1) needs a name of 1 to 200 characters.")
            }
            let label = "Source \"\(name)\""
            if let unknown = Set(entry.keys).subtracting(fields).sorted().first {
                throw Problem("\(label) has an unknown field \"\(unknown)\"; the fields are \(fields.sorted().joined(separator: ", ")).")
            }
            guard !sources.contains(where: { $0.name == name }) else { throw Problem("\(label) is named twice.") }
            guard let kindText = entry.kind, let kind = SnapshotKind(rawValue: kindText) else {
                throw Problem("\(label) needs a kind: one of \(SnapshotKind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let location: SnapshotSource.Location
            switch (entry.url, entry.path) {
            case (let url?, nil):
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                    throw Problem("\(label): the url must be an http or https address.")
                }
                location = .url(url)
            case (nil, let path?) where !path.isEmpty:
                location = .path(path.hasPrefix("/") ? path : folder + "/" + path)
            default:
                throw Problem("\(label) needs either a url or a path, not both.")
            }
            guard let cadence = entry.cadence?.seconds, cadence >= SnapshotSourceRules.shortestCadence else {
                throw Problem("\(label) needs a cadence of at least a minute, such as \"15m\", \"6h\" or \"1d\".")
            }
            if let timeout = entry.timeout, timeout.seconds == nil {
                throw Problem("\(label): the timeout must be a duration such as \"30s\" or \"10m\".")
            }
            if let maxBytes = entry.maxBytes, maxBytes <= 0 { throw Problem("\(label): max_bytes must be a positive number of bytes.") }
            sources.append(
                SnapshotSource(
                    name: name, kind: kind, location: location, cadence: cadence, maxBytes: entry.maxBytes ?? SnapshotSource.defaultMaxBytes,
                    timeout: entry.timeout?.seconds ?? SnapshotSource.defaultTimeout))
        }
        return SnapshotSourceList(sources: sources)
    }

    struct File: Decodable {
        let sources: [Entry]
    }

    /// One entry as written; checked field by field in `parse` so the refusal can name it.
    struct Entry: Decodable {
        let keys: [String]
        let name: String?
        let kind: String?
        let url: String?
        let path: String?
        let cadence: Written?
        let maxBytes: Int64?
        let timeout: Written?

        struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            keys = container.allKeys.map(\.stringValue)
            name = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "name"))
            kind = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "kind"))
            url = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "url"))
            path = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "path"))
            cadence = try container.decodeIfPresent(Written.self, forKey: Key(stringValue: "cadence"))
            maxBytes = try container.decodeIfPresent(Int64.self, forKey: Key(stringValue: "max_bytes"))
            timeout = try container.decodeIfPresent(Written.self, forKey: Key(stringValue: "timeout"))
        }
    }

    /// A duration written as a number of seconds or as text with a unit.
    struct Written: Decodable {
        let seconds: TimeInterval?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                seconds = number > 0 ? TimeInterval(number) : nil
            } else {
                seconds = SnapshotSourceRules.duration(try container.decode(String.self))
            }
        }
    }
}
