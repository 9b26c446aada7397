import Foundation
import Hummingbird

/// Refuses requests whose address is not in canonical form, or whose text carries NUL, before
/// any route or rule looks at them.
///
/// A path with `//`, `.` or `..` segments, or percent-encoded dots, slashes, backslashes or
/// controls could be read one way by the router and another by a check that compares the
/// path (the CSRF rule for `/api/`); refusing them leaves one reading. NUL can be stored by
/// nothing downstream (PostgreSQL text, C strings), so it is refused as input, not met as a
/// failure later.
struct RequestHygieneMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let reason = Self.nonCanonical(path: request.uri.path) {
            throw Problem(
                type: Problem.typePrefix + "malformed-path", title: "Malformed path", status: .badRequest,
                detail: "The path \(reason); ask for the address in its plain form, such as /api/v1/programs.")
        }
        if let query = request.uri.query {
            // Without a '%' there is nothing to decode, and only a raw NUL could be wrong.
            if !query.utf8.contains(UInt8(ascii: "%")) {
                if InputText.containsNUL(query) { throw Problem.invalidCharacters(field: Self.nulField(request)) }
                return try await next(request, context)
            }
            // An escape that is not UTF-8 (%C0%AF, an overlong '/') or not an escape at all would
            // be read as something else by each reader: refused, as for the path.
            guard let decoded = query.removingPercentEncoding else {
                throw Problem(
                    type: Problem.typePrefix + "malformed-query", title: "Malformed query", status: .badRequest,
                    detail: "The query has a percent-encoding that is not UTF-8; encode each parameter as UTF-8, and '%' itself as %25.")
            }
            if InputText.containsNUL(decoded) { throw Problem.invalidCharacters(field: Self.nulField(request)) }
        }
        return try await next(request, context)
    }

    /// The query parameter holding a NUL, when one does.
    static func nulField(_ request: Request) -> String? {
        request.uri.queryParameters.first { InputText.containsNUL($0.value) }.map { String($0.key) }
    }

    /// Why `path` (as sent, still percent-encoded) is not canonical, or nil when it is.
    static func nonCanonical(path: String) -> String? {
        // Every request passes here: one pass over the bytes settles the plain paths, and only a
        // path with something to explain takes the slower reading below.
        if isPlainlyCanonical(path) { return nil }
        return reason(path: path)
    }

    /// True when `path` starts with '/', has no empty, '.' or '..' segment, and no '%', backslash
    /// or control character: then `reason(path:)` has nothing to say.
    static func isPlainlyCanonical(_ path: String) -> Bool {
        path.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.first == UInt8(ascii: "/") else { return false }
            var segmentStart = 1
            var dots = 0  // the leading dots of the current segment, while it is only dots
            for index in 1...bytes.count {
                let byte = index < bytes.count ? bytes[index] : UInt8(ascii: "/")
                if byte == UInt8(ascii: "/") {
                    let length = index - segmentStart
                    // An empty segment is '//' (a trailing '/' only ends the last segment).
                    if length == 0 && index < bytes.count { return false }
                    if length > 0 && dots == length && length <= 2 { return false }
                    segmentStart = index + 1
                    dots = 0
                    continue
                }
                if byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "%") { return false }
                if byte == UInt8(ascii: "."), dots == index - segmentStart { dots += 1 }
            }
            return true
        } ?? false
    }

    /// The reason `path` is not canonical, read step by step; nil when it is.
    static func reason(path: String) -> String? {
        guard path.hasPrefix("/") else { return "must start with /" }
        if path.contains("//") { return "has an empty segment (//)" }
        for segment in path.split(separator: "/") where segment == "." || segment == ".." {
            return "has a '\(segment)' segment"
        }
        let lowered = path.lowercased()
        for encoded in ["%2e", "%2f", "%5c", "%00"] where lowered.contains(encoded) {
            return "has an encoded '\(encoded)'"
        }
        if path.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) {
            return "has a control character or a backslash"
        }
        if path.removingPercentEncoding == nil { return "has a percent-encoding that is not UTF-8" }
        return nil
    }
}

/// Checks on text from any input.
enum InputText {
    static func containsNUL<S: StringProtocol>(_ text: S) -> Bool { text.utf8.contains(0) }

