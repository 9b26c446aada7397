/// Reads VRP sets: rpki-client JSON (numeric `asn`), Routinator JSON and jsonext (`"AS123"`),
/// and Routinator or RIPE validator CSV (`ASN,IP Prefix,Max Length[,Trust Anchor]`), plain,
/// gzip or bzip2. The format is told from the content.
public enum VRPReader {
    public static func read(path: String, policy: BadRecordPolicy = .skip) throws -> (vrps: [VRP], summary: ReadSummary) {
        let stream = try ByteStream(path: path)
        var first: UInt8? = try stream.peek()
        while let byte = first, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
            _ = try stream.next()
            first = try stream.peek()
        }
        if first == UInt8(ascii: "{") {
            return try readJSON(stream, policy: policy)
        }
        return try readCSV(stream, policy: policy)
    }

    /// A VRP from its text fields, or why not.
    static func make(asn: String?, prefix: String?, maxLength: String?) -> ParsedVRP {
        guard let asnText = asn else { return .failure("missing ASN") }
        guard let asn = parseASN(asnText) else { return .failure("ASN '\(asnText)' is not an AS number") }
        guard let prefixText = prefix else { return .failure("missing prefix") }
        let parsed: IPPrefix
        do {
            parsed = try IPPrefix(prefixText)
        } catch {
            return .failure("prefix \(prefixText): \(error)")
        }
        let max: UInt8
        if let maxLength {
            guard let value = UInt8(maxLength), value >= parsed.length, Int(value) <= parsed.family.width else {
                return .failure("maxLength \(maxLength) is not between the prefix length and \(parsed.family.width)")
            }
            max = value
        } else {
            max = parsed.length
        }
        return .success(VRP(prefix: parsed, maxLength: max, asn: asn))
    }

    // MARK: CSV

    static func readCSV(_ stream: ByteStream, policy: BadRecordPolicy) throws -> (vrps: [VRP], summary: ReadSummary) {
        var vrps: [VRP] = []
        var summary = ReadSummary()
        try stream.forEachLine { line, number in
            let text = String(decoding: line, as: UTF8.self)
            if text.isEmpty || text.hasPrefix("#") { return }
            if number == 1 && text.lowercased().hasPrefix("asn,") { return }
            let fields = text.split(separator: ",", omittingEmptySubsequences: false).map { trimmed($0) }
            guard fields.count >= 3 else {
                try summary.reject(RoutingDataError(file: stream.path, line: number, reason: "expected ASN,IP Prefix,Max Length"), policy: policy)
                return
            }
            switch make(asn: fields[0], prefix: fields[1], maxLength: fields[2]) {
            case .success(let vrp):
                vrps.append(vrp)
                summary.records += 1
            case .failure(let reason):
                try summary.reject(RoutingDataError(file: stream.path, line: number, reason: reason), policy: policy)
            }
        }
        return (vrps, summary)
    }

    // MARK: JSON

    /// Streams `{"roas": [{…}, …], …}` without building the document: only the fields of each
    /// ROA object are kept.
    static func readJSON(_ stream: ByteStream, policy: BadRecordPolicy) throws -> (vrps: [VRP], summary: ReadSummary) {
        var scanner = JSONScanner(stream: stream)
        var vrps: [VRP] = []
        // A ROA takes about 100 bytes of JSON: reserving for that spares the copies of a growing
        // array (and the page faults of each new one) without touching what stays unused.
        if let size = stream.expectedSize { vrps = .reserving(hugePages: size / 90) }
        var summary = ReadSummary()
        var sawROAs = false
        try scanner.expect(UInt8(ascii: "{"))
        try scanner.forEachMember { key, scanner in
            guard key == "roas" else {
                try scanner.skipValue()
                return
            }
            sawROAs = true
            var fields = ROAFields()
            try scanner.forEachElement { scanner in
                let objectOffset = stream.offset
                if let vrp = try scanner.readROA(into: &fields) {
                    vrps.append(vrp)
                    summary.records += 1
                } else {
                    // The slow path only for rejects, to say why.
                    let reason: String
                    if case .failure(let why) = make(asn: fields.text(\.asn), prefix: fields.text(\.prefix), maxLength: fields.text(\.maxLength)) {
                        reason = why
                    } else {
                        reason = "unreadable ROA"
                    }
                    try summary.reject(RoutingDataError(file: stream.path, offset: objectOffset, reason: reason), policy: policy)
                }
            }
        }
        guard sawROAs else { throw RoutingDataError(file: stream.path, reason: "no \"roas\" array: not a VRP export") }
        return (vrps, summary)
    }
}

