/// One origin announcement of a prefix. `origin` is nil when the path ends in an AS_SET.
public struct Announcement: Sendable, Hashable {
    public let prefix: IPPrefix
    public let origin: ASN?
    /// Given only when the origin is not a plain ASN (an AS set); built lazily otherwise, as most are.
    private let originTextOverride: String?

    /// `originText` is for origins that are not a plain ASN, such as `{64512,64513}`.
    public init(prefix: IPPrefix, origin: ASN?, originText: String? = nil) {
        self.prefix = prefix
        self.origin = origin
        self.originTextOverride = originText
    }

    /// The origin as the input wrote it, e.g. `3333` or `{64512,64513}`.
    public var originText: String { originTextOverride ?? origin.map(String.init) ?? "{}" }

    /// Writes `prefix,origin` at `row` for the common case, an IPv4 prefix with a plain origin
    /// (at most 29 bytes), and returns the bytes written; nil for any other announcement, which
    /// then goes through `IPPrefix.write(to:)` and `writeOrigin(to:)`. One row, no allocation.
    @inline(__always)
    public func writeIPv4Fields(to row: UnsafeMutablePointer<UInt8>) -> Int? {
        guard prefix.family == .v4, originTextOverride == nil, let origin else { return nil }
        let address = UInt32(truncatingIfNeeded: prefix.bits >> 96)
        var count = writeDecimal(address >> 24, to: row)
        row[count] = UInt8(ascii: ".")
        count += 1
        count += writeDecimal(address >> 16 & 0xff, to: row + count)
        row[count] = UInt8(ascii: ".")
        count += 1
        count += writeDecimal(address >> 8 & 0xff, to: row + count)
        row[count] = UInt8(ascii: ".")
        count += 1
        count += writeDecimal(address & 0xff, to: row + count)
        row[count] = UInt8(ascii: "/")
        count += 1
        count += writeDecimal(UInt32(prefix.length), to: row + count)
        row[count] = UInt8(ascii: ",")
        count += 1
        return count + writeDecimal(origin, to: row + count)
    }

    /// Appends `originText` to `output`, quoted when it holds a comma.
    public func writeOrigin(to output: inout [UInt8]) {
        if originTextOverride == nil, let origin {
            appendDecimal(UInt64(origin), to: &output)
        } else if originText.contains(",") {
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: originText.utf8)
            output.append(UInt8(ascii: "\""))
        } else {
            output.append(contentsOf: originText.utf8)
        }
    }
}

/// Reads announcements from any route format, told from the content: MRT (RIB entries and
/// announced prefixes; withdrawals are not announcements), or the text forms below.
public enum Routes {
    public static func read(
        path: String,
        policy: BadRecordPolicy = .skip,
        _ body: (Announcement) throws -> Void
    ) throws -> ReadSummary {
        try readWithPaths(path: path, policy: policy) { announcement, _ in try body(announcement) }
    }

    /// Like `read`, and also gives each announcement's AS path when the format has one (MRT).
    /// `records` counts the announcements delivered; MRT withdrawals are not among them.
    public static func readWithPaths(
        path: String,
        policy: BadRecordPolicy = .skip,
        _ body: (Announcement, ASPath?) throws -> Void
    ) throws -> ReadSummary {
        guard try isMRT(path: path) else {
            return try RouteReader.read(path: path, policy: policy) { try body($0, nil) }
        }
        var delivered = 0
        let mrt = try MRTReader.read(path: path, policy: policy) { route in
            guard route.kind != .withdrawal, let asPath = route.path else { return }
            delivered += 1
            let announcement = Announcement(
                prefix: route.prefix, origin: asPath.origin, originText: asPath.origin == nil ? asPath.originText : nil)
            try body(announcement, asPath)
        }
        var summary = ReadSummary()
        summary.records = delivered
        summary.rejected = mrt.rejected
        summary.rejects = mrt.rejects
        summary.truncated = mrt.truncated
        return summary
    }

    /// MRT starts with a 12-byte header whose type (bytes 4-5) is a known MRT type; text formats
    /// start with a printable line.
    public static func isMRT(path: String) throws -> Bool {
        // Only the header is needed: no whole-file decompression for it.
        let stream = try ByteStream(path: path, chunkSize: 1 << 16, whole: false)
        let header: [UInt8]? = try stream.take(12) { Array($0) }
        guard let header else { return false }
        let type = UInt16(header[4]) << 8 | UInt16(header[5])
        return [11, 12, 13, 16, 17, 32, 33, 48, 49].contains(type) && header[0..<12].contains { $0 < 0x09 }
    }
}