    /// What a JSON body's shape says before it is decoded: nesting deeper than `maxDepth`
    /// (10,000 levels would exhaust a recursive parser's stack), a key given twice in one object
    /// (which of the two would count is up to the parser, so neither does), or a NUL in a string
    /// (`\u0000`: JSON cannot carry a raw one). Malformed text is left to the parser to refuse.
    static func jsonProblem(_ data: Data, maxDepth: Int = 64) -> Problem? {
        var objects: [Set<[UInt8]>?] = []  // one entry per open container; nil for arrays
        var expectingKey = false
        var sawNUL = false
        return data.withUnsafeBytes { raw -> Problem? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    objects.append(byte == UInt8(ascii: "{") ? [] : nil)
                    if objects.count > maxDepth {
                        return Problem.malformedJSON("The body nests deeper than \(maxDepth) levels.")
                    }
                    expectingKey = byte == UInt8(ascii: "{")
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if !objects.isEmpty { objects.removeLast() }
                    expectingKey = false
                case UInt8(ascii: ","):
                    expectingKey = objects.last.map { $0 != nil } ?? false
                case UInt8(ascii: "\""):
                    let start = index + 1
                    index = start
                    var escaped = false
                    while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                        if bytes[index] == UInt8(ascii: "\\") {
                            escaped = true
                            if index + 5 < bytes.count, bytes[index + 1] == UInt8(ascii: "u"),
                                bytes[(index + 2)...(index + 5)].allSatisfy({ $0 == UInt8(ascii: "0") })
                            {
                                sawNUL = true
                            }
                            index += 1
                        }
                        index += 1
                    }
                    if expectingKey, let last = objects.indices.last, var keys = objects[last] {
                        var key = Array(bytes[start..<min(index, bytes.count)])
                        // Escapes spell one key several ways ("a" and "\u0061"): compare what they mean.
                        if escaped,
                            let decoded = try? JSONDecoder().decode(String.self, from: Data([UInt8(ascii: "\"")] + key + [UInt8(ascii: "\"")]))
                        {
                            key = Array(decoded.utf8)
                        }
                        if !keys.insert(key).inserted {
                            return Problem.malformedJSON(
                                "The body gives the key '\(String(decoding: key.prefix(100), as: UTF8.self))' twice in one object.")
                        }
                        objects[last] = keys
                        expectingKey = false
                    }
                default:
                    break
                }
                index += 1
            }
            return sawNUL ? Problem.invalidCharacters(fields: nulFields(inJSON: data)) : nil
        }
    }
}

extension InputText {
    /// The fields (as `a.b[2]`) whose strings, or keys, hold a NUL; `body` when the NUL is
    /// somewhere the walk cannot name.
    static func nulFields(inJSON data: Data) -> [String] {
        guard let root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return ["body"] }
        var fields: [String] = []
        func walk(_ value: Any, _ path: String) {
            if let text = value as? String, containsNUL(text) {
                fields.append(path.isEmpty ? "body" : path)
            } else if let object = value as? [String: Any] {
                for (key, member) in object.sorted(by: { $0.key < $1.key }) {
                    let field = path.isEmpty ? key : path + "." + key
                    if containsNUL(key) { fields.append(path.isEmpty ? "body" : path) } else { walk(member, field) }
                }
            } else if let array = value as? [Any] {
                for (index, element) in array.enumerated() { walk(element, "\(path)[\(index)]") }
            }
        }
        walk(root, "")
        return fields.isEmpty ? ["body"] : fields
    }
}

extension Problem {
    /// JSON strings with a NUL character in them, by field.
    static func invalidCharacters(fields: [String]) -> Problem {
        .validation(fields.map { .init(field: $0, code: "invalid_characters", message: "\($0) must not contain NUL characters (U+0000).") })
    }

    /// Text with a NUL character in it: by field when known, else a 400 of its own.
    static func invalidCharacters(field: String?) -> Problem {
        guard let field else {
            return Problem(
                type: typePrefix + "invalid-characters", title: "Invalid characters", status: .badRequest,
                detail: "Text must not contain NUL characters (U+0000).")
        }
        return .invalidCharacters(fields: [field])
    }
}
