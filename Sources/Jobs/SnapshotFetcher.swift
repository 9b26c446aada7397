import AsyncHTTPClient
import Crypto
import Domain
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Routing
import Store

/// Fetches snapshot sources and imports what changed through `SnapshotStore.importFile` (the
/// import path `manrs-plus import` uses), recording every attempt with its provenance in the
/// fetch log. Over HTTP(S) it asks conditionally (`If-None-Match`, `If-Modified-Since` from the
/// last success), so a 304 imports nothing; a body over the source's size limit, one that ends
/// before its `Content-Length`, a compressed stream cut short, an error status or a fetch over
/// the time limit imports nothing either, and the previous snapshot stays in force.
public struct SnapshotFetcher: Sendable {
    public let snapshots: SnapshotStore
    public let fetches: SnapshotFetchStore
    let client: HTTPClient
    /// Where downloads are written while they are imported (removed afterwards).
    let downloads: String
    let logger: Logger

    public init(
        snapshots: SnapshotStore, fetches: SnapshotFetchStore, client: HTTPClient = SnapshotFetcher.sharedClient,
        downloads: String = FileManager.default.temporaryDirectory.path, logger: Logger
    ) {
        self.snapshots = snapshots
        self.fetches = fetches
        self.client = client
        self.downloads = downloads
        self.logger = logger
    }