/// The raw bytes of one ROA object's fields, reused from object to object.
struct ROAFields {
    var asn: [UInt8] = []
    var prefix: [UInt8] = []
    var maxLength: [UInt8] = []
    var seen: (asn: Bool, prefix: Bool, maxLength: Bool) = (false, false, false)

    mutating func reset() {
        asn.removeAll(keepingCapacity: true)
        prefix.removeAll(keepingCapacity: true)
        maxLength.removeAll(keepingCapacity: true)
        seen = (false, false, false)
    }

    func text(_ field: KeyPath<ROAFields, [UInt8]>) -> String? {
        let bytes = self[keyPath: field]
        let present = field == \ROAFields.asn ? seen.asn : field == \ROAFields.prefix ? seen.prefix : seen.maxLength
        return present ? String(decoding: bytes, as: UTF8.self) : nil
    }

    /// The VRP, when every field is present and valid (the common case, without allocating).
    func vrp() -> VRP? {
        guard seen.asn, seen.prefix else { return nil }
        return asn.withUnsafeBufferPointer { asn in
            prefix.withUnsafeBufferPointer { prefix in
                maxLength.withUnsafeBufferPointer { maxLength in Self.vrp(asn: asn, prefix: prefix, maxLength: seen.maxLength ? maxLength : nil) }
            }
        }
    }

    /// A VRP from the raw bytes of its fields (maxLength absent: the prefix's length), or nil
    /// when one is not valid.
    @inline(__always)
    static func vrp(asn: UnsafeBufferPointer<UInt8>, prefix: UnsafeBufferPointer<UInt8>, maxLength: UnsafeBufferPointer<UInt8>?) -> VRP? {
        guard let asn = parseASN(asn), let prefix = IPPrefix.parse(prefix, strict: true) else { return nil }
        var max = prefix.length
        if let maxLength {
            guard !maxLength.isEmpty, maxLength.count <= 3, maxLength.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            let value = maxLength.reduce(0) { $0 * 10 + Int($1 - 48) }
            guard value >= Int(prefix.length), value <= prefix.family.width else { return nil }
            max = UInt8(value)
        }
        return VRP(prefix: prefix, maxLength: max, asn: asn)
    }
}

/// A minimal streaming JSON scanner: enough to walk objects and arrays and read scalars.
struct JSONScanner {
    let stream: ByteStream

    func fail(_ reason: String) -> RoutingDataError {
        RoutingDataError(file: stream.path, offset: stream.offset, reason: "invalid JSON: \(reason)")
    }

