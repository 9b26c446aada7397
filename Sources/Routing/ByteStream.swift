import CDeflate
import CZlib

#if canImport(Glibc)
    import Glibc
#endif

/// A file read in chunks, decompressed on the fly when it starts with the gzip or bzip2 magic.
public final class ByteStream {
    private enum Source {
        case gzip(gzFile)
        case bzip2(BZip2Decoder)
        case plain(UnsafeMutablePointer<FILE>)
        /// Decompressed whole at open; the buffer holds everything.
        case memory
    }

    public let path: String
    private let source: Source
    // The stream is used from one thread at a time and never lends these out across a call
    // that could touch them again, so the per-access runtime exclusivity check (1.6 % of
    // `validate` in `perf`, once per record) buys nothing here.
    @exclusivity(unchecked) private var buffer: [UInt8]
    @exclusivity(unchecked) private var start = 0
    @exclusivity(unchecked) private var end = 0
    private var finished = false
    /// Bytes consumed so far (after decompression), for error offsets.
    @exclusivity(unchecked) public private(set) var offset = 0
    /// True when the compressed stream stopped before its proper end: a file cut short. The
    /// data read until then is delivered; readers report the truncation in their summaries.
    public private(set) var truncated = false

    /// - Parameter whole: whether a small gzip file is decompressed whole at open (fastest for
    ///   reading it all); false streams it, for a look at its first bytes.
    public init(path: String, chunkSize: Int = 1 << 20, whole: Bool = true) throws(RoutingDataError) {
        self.path = path
        buffer = [UInt8](repeating: 0, count: chunkSize)
        guard let file = fopen(path, "rb") else { throw RoutingDataError(file: path, reason: "cannot open (errno \(errno))") }
        var magic = [UInt8](repeating: 0, count: 3)
        let read = fread(&magic, 1, 3, file)
        rewind(file)
        if read >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
            if whole, let content = Self.gunzipWhole(file) {
                fclose(file)
                buffer = content
                end = content.count
                finished = true
                source = .memory
                return
            }
            fclose(file)
            guard let gz = gzopen(path, "rb") else { throw RoutingDataError(file: path, reason: "cannot open gzip stream") }
            gzbuffer(gz, 1 << 17)
            source = .gzip(gz)
        } else if read == 3 && magic == [UInt8(ascii: "B"), UInt8(ascii: "Z"), UInt8(ascii: "h")] {
            source = .bzip2(BZip2Decoder(file: file))
        } else {
            source = .plain(file)
        }
    }

    deinit {
        switch source {
        case .gzip(let gz): gzclose(gz)
        case .bzip2: break  // the decoder closes its file
        case .plain(let file): fclose(file)
        case .memory: break
        }
    }

    /// How many bytes the stream will deliver, when that is known up front (a plain file, or
    /// one decompressed whole): for sizing what is read into.
    public var expectedSize: Int? {
        switch source {
        case .memory: return end
        case .plain(let file):
            var status = stat()
            return fstat(fileno(file), &status) == 0 ? Int(status.st_size) : nil
        case .gzip, .bzip2: return nil
        }
    }

    /// Files up to this size (compressed) are decompressed whole with libdeflate, into at
    /// most about this much memory; bigger ones stream through zlib.
    static let wholeGzipLimit = 64 << 20
    static let wholeGzipOutputLimit = 1 << 30

    /// The decompressed content of a gzip file of at most `wholeGzipLimit` bytes, all members,
    /// or nil to stream it with zlib instead: when it is bigger, or libdeflate refuses it (a
    /// file cut short, corrupt data), so that zlib reports what it can read and where it stops.
    private static func gunzipWhole(_ file: UnsafeMutablePointer<FILE>) -> [UInt8]? {
        guard fseek(file, 0, SEEK_END) == 0 else { return nil }
        let size = ftell(file)
        rewind(file)
        guard size >= 18, size <= wholeGzipLimit else { return nil }
        var input = [UInt8](repeating: 0, count: size)
        guard fread(&input, 1, size, file) == size else { return nil }
        rewind(file)
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        // The last member's trailer holds its size mod 2^32: a first guess when plausible (a
        // file cut short has no trailer there, just compressed bytes), grown as needed.
        let lastSize = Int(input[size - 4]) | Int(input[size - 3]) << 8 | Int(input[size - 2]) << 16 | Int(input[size - 1]) << 24
        var output = [UInt8].filled(hugePages: lastSize <= size * 64 ? max(lastSize, size) : size * 8, with: 0)
        var consumed = 0
        var produced = 0
        while consumed < size {
            var memberIn = 0
            var memberOut = 0
            let result = input.withUnsafeBytes { input in
                output.withUnsafeMutableBytes { output in
                    libdeflate_gzip_decompress_ex(
                        decompressor, input.baseAddress! + consumed, size - consumed, output.baseAddress! + produced, output.count - produced,
                        &memberIn, &memberOut)
                }
            }
            switch result {
            case LIBDEFLATE_SUCCESS:
                consumed += memberIn
                produced += memberOut
            case LIBDEFLATE_INSUFFICIENT_SPACE:
                guard output.count < Self.wholeGzipOutputLimit else { return nil }
                output.append(contentsOf: repeatElement(0, count: output.count))
            default:
                return nil
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    /// Refills the buffer; false at the end of the data. A compressed stream cut short ends
    /// after the last byte that could be decoded, with `truncated` set; corrupt data is an error.
    private func refill() throws(RoutingDataError) -> Bool {
        if finished { return false }
        if start < end {
            buffer.withUnsafeMutableBytes { bytes in
                _ = memmove(bytes.baseAddress!, bytes.baseAddress! + start, end - start)
            }
        }
        end -= start
        start = 0
        let capacity = buffer.count - end
        var failure: RoutingDataError? = nil
        let produced: Int = buffer.withUnsafeMutableBytes { bytes -> Int in
            let target = bytes.baseAddress! + end
            switch source {
            case .gzip(let gz):
                let count = gzread(gz, target, UInt32(capacity))
                if count <= 0 {
                    var code: Int32 = 0
                    _ = gzerror(gz, &code)
                    if code == Z_BUF_ERROR {
                        truncated = true  // the compressed data ends early
                    } else if count < 0 {
                        failure = RoutingDataError(file: path, offset: offset, reason: "corrupt gzip data")
                    }
                }
                return max(0, Int(count))
            case .bzip2(let decoder):
                let (count, status) = decoder.read(into: target, capacity: capacity)
                switch status {
                case .more: break
                case .end: finished = true
                case .truncated:
                    finished = true
                    truncated = true
                case .corrupt(let code):
                    failure = RoutingDataError(file: path, offset: offset, reason: "corrupt bzip2 data (\(code))")
                }
                return count
            case .plain(let file):
                return fread(target, 1, capacity, file)
            case .memory:
                return 0
            }
        }
        if let failure { throw failure }
        if produced == 0 { finished = true }
        end += produced
        return produced > 0 || start < end
    }

    /// The next byte without consuming it, or nil at the end.
    @inline(__always)
    public func peek() throws(RoutingDataError) -> UInt8? {
        if start == end, try !refill() { return nil }
        return start < end ? buffer[start] : nil
    }

    /// Consumes and returns the next byte, or nil at the end.
    @inline(__always)
    public func next() throws(RoutingDataError) -> UInt8? {
        guard let byte = try peek() else { return nil }
        start += 1
        offset += 1
        return byte
    }

    /// Calls `body` with the next `count` bytes, contiguous, and consumes them. Returns nil,
    /// consuming nothing, when fewer than `count` bytes are left (a truncated file).
    public func take<Result>(_ count: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) throws -> Result? {
        while end - start < count {
            if start == 0 && end == buffer.count {
                buffer.append(contentsOf: [UInt8](repeating: 0, count: max(buffer.count, count)))
            }
            let before = end - start
            guard try refill(), end - start > before else { return nil }
        }
        let result = try buffer.withUnsafeBufferPointer { bytes in
            try body(UnsafeBufferPointer(rebasing: bytes[start..<(start + count)]))
        }
        start += count
        offset += count
        return result
    }

    /// Runs `body` over the buffered bytes, refilling as needed, until it says it is done or the
    /// data ends. `body` returns how many bytes it consumed and whether it is done.
    @inline(__always)
    public func scan(_ body: (UnsafeBufferPointer<UInt8>) -> (consumed: Int, done: Bool)) throws(RoutingDataError) {
        while true {
            if start == end, try !refill() { return }
            let (consumed, done) = buffer.withUnsafeBufferPointer { bytes in
                body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
            }
            start += consumed
            offset += consumed
            if done { return }
        }
    }

    /// Offers the buffered bytes to `body`, which either consumes a prefix of them and returns
    /// a result, or returns nil to consume nothing (the caller then takes a slower path).
    @inline(__always)
    public func attempt<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> (consumed: Int, result: Result)?) throws(RoutingDataError) -> Result? {
        if start == end, try !refill() { return nil }
        let outcome = buffer.withUnsafeBufferPointer { bytes in body(UnsafeBufferPointer(rebasing: bytes[start..<end])) }
        guard let outcome else { return nil }
        start += outcome.consumed
        offset += outcome.consumed
        return outcome.result
    }

    /// Everything left, as bytes: for formats a decoder needs whole (PeeringDB JSON).
    public func readAll() throws -> [UInt8] {
        var bytes: [UInt8] = []
        while try refill() || start < end {
            bytes.append(contentsOf: buffer[start..<end])
            offset += end - start
            start = end
            if finished { break }
        }
        return bytes
    }

    /// True when no byte is left.
    public func atEnd() throws(RoutingDataError) -> Bool {
        try peek() == nil
    }

    /// Calls `body` with each line (without its `\n` or `\r\n`) and its 1-based number.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        var lineNumber = 0
        while true {
            // Find the next newline, reading more (and growing the buffer for a long line) as needed.
            var newline: Int? = nil
            var scanned = start
            while true {
                if let index = buffer[scanned..<end].firstIndex(of: UInt8(ascii: "\n")) {
                    newline = index
                    break
                }
                let pending = end - start
                if start == 0 && end == buffer.count {
                    buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count))
                }
                guard try refill(), end > pending else { break }
                scanned = pending
            }
            if newline == nil && start == end { return }
            // The unterminated last line of a cut-off stream is incomplete: drop it.
            if newline == nil && truncated { return }
            let lineEnd = newline ?? end
            var contentEnd = lineEnd
            if contentEnd > start && buffer[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            lineNumber += 1
            try buffer.withUnsafeBufferPointer { bytes in
                try body(UnsafeBufferPointer(rebasing: bytes[start..<contentEnd]), lineNumber)
            }
            let next = newline.map { $0 + 1 } ?? end
            offset += next - start
            start = next
        }
    }
}

/// A problem in an input file, with where it is.
public struct RoutingDataError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var offset: Int?
    public var reason: String

    public init(file: String, line: Int? = nil, offset: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" } else if let offset { place += " at byte \(offset)" }
        return "\(place): \(reason)"
    }
}

/// Whether a reader skips bad records (counting them) or stops at the first.
public enum BadRecordPolicy: Sendable {
    case skip
    case stop
}

/// How much was read, and what was skipped.
public struct ReadSummary: Sendable {
    public var records = 0
    public var rejected = 0
    /// The input ended inside compressed data: everything before the cut was read.
    public var truncated = false
    /// The first few rejects, for the report.
    public var rejects: [RoutingDataError] = []

    public init() {}

    mutating func reject(_ error: RoutingDataError, policy: BadRecordPolicy) throws(RoutingDataError) {
        if policy == .stop { throw error }
        rejected += 1
        if rejects.count < 20 { rejects.append(error) }
    }
}
