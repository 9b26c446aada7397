import ArgumentParser
import Foundation
import Routing

#if canImport(Glibc)
    import Glibc
#endif

/// `manrs-plus validate --vrps FILE --routes FILE`: RFC 6811 state of every announcement, as CSV.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the RPKI state of each announcement as CSV: prefix,origin_asn,state.",
        discussion: """
            VRPs: rpki-client or Routinator JSON, or Routinator/RIPE validator CSV. Routes: MRT \
            (TABLE_DUMP, TABLE_DUMP_V2, BGP4MP), prefix,origin_asn CSV, or CAIDA prefix-to-AS text. Plain, gzip or bzip2, told from the content. \
            One row per input announcement, in input order; state is valid, invalid or not-found.
            """
    )

    @Option(help: "VRP file.")
    var vrps: String

    @Option(help: "Route file.")
    var routes: String

    @Flag(help: "Stop at the first malformed record instead of skipping and counting it.")
    var strict = false

    func run() throws {
        let policy: BadRecordPolicy = strict ? .stop : .skip
        let started = ContinuousClock.now
        // The routes are read on the other core while the VRPs load; both are needed before
        // the first row can be classified.
        let routeRead = RouteReadInBackground(path: routes, policy: policy)
        let (vrpList, vrpSummary) = try VRPReader.read(path: vrps, policy: policy)
        let loaded = ContinuousClock.now
        let index = VRPIndex(vrpList)
        let indexed = ContinuousClock.now
        var output = CSVOutput()
        output.write("prefix,origin_asn,state\n")
        let states = RPKIState.allCases
        var counts: [RPKIState: Int] = [:]
        let (announcements, routeSummary) = try routeRead.wait()
        // Classify and format in two halves on the two cores, then write them in order.
        let halves = 2
        let chunk = (announcements.count + halves - 1) / max(halves, 1)
        let parts = ClassifiedParts(count: halves)
        // The first half goes out as it is made, through a small buffer that stays in cache; the
        // second is kept until the first is out.
        output.flush()
        DispatchQueue.concurrentPerform(iterations: halves) { part in
            let range = min(part * chunk, announcements.count)..<min((part + 1) * chunk, announcements.count)
            let (bytes, tally) = Self.classify(announcements, range, index, streaming: part == 0)
            parts.store(part, bytes: bytes, counts: Dictionary(uniqueKeysWithValues: zip(states, tally)))
        }
        for part in 0..<halves {
            let (bytes, partCounts) = parts.take(part)
            output.write(bytes: bytes)
            counts.merge(partCounts, uniquingKeysWith: +)
        }
        output.flush()
        let elapsed = ContinuousClock.now - started
        var summary = "validate: \(vrpSummary.records) VRPs (\(vrpSummary.rejected) rejected), "
        summary += "\(routeSummary.records) announcements (\(routeSummary.rejected) rejected): "
        let invalid = counts[.invalidWrongOrigin, default: 0] + counts[.invalidTooSpecific, default: 0]
        summary += "valid \(counts[.valid, default: 0]), invalid \(invalid), not-found \(counts[.notFound, default: 0]) "
        summary +=
            "in \(elapsed.milliseconds) ms (VRPs read \((loaded - started).milliseconds) ms, indexed \((indexed - loaded).milliseconds) ms, "
            + "routes read, classified and written \((ContinuousClock.now - indexed).milliseconds) ms)\n"
        for reject in (vrpSummary.rejects + routeSummary.rejects).prefix(5) { summary += "  rejected \(reject)\n" }
        FileHandle.standardError.write(Data(summary.utf8))
        // Everything is written. Ending here leaves the 200 MB of tables and routes to the
        // kernel, which takes them back at once, instead of releasing a million routes one by
        // one first (about 15 ms of a 0.35 s run when measured).
        Foundation.exit(0)
    }
}