    mutating func skipWhitespace() throws(RoutingDataError) {
        try stream.scan { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                guard byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 else { return (index, true) }
                index += 1
            }
            return (index, false)
        }
    }

    mutating func expect(_ byte: UInt8) throws(RoutingDataError) {
        try skipWhitespace()
        guard try stream.next() == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
    }

    /// Calls `body` with each member's key; `body` must consume the value.
    mutating func forEachMember(_ body: (String, inout JSONScanner) throws -> Void) throws {
        try skipWhitespace()
        if try stream.peek() == UInt8(ascii: "}") {
            _ = try stream.next()
            return
        }
        if try stream.peek() == UInt8(ascii: "{") { _ = try stream.next() }
        while true {
            try skipWhitespace()
            if try stream.peek() == UInt8(ascii: "}") {
                _ = try stream.next()
                return
            }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try body(key, &self)
            try skipWhitespace()
            switch try stream.next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    /// Calls `body` for each element of the array that starts here; `body` must consume it.
    mutating func forEachElement(_ body: (inout JSONScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        try skipWhitespace()
        if try stream.peek() == UInt8(ascii: "]") {
            _ = try stream.next()
            return
        }
        while true {
            try skipWhitespace()
            guard try stream.peek() == UInt8(ascii: "{") else { throw fail("expected an object") }
            try body(&self)
            try skipWhitespace()
            switch try stream.next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    /// Reads one ROA object: its VRP, or nil with the raw bytes of `asn`, `prefix` and
    /// `maxLength` left in `fields` to say why it is not one.
    mutating func readROA(into fields: inout ROAFields) throws -> VRP? {
        // Nearly every ROA is a flat object without escapes that sits wholly in the buffer:
        // read it in one pass, straight from the buffer. Anything else takes the general path.
        switch try stream.attempt({ Self.flatROA($0, into: &fields) }) {
        case .some(.some(let vrp)): return vrp
        case .some(.none): return nil
        case .none: break
        }
        fields.reset()
        var key: [UInt8] = []
        try expect(UInt8(ascii: "{"))
        try skipWhitespace()
        if try stream.peek() == UInt8(ascii: "}") {
            _ = try stream.next()
            return nil
        }
        while true {
            key.removeAll(keepingCapacity: true)
            try rawString(into: &key)
            try expect(UInt8(ascii: ":"))
            if key.elementsEqual("asn".utf8) {
                try rawScalar(into: &fields.asn)
                fields.seen.asn = true
            } else if key.elementsEqual("prefix".utf8) {
                try rawScalar(into: &fields.prefix)
                fields.seen.prefix = true
            } else if key.elementsEqual("maxLength".utf8) {
                try rawScalar(into: &fields.maxLength)
                fields.seen.maxLength = true
            } else {
                try skipValue()
            }
            try skipWhitespace()
            switch try stream.next() {
            case UInt8(ascii: ","): try skipWhitespace()
            case UInt8(ascii: "}"): return fields.vrp()
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    /// Parses a flat JSON object (no nesting, no escapes) at the start of `bytes` in one pass.
    /// Returns the bytes consumed and the VRP, or nil when the object is not of that simple
    /// shape or not wholly in `bytes`. A flat object that is no valid VRP leaves its fields in
    /// `fields`.
    static func flatROA(_ bytes: UnsafeBufferPointer<UInt8>, into fields: inout ROAFields) -> (consumed: Int, result: VRP?)? {
        let count = bytes.count
        var index = 0
        // Where each field's value is in `bytes`; start -1: absent.
        var asn = (start: -1, end: -1)
        var prefix = (start: -1, end: -1)
        var maxLength = (start: -1, end: -1)
        @inline(__always) func skipSpace() {
            while index < count, bytes[index] == 0x20 || bytes[index] == 0x0a || bytes[index] == 0x0d || bytes[index] == 0x09 { index += 1 }
        }
        guard count > 0, bytes[0] == UInt8(ascii: "{") else { return nil }
        index = 1
        while true {
            skipSpace()
            guard index < count else { return nil }
            if bytes[index] == UInt8(ascii: "}") {
                return (index + 1, flatVRP(bytes, asn: asn, prefix: prefix, maxLength: maxLength, fields: &fields))
            }
            guard bytes[index] == UInt8(ascii: "\"") else { return nil }
            let keyStart = index + 1
            var keyEnd = keyStart
            while keyEnd < count, bytes[keyEnd] != UInt8(ascii: "\""), bytes[keyEnd] != UInt8(ascii: "\\") { keyEnd += 1 }
            guard keyEnd < count, bytes[keyEnd] == UInt8(ascii: "\"") else { return nil }
            index = keyEnd + 1
            skipSpace()
            guard index < count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipSpace()
            guard index < count else { return nil }
            let valueStart: Int
            let valueEnd: Int
            switch bytes[index] {
            case UInt8(ascii: "\""):
                valueStart = index + 1
                var end = valueStart
                while end < count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
                guard end < count, bytes[end] == UInt8(ascii: "\"") else { return nil }
                valueEnd = end
                index = end + 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return nil
            default:
                valueStart = index
                var end = index
                while end < count, bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: "}"), bytes[end] != 0x20, bytes[end] != 0x0a,
                    bytes[end] != 0x0d, bytes[end] != 0x09
                {
                    end += 1
                }
                guard end < count, end > valueStart else { return nil }
                valueEnd = end
                index = end
            }
            // Keys compared byte by byte: a generic `elementsEqual` against a String's UTF-8
            // view cost 5 % of a full-table run.
            switch keyEnd - keyStart {
            case 3 where Self.equals(bytes, keyStart, "asn"): asn = (valueStart, valueEnd)
            case 6 where Self.equals(bytes, keyStart, "prefix"): prefix = (valueStart, valueEnd)
            case 9 where Self.equals(bytes, keyStart, "maxLength"): maxLength = (valueStart, valueEnd)
            default: break
            }
            skipSpace()
            guard index < count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            return (index + 1, flatVRP(bytes, asn: asn, prefix: prefix, maxLength: maxLength, fields: &fields))
        }
    }

    /// The VRP of a flat ROA from where its fields are in `bytes`; when it is none, its fields
    /// go to `fields` for the reject's reason.
    @inline(__always)
    static func flatVRP(
        _ bytes: UnsafeBufferPointer<UInt8>, asn: (start: Int, end: Int), prefix: (start: Int, end: Int), maxLength: (start: Int, end: Int),
        fields: inout ROAFields
    ) -> VRP? {
        func slice(_ range: (start: Int, end: Int)) -> UnsafeBufferPointer<UInt8>? {
            range.start < 0 ? nil : UnsafeBufferPointer(rebasing: bytes[range.start..<range.end])
        }
        if let asnBytes = slice(asn), let prefixBytes = slice(prefix),
            let vrp = ROAFields.vrp(asn: asnBytes, prefix: prefixBytes, maxLength: slice(maxLength))
        {
            return vrp
        }
        fields.reset()
        if let value = slice(asn) {
            fields.asn.append(contentsOf: value)
            fields.seen.asn = true
        }
        if let value = slice(prefix) {
            fields.prefix.append(contentsOf: value)
            fields.seen.prefix = true
        }
        if let value = slice(maxLength) {
            fields.maxLength.append(contentsOf: value)
            fields.seen.maxLength = true
        }
        return nil
    }

    /// Whether `bytes` hold `key` at `start` (the caller checked the length). A `StaticString`
    /// is a pointer into the binary: no global array to initialise and retain per ROA.
    @inline(__always)
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ key: StaticString) -> Bool {
        let text = key.utf8Start
        for offset in 0..<key.utf8CodeUnitCount where bytes[start + offset] != text[offset] { return false }
        return true
    }

    /// A string's raw bytes, appended to `bytes` (escapes kept as the escaped character).
    mutating func rawString(into bytes: inout [UInt8]) throws(RoutingDataError) {
        try skipWhitespace()
        guard try stream.next() == UInt8(ascii: "\"") else { throw fail("expected a string") }
        var closed = false
        try stream.scan { chunk in
            var index = 0
            while index < chunk.count {
                let byte = chunk[index]
                if byte == UInt8(ascii: "\"") {
                    closed = true
                    return (index + 1, true)
                }
                if byte == UInt8(ascii: "\\") {
                    // An escape split across buffers: leave the backslash for the next round.
                    guard index + 1 < chunk.count else { return (index, false) }
                    bytes.append(chunk[index + 1])
                    index += 2
                    continue
                }
                bytes.append(byte)
                index += 1
            }
            return (index, false)
        }
        guard closed else { throw fail("unterminated string") }
    }

    /// A string's or a number's raw bytes, appended to `bytes`.
    mutating func rawScalar(into bytes: inout [UInt8]) throws(RoutingDataError) {
        try skipWhitespace()
        if try stream.peek() == UInt8(ascii: "\"") { return try rawString(into: &bytes) }
        try stream.scan { chunk in
            var index = 0
            while index < chunk.count {
                let byte = chunk[index]
                guard
                    byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                        || byte == UInt8(ascii: "E") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                else { return (index, true) }
                bytes.append(byte)
                index += 1
            }
            return (index, false)
        }
        guard !bytes.isEmpty else { throw fail("expected a string or number") }
    }

    /// A string's contents, as text.
    mutating func string() throws(RoutingDataError) -> String {
        var bytes: [UInt8] = []
        try rawString(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Skips any value, however nested.
    mutating func skipValue() throws(RoutingDataError) {
        try skipWhitespace()
        guard let first = try stream.peek() else { throw fail("unexpected end") }
        switch first {
        case UInt8(ascii: "\""):
            var ignored: [UInt8] = []
            try rawString(into: &ignored)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var inString = false
            while let byte = try stream.next() {
                if inString {
                    if byte == UInt8(ascii: "\\") { _ = try stream.next() } else if byte == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return }
                default: break
                }
            }
            throw fail("unterminated \(first == UInt8(ascii: "{") ? "object" : "array")")
        default:
            try stream.scan { chunk in
                var index = 0
                while index < chunk.count {
                    let byte = chunk[index]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == 0x20 || byte == 0x0a
                        || byte == 0x0d || byte == 0x09
                    {
                        return (index, true)
                    }
                    index += 1
                }
                return (index, false)
            }
        }
    }
}

enum ParsedVRP {
    case success(VRP)
    case failure(String)
}

/// A CSV field without surrounding spaces or double quotes.
func trimmed(_ field: Substring) -> String {
    var field = field
    while let first = field.first, first == " " || first == "\"" { field.removeFirst() }
    while let last = field.last, last == " " || last == "\"" { field.removeLast() }
    return String(field)
}
