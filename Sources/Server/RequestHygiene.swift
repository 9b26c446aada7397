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
        if let query = request.uri.query, InputText.containsNUL(query.removingPercentEncoding ?? query) || query.lowercased().contains("%00") {
            let field = request.uri.queryParameters.first { InputText.containsNUL($0.value) }.map { String($0.key) }
            throw Problem.invalidCharacters(field: field)
        }
        return try await next(request, context)
    }

    /// Why `path` (as sent, still percent-encoded) is not canonical, or nil when it is.
    static func nonCanonical(path: String) -> String? {
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
        return nil
    }
}

/// Checks on text from any input.
enum InputText {
    static func containsNUL<S: StringProtocol>(_ text: S) -> Bool { text.utf8.contains(0) }

    /// Whether a JSON text holds a NUL in a string (`\u0000`): JSON cannot carry a raw NUL in a
    /// string, so the escape is the only way in. Escaped backslashes are skipped, so `\\u0000`
    /// (a backslash, then the letters) is not taken for one.
    static func jsonContainsNUL(_ data: Data) -> Bool {
        let bytes = [UInt8](data)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                if bytes[index + 1] == UInt8(ascii: "u"), index + 5 < bytes.count,
                    bytes[(index + 2)...(index + 5)].allSatisfy({ $0 == UInt8(ascii: "0") })
                {
                    return true
                }
                index += 2
                continue
            }
            index += 1
        }
        return false
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

    /// Text with a NUL character in it.
    static func invalidCharacters(field: String?) -> Problem {
        let detail = "Text must not contain NUL characters (U+0000)."
        guard let field else {
            return Problem(type: typePrefix + "invalid-characters", title: "Invalid characters", status: .badRequest, detail: detail)
        }
        return .validation([.init(field: field, code: "invalid_characters", message: "\(field): \(detail)")])
    }
}