    /// The process's client for sources: redirects followed (public mirrors redirect), a connect
    /// time limit; each fetch has its own overall limit.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .follow(max: 5, allowCycles: false))
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(120))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Fetches every source that is due at `now` (never attempted, or a cadence past its last
    /// attempt), one after another; returns the attempts recorded.
    @discardableResult
    public func fetchDue(_ sources: [SnapshotSource], at now: Date) async throws -> [SnapshotFetch] {
        var recorded: [SnapshotFetch] = []
        for source in sources {
            let status = try await fetches.status(of: source.name)
            guard SnapshotSourceRules.isDue(lastAttempt: status.lastAttempt?.attemptedAt, cadence: source.cadence, at: now) else { continue }
            recorded.append(try await fetch(source, at: now, previous: status.lastSuccess))
        }
        return recorded
    }

    /// Fetches `source` now, whatever its cadence, and records the attempt.
    public func fetch(_ source: SnapshotSource, at now: Date) async throws -> SnapshotFetch {
        try await fetch(source, at: now, previous: try await fetches.status(of: source.name).lastSuccess)
    }

    func fetch(_ source: SnapshotSource, at now: Date, previous: SnapshotFetch?) async throws -> SnapshotFetch {
        let started = ContinuousClock.now
        var attempt = Attempt()
        do {
            switch source.location {
            case .url(let url):
                // Validators only from a success at the same address whose snapshot still exists.
                let validators = previous.flatMap { $0.location == url && $0.snapshotID != nil ? $0 : nil }
                try await download(source, url: url, validators: validators, at: now, into: &attempt)
            case .path(let path):
                try await read(source, path: path, at: now, into: &attempt)
            }
        } catch {
            attempt.outcome = .failed
            attempt.error = Self.sentence(error, source: source)
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let fetch = SnapshotFetch(
            sourceName: source.name, kind: source.kind, location: source.location.description, attemptedAt: now, outcome: attempt.outcome,
            snapshotID: attempt.snapshotID, httpStatus: attempt.httpStatus, etag: attempt.etag, lastModified: attempt.lastModified,
            sha256: attempt.sha256, bytes: attempt.bytes, durationMilliseconds: max(0, milliseconds), error: attempt.error)
        let stored = try await fetches.record(fetch)
        let metadata: Logger.Metadata = ["source.name": "\(source.name)", "source.outcome": "\(stored.outcome.rawValue)"]
        if stored.outcome == .failed {
            logger.warning("Snapshot source fetch failed", metadata: metadata.merging(["error": "\(stored.error ?? "")"]) { $1 })
        } else {
            logger.info("Snapshot source fetched", metadata: metadata)
        }
        return stored
    }

    /// What an attempt found, filled in as it goes.
    struct Attempt {
        var outcome: SnapshotFetchOutcome = .failed
        var snapshotID: Int?
        var httpStatus: Int?
        var etag: String?
        var lastModified: String?
        var sha256: String?
        var bytes: Int64?
        var error: String?
    }

    /// Why a fetch imported nothing, in a sentence for the admin page.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func sentence(_ error: any Error, source: SnapshotSource) -> String {
        switch error {
        case let failure as Failure: failure.description
        case let truncated as SnapshotImportError: truncated.description
        case let refusal as RoutingDataError:
            // Named by its place in the download, not by the temporary file's path.
            "The data could not be read\(refusal.line.map { " (line \($0))" } ?? refusal.offset.map { " (at byte \($0))" } ?? ""): "
                + "\(refusal.reason); nothing was imported. A file cut short reads this way too."
        case let parser as HTTPParserError where parser == .invalidEOFState:
            "The server closed the connection before the whole file arrived; nothing was imported."
        case is CancellationError: "The fetch took longer than its limit of \(Int(source.timeout)) seconds."
        case let client as HTTPClientError where client == .deadlineExceeded || client == .readTimeout || client == .connectTimeout:
            "The fetch took longer than its limit of \(Int(source.timeout)) seconds."
        case let client as HTTPClientError where client == .remoteConnectionClosed:
            "The server closed the connection before the whole file arrived; nothing was imported."
        default: "The fetch failed: \(error)."
        }
    }

    // MARK: HTTP

    private func download(_ source: SnapshotSource, url: String, validators: SnapshotFetch?, at now: Date, into attempt: inout Attempt)
        async throws
    {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "user-agent", value: "manrs-plus-sources")
        if let etag = validators?.etag { request.headers.add(name: "if-none-match", value: etag) }
        if let lastModified = validators?.lastModified { request.headers.add(name: "if-modified-since", value: lastModified) }
        let prepared = request
        let file = downloads + "/manrs-plus-fetch-\(UUID().uuidString)-" + Self.fileName(url)
        defer { try? FileManager.default.removeItem(atPath: file) }

        let timeout = Duration.milliseconds(Int64(source.timeout * 1000))
        let received = try await Self.withTimeLimit(timeout) { [client] () async throws -> Received in
            let response = try await client.execute(prepared, deadline: .now() + .milliseconds(Int64(source.timeout * 1000)))
            var received = Received(status: Int(response.status.code), reason: response.status.reasonPhrase, headers: response.headers)
            guard response.status == .ok else {
                _ = try? await response.body.collect(upTo: 64 * 1024)
                return received
            }
            let expected = response.headers.first(name: "content-length").flatMap { Int64($0) }
            if let expected, expected > source.maxBytes {
                throw Failure("The file is \(expected) bytes, over this source's limit of \(source.maxBytes) bytes; nothing was imported.")
            }
            guard FileManager.default.createFile(atPath: file, contents: nil), let handle = FileHandle(forWritingAtPath: file) else {
                throw Failure("The download could not be written to \(file).")
            }
            defer { try? handle.close() }
            var hasher = SHA256()
            var count: Int64 = 0
            for try await chunk in response.body {
                count += Int64(chunk.readableBytes)
                if count > source.maxBytes {
                    throw Failure("The file is over this source's limit of \(source.maxBytes) bytes; nothing was imported.")
                }
                let bytes = chunk.withUnsafeReadableBytes { buffer in
                    hasher.update(bufferPointer: buffer)
                    return Data(buffer)
                }
                try handle.write(contentsOf: bytes)
            }
            if let expected, count != expected {
                throw Failure("The file ended after \(count) of its \(expected) bytes; nothing was imported.")
            }
            received.bytes = count
            received.sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            return received
        }
        attempt.httpStatus = received.status
        attempt.etag = received.headers.first(name: "etag") ?? (received.status == 304 ? validators?.etag : nil)
        attempt.lastModified = received.headers.first(name: "last-modified") ?? (received.status == 304 ? validators?.lastModified : nil)
        switch received.status {
        case 304 where validators != nil:
            attempt.outcome = .unchanged
            attempt.snapshotID = validators?.snapshotID
            attempt.sha256 = validators?.sha256
        case 200:
            attempt.bytes = received.bytes
            attempt.sha256 = received.sha256
            let taken = attempt.lastModified.flatMap(Self.httpDate) ?? now
            try await importFile(file, source: source, takenAt: taken, into: &attempt)
        default:
            throw Failure("The server answered \(received.status) \(received.reason); nothing was imported.")
        }
    }

    struct Received: Sendable {
        var status: Int
        var reason: String
        var headers: HTTPHeaders
        var bytes: Int64?
        var sha256: String?
    }

    /// Runs `body`, cancelling it when `limit` passes first (the error is then `CancellationError`).
    static func withTimeLimit<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw CancellationError() }
            return value
        }
    }

    // MARK: Files

    private func read(_ source: SnapshotSource, path: String, at now: Date, into attempt: inout Attempt) async throws {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw Failure("The file \(path) cannot be read.")
        }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        attempt.bytes = size
        guard size <= source.maxBytes else {
            throw Failure("The file is \(size) bytes, over this source's limit of \(source.maxBytes) bytes; nothing was imported.")
        }
        let modified = attributes[.modificationDate] as? Date
        attempt.lastModified = modified.map(Self.httpDate)
        try await importFile(path, source: source, takenAt: modified ?? now, into: &attempt)
    }

    private func importFile(_ path: String, source: SnapshotSource, takenAt: Date, into attempt: inout Attempt) async throws {
        switch try await snapshots.importFile(path, kind: source.kind, sourceName: source.name, takenAt: takenAt, refuseTruncated: true) {
        case .imported(let snapshot):
            attempt.outcome = .imported
            attempt.snapshotID = snapshot.id
            attempt.sha256 = snapshot.fileSHA256
        case .alreadyImported(let snapshot):
            attempt.outcome = .unchanged
            attempt.snapshotID = snapshot.id
            attempt.sha256 = snapshot.fileSHA256
        }
    }

    /// The last part of a URL's path, kept in the download's name for whoever reads the folder.
    static func fileName(_ url: String) -> String {
        let last = URL(string: url)?.lastPathComponent ?? ""
        let safe = last.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }
        return safe.isEmpty ? "download" : String(safe.prefix(80))
    }

    static func httpDateFormatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }

    /// An HTTP date (RFC 9110 IMF-fixdate).
    static func httpDate(_ date: Date) -> String { httpDateFormatter().string(from: date) }

    static func httpDate(_ text: String) -> Date? { httpDateFormatter().date(from: text) }
}
