/// One origin announcement of a prefix. `origin` is nil when the path ends in an AS_SET.
public struct Announcement: Sendable, Hashable {
    public let prefix: IPPrefix
    public let origin: ASN?
    /// The origin as the input wrote it, e.g. `3333` or `{64512,64513}`.
    public let originText: String

    public init(prefix: IPPrefix, origin: ASN?, originText: String? = nil) {
        self.prefix = prefix
        self.origin = origin
        self.originText = originText ?? origin.map(String.init) ?? "{}"
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
                let prefixText = String(decoding: UnsafeBufferPointer(rebasing: line[..<comma]), as: UTF8.self)
                let originText = String(decoding: UnsafeBufferPointer(rebasing: line[(comma + 1)...]), as: UTF8.self)
                if number == 1 && prefixText == "prefix" { return }
                guard let prefix = try? IPPrefix(prefixText, strict: false), let origin = parseASN(originText) else {
                    try summary.reject(RoutingDataError(file: stream.path, line: number, reason: "expected prefix,origin_asn"), policy: policy)
                    return
                }
                summary.records += 1
                try body(Announcement(prefix: prefix, origin: origin))
            } else {
                try summary.reject(RoutingDataError(file: stream.path, line: number, reason: "not a route line"), policy: policy)
            }
        }
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
        let originField = fields[2]
        if originField.contains(",") {
            // An AS set: it matches no VRP.
            let members = originField.split(separator: ",")
            guard members.allSatisfy({ parseASN($0) != nil }) else {
                try summary.reject(RoutingDataError(file: stream.path, line: number, reason: "bad AS set \(originField)"), policy: policy)
                return
            }
            summary.records += 1
            try body(Announcement(prefix: prefix, origin: nil, originText: "{\(originField)}"))
            return
        }
        let origins = originField.split(separator: "_").map { parseASN($0) }
        guard !origins.isEmpty, origins.allSatisfy({ $0 != nil }) else {
            try summary.reject(RoutingDataError(file: stream.path, line: number, reason: "bad origin \(originField)"), policy: policy)
            return
        }
        for origin in origins {
            summary.records += 1
            try body(Announcement(prefix: prefix, origin: origin))
        }
    }
}