/// Reads announcement lists: `prefix,origin_asn` CSV (header optional) and CAIDA prefix-to-AS
/// text (`prefix<TAB>length<TAB>asn`, multi-origin `a_b` as one row per origin, AS set `a,b`).
/// The format is told from each line; plain, gzip or bzip2. MRT comes in its own reader.
public enum RouteReader {
    public static func read(
        path: String,
        policy: BadRecordPolicy = .skip,
        _ body: (Announcement) throws -> Void
    ) throws -> ReadSummary {
        let stream = try ByteStream(path: path)
        var summary = ReadSummary()
        try stream.forEachLine { line, number in
            guard !line.isEmpty, line[0] != UInt8(ascii: "#") else { return }
            if let tab = line.firstIndex(of: UInt8(ascii: "\t")) {
                try readPrefixToAS(line, firstTab: tab, number: number, stream: stream, summary: &summary, policy: policy, body)
            } else if let comma = line.firstIndex(of: UInt8(ascii: ",")) {
                let prefixBytes = UnsafeBufferPointer(rebasing: line[..<comma])
                if number == 1 && prefixBytes.elementsEqual("prefix".utf8) { return }
                guard let prefix = IPPrefix.parse(prefixBytes, strict: false),
                    let origin = parseASN(UnsafeBufferPointer(rebasing: line[(comma + 1)...]))
                else {
                    try summary.reject(RoutingDataError(file: stream.path, line: number, reason: "expected prefix,origin_asn"), policy: policy)
                    return
                }
                summary.records += 1
                try body(Announcement(prefix: prefix, origin: origin))
            } else {
                try summary.reject(RoutingDataError(file: stream.path, line: number, reason: "not a route line"), policy: policy)
            }
        }
        summary.truncated = stream.truncated
        return summary
    }

    private static func readPrefixToAS(
        _ line: UnsafeBufferPointer<UInt8>,
        firstTab: Int,
        number: Int,
        stream: ByteStream,
        summary: inout ReadSummary,
        policy: BadRecordPolicy,
        _ body: (Announcement) throws -> Void
    ) throws {
        let fields = String(decoding: line, as: UTF8.self).split(separator: "\t")
        guard fields.count == 3, let prefix = try? IPPrefix("\(fields[0])/\(fields[1])", strict: false) else {
            try summary.reject(RoutingDataError(file: stream.path, line: number, reason: "expected prefix<TAB>length<TAB>asn"), policy: policy)
            return
        }
        // Origins separated by "_" (multi-origin); each is an ASN or an AS set "a,b".
        var announcements: [Announcement] = []
        for origin in fields[2].split(separator: "_") {
            if origin.contains(",") {
                guard origin.split(separator: ",").allSatisfy({ parseASN($0) != nil }) else { break }
                announcements.append(Announcement(prefix: prefix, origin: nil, originText: "{\(origin)}"))
            } else if let asn = parseASN(origin) {
                announcements.append(Announcement(prefix: prefix, origin: asn))
            } else {
                break
            }
        }
        guard !announcements.isEmpty, announcements.count == fields[2].split(separator: "_").count else {
            try summary.reject(RoutingDataError(file: stream.path, line: number, reason: "bad origin \(fields[2])"), policy: policy)
            return
        }
        for announcement in announcements {
            summary.records += 1
            try body(announcement)
        }
    }
}

/// Writes `value` in decimal at `output`, zero-padded to `minimumDigits`, and returns the bytes
/// written (at most 20, or `minimumDigits`): the one decimal writer of the byte outputs
/// (`validate`'s rows, `measure`'s `MetricsCSV`).
@inline(__always)
func writeDecimal<Value: FixedWidthInteger & UnsignedInteger>(
    _ value: Value, to output: UnsafeMutablePointer<UInt8>, minimumDigits: Int = 1
) -> Int {
    var digits = 1
    var scale: Value = 10
    while value >= scale {
        digits += 1
        let (next, overflow) = scale.multipliedReportingOverflow(by: 10)
        if overflow { break }
        scale = next
    }
    digits = max(digits, minimumDigits)
    var remaining = value
    for position in stride(from: digits - 1, through: 0, by: -1) {
        output[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remaining % 10)
        remaining /= 10
    }
    return digits
}