extension Validate {
    /// The CSV rows of `routes[range]` and the count per state (by `RPKIState.ordinal`); when
    /// `streaming`, the rows go to standard output as they are made and none are returned. A
    /// plain function, so its counters are locals rather than variables captured by the
    /// parallel closure, which Swift checks for exclusive access on every use.
    static func classify(_ routes: [Announcement], _ range: Range<Int>, _ index: VRPIndex, streaming: Bool) -> (bytes: [UInt8], tally: [Int]) {
        let flushAt = 1 << 18
        var bytes = [UInt8].reserving(hugePages: streaming ? flushAt + 256 : range.count * 32)
        var tally = [0, 0, 0, 0]
        // ",valid\n" and the like, inline in 16 bytes each: no array per state to retain.
        let suffixes: [(bytes: (UInt64, UInt64), count: Int)] = RPKIState.allCases.map { state in
            var bytes: (UInt64, UInt64) = (0, 0)
            let text = Array(("," + state.rfc6811 + "\n").utf8)
            withUnsafeMutableBytes(of: &bytes) { $0.copyBytes(from: text) }
            return (bytes, text.count)
        }
        // Each row is composed in `row` and appended with one copy; the unsafe views keep
        // reference counting out of the loop (it was a tenth of the time in `perf`).
        let row = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { row.deallocate() }
        routes.withUnsafeBufferPointer { routes in
            for position in range {
                let announcement = routes[position]
                let state = index.state(of: announcement.prefix, origin: announcement.origin).ordinal
                tally[state] += 1
                let suffix = suffixes[state]
                if let written = announcement.writeIPv4Fields(to: row) {
                    withUnsafeBytes(of: suffix.bytes) {
                        (row + written).initialize(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: suffix.count)
                    }
                    bytes.append(contentsOf: UnsafeBufferPointer(start: row, count: written + suffix.count))
                } else {
                    announcement.prefix.write(to: &bytes)
                    bytes.append(UInt8(ascii: ","))
                    announcement.writeOrigin(to: &bytes)
                    withUnsafeBytes(of: suffix.bytes) { bytes.append(contentsOf: $0.prefix(suffix.count)) }
                }
                if streaming && bytes.count >= flushAt {
                    bytes.withUnsafeBytes(CSVOutput.writeAll)
                    bytes.removeAll(keepingCapacity: true)
                }
            }
        }
        if streaming {
            bytes.withUnsafeBytes(CSVOutput.writeAll)
            bytes.removeAll()
        }
        return (bytes, tally)
    }
}

/// Buffered standard output: one write per 256 KiB instead of one per row.
struct CSVOutput {
    var buffer: [UInt8] = []

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        flushIfFull()
    }

    /// Writes `bytes` after what is buffered, straight from their storage: the 15 MB halves of
    /// a full table are not copied again.
    mutating func write(bytes: [UInt8]) {
        flush()
        bytes.withUnsafeBytes(Self.writeAll)
    }

    @inline(__always)
    mutating func flushIfFull() {
        if buffer.count >= 1 << 18 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes(Self.writeAll)
        buffer.removeAll(keepingCapacity: true)
    }

    /// write(2) until all is written; a closed pipe (a reader that stopped) ends the output.
    static func writeAll(_ bytes: UnsafeRawBufferPointer) {
        var done = 0
        while done < bytes.count {
            let written = Glibc.write(STDOUT_FILENO, bytes.baseAddress! + done, bytes.count - done)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            done += written
        }
    }
}

/// Reads a route file on its own thread; `wait()` returns what it read or rethrows its error.
final class RouteReadInBackground: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<([Announcement], ReadSummary), any Error>?

    init(path: String, policy: BadRecordPolicy, command: String = "validate") {
        let thread = Thread { [self] in
            result = Result {
                var announcements: [Announcement] = []
                announcements = .reserving(hugePages: 1 << 20)
                var ticker = ProgressTicker(command: command)
                let summary = try Routes.read(path: path, policy: policy) {
                    announcements.append($0)
                    ticker.tick(announcements.count, "announcements read")
                }
                return (announcements, summary)
            }
            done.signal()
        }
        thread.stackSize = 1 << 22
        thread.start()
    }

    func wait() throws -> ([Announcement], ReadSummary) {
        done.wait()
        return try result!.get()
    }
}

/// The output of each parallel part, stored by index and read back in order.
final class ClassifiedParts: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [([UInt8], [RPKIState: Int])]

    init(count: Int) {
        parts = Array(repeating: ([], [:]), count: count)
    }

    func store(_ index: Int, bytes: [UInt8], counts: [RPKIState: Int]) {
        lock.withLock { parts[index] = (bytes, counts) }
    }

    func take(_ index: Int) -> ([UInt8], [RPKIState: Int]) {
        lock.withLock { parts[index] }
    }
}
