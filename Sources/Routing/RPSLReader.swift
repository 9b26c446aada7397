/// A `route:` or `route6:` object from an IRR.
public struct IRRRoute: Sendable, Hashable {
    public let prefix: IPPrefix
    public let origin: ASN
    public let maintainers: [String]
    public let source: String?

    public init(prefix: IPPrefix, origin: ASN, maintainers: [String], source: String?) {
        self.prefix = prefix
        self.origin = origin
        self.maintainers = maintainers
        self.source = source
    }
}

/// Reads RPSL dumps for `route:` and `route6:` objects: objects separated by blank lines,
/// continuation lines starting with a space, a tab or `+`, `#` comment lines and end-of-line
/// comments, CRLF, and a last object without a trailing blank line. Other object classes are
/// passed over; a route object without a valid prefix or origin is a reject.
public enum RPSLReader {
    public static func read(path: String, policy: BadRecordPolicy = .skip, _ body: (IRRRoute) throws -> Void) throws -> ReadSummary {
        var summary = ReadSummary()
        var attributes: [(key: String, value: String)] = []
        var objectLine = 0
        let stream = try ByteStream(path: path)

        func finishObject() throws {
            defer { attributes.removeAll(keepingCapacity: true) }
            guard let first = attributes.first, first.key == "route" || first.key == "route6" else { return }
            func reject(_ reason: String) throws {
                try summary.reject(RoutingDataError(file: path, line: objectLine, reason: reason), policy: policy)
            }
            guard let prefix = try? IPPrefix(first.value) else { return try reject("\(first.key) \(first.value) is not a prefix") }
            guard (first.key == "route") == (prefix.family == .v4) else {
                return try reject("\(first.key) holds an IPv\(prefix.family.rawValue) prefix")
            }
            let origins = attributes.filter { $0.key == "origin" }
            guard origins.count == 1, let origin = parseASN(origins[0].value) else {
                return try reject("\(first.key) \(first.value) has \(origins.isEmpty ? "no" : "a bad or repeated") origin")
            }
            let maintainers = attributes.filter { $0.key == "mnt-by" }.flatMap { $0.value.split(separator: ",").map { trimmed($0) } }
            let source = attributes.first { $0.key == "source" }?.value
            summary.records += 1
            try body(IRRRoute(prefix: prefix, origin: origin, maintainers: maintainers, source: source))
        }

        try stream.forEachLine { line, number in
            let text = String(decoding: line, as: UTF8.self)
            if text.allSatisfy({ $0 == " " || $0 == "\t" }) {
                try finishObject()
                return
            }
            if text.hasPrefix("#") || text.hasPrefix("%") { return }
            let value = Self.stripComment(text)
            if let first = text.first, first == " " || first == "\t" || first == "+" {
                // A continuation of the previous attribute's value.
                guard !attributes.isEmpty else { return }
                let more = trimmed(Substring(String(value.dropFirst())))
                if !more.isEmpty { attributes[attributes.count - 1].value += " " + more }
                return
            }
            guard let colon = value.firstIndex(of: ":") else { return }
            if attributes.isEmpty { objectLine = number }
            attributes.append((value[..<colon].lowercased(), trimmed(value[value.index(after: colon)...])))
        }
        try finishObject()
        summary.truncated = stream.truncated
        return summary
    }

    static func stripComment(_ line: String) -> Substring {
        guard let hash = line.firstIndex(of: "#") else { return Substring(line) }
        return line[..<hash]
    }
}
