import Canonical
import Foundation
import Store
import TestSupport
import Testing

/// The OpenAPI document as a contract: finds the operation for a concrete request and checks a
/// response body against the schema documented for its status. A small JSON Schema subset is
/// enough because the document only uses it: $ref, type (with null), properties, required,
/// additionalProperties, items, enum, oneOf, minimum, maximum, minItems, maxItems, maxLength,
/// pattern, and the uuid and date-time formats.
struct OpenAPIContract: Sendable {
    let document: JSONValue

    static let shared: OpenAPIContract = {
        let data = FileManager.default.contents(atPath: TestDatabase.repositoryRoot + "/docs/openapi.json")!
        return OpenAPIContract(document: try! JSONDecoder().decode(JSONValue.self, from: data))
    }()

    var paths: [String: JSONValue] { document["paths"]?.objectValue ?? [:] }

    /// Every `METHOD /path/{template}` the document describes.
    var operations: Set<String> {
        var result: Set<String> = []
        for (path, item) in paths {
            for method in item.objectValue?.keys ?? [:].keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                result.insert("\(method.uppercased()) \(path)")
            }
        }
        return result
    }

    /// The template path matching a concrete one: `/api/v1/participants/abc` → `/api/v1/participants/{participant}`.
    func template(for path: String) -> String? {
        let segments = path.split(separator: "?", omittingEmptySubsequences: false)[0].split(separator: "/", omittingEmptySubsequences: false)
        let candidates = paths.keys.filter { template in
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == segments.count && zip(parts, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        // A literal segment beats a parameter: /users/me over /users/{user}.
        return candidates.min { a, b in a.filter { $0 == "{" }.count < b.filter { $0 == "{" }.count }
    }

    /// Problems with a response: an undocumented status, or a body that does not match its schema.
    func check(method: String, path: String, status: Int, contentType: String?, body: Data) -> [String] {
        guard let template = template(for: path) else { return ["\(path) is not in the document"] }
        guard let operation = paths[template]?[method.lowercased()] else { return ["\(method) \(template) is not in the document"] }
        guard var response = operation["responses"]?[String(status)] else {
            return ["\(method) \(template) answered \(status), which the document does not list"]
        }
        if let reference = response["$ref"]?.stringValue { response = resolve(reference) }
        guard let content = response["content"]?.objectValue else {
            return body.isEmpty ? [] : ["\(method) \(template) \(status) has a body the document does not describe"]
        }
        let mediaType = contentType?.split(separator: ";").first.map(String.init) ?? ""
        guard let media = content[mediaType] ?? content["*/*"] else {
            return ["\(method) \(template) \(status) is '\(mediaType)', documented as \(content.keys.sorted())"]
        }
        guard mediaType.hasSuffix("json"), let schema = media["schema"] else { return [] }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            return ["\(method) \(template) \(status): the body is not JSON"]
        }
        return validate(value, against: schema, at: "\(method) \(template) \(status) $")
    }

    func resolve(_ reference: String) -> JSONValue {
        var node = document
        for part in reference.dropFirst(2).split(separator: "/") { node = node[String(part)] ?? .null }
        return node
    }

    func validate(_ value: JSONValue, against schemaNode: JSONValue, at path: String) -> [String] {
        var schema = schemaNode
        if let reference = schema["$ref"]?.stringValue { schema = resolve(reference) }
        if case .array(let options) = schema["oneOf"] {
            let matching = options.filter { validate(value, against: $0, at: path).isEmpty }.count
            return matching == 1 ? [] : ["\(path): matches \(matching) of the oneOf schemas"]
        }
        var errors: [String] = []
        if let types = schema["type"] {
            let allowed: [String] = types.stringValue.map { [$0] } ?? (types.arrayValue ?? []).compactMap(\.stringValue)
            guard allowed.contains(where: { Self.matches(value, type: $0) }) else {
                return ["\(path): \(Self.describe(value)) is not \(allowed.joined(separator: " or "))"]
            }
        }
        if case .array(let options) = schema["enum"], !options.contains(value) {
            errors.append("\(path): \(Self.describe(value)) is not one of the documented values")
        }
        switch value {
        case .string(let text):
            if case .number(let maxLength) = schema["maxLength"], Double(text.count) > maxLength {
                errors.append("\(path): longer than \(maxLength)")
            }
            if let pattern = schema["pattern"]?.stringValue, text.range(of: pattern, options: .regularExpression) == nil {
                errors.append("\(path): '\(text)' does not match \(pattern)")
            }
            switch schema["format"]?.stringValue {
            case "uuid" where UUID(uuidString: text) == nil: errors.append("\(path): '\(text)' is not a UUID")
            case "date-time" where ISO8601DateFormatter().date(from: text) == nil: errors.append("\(path): '\(text)' is not a date-time")
            default: break
            }
        case .number(let number):
            if case .number(let minimum) = schema["minimum"], number < minimum { errors.append("\(path): \(number) is below \(minimum)") }
            if case .number(let maximum) = schema["maximum"], number > maximum { errors.append("\(path): \(number) is above \(maximum)") }
        case .object(let object):
            let properties = schema["properties"]?.objectValue ?? [:]
            for name in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) where object[name] == nil {
                errors.append("\(path).\(name): required but missing")
            }
            for (name, item) in object {
                if let property = properties[name] {
                    errors += validate(item, against: property, at: "\(path).\(name)")
                } else if schema["additionalProperties"] == .bool(false) {
                    errors.append("\(path).\(name): not in the schema")
                }
            }
        case .array(let array):
            if case .number(let minItems) = schema["minItems"], Double(array.count) < minItems {
                errors.append("\(path): fewer than \(minItems) items")
            }
            if case .number(let maxItems) = schema["maxItems"], Double(array.count) > maxItems {
                errors.append("\(path): more than \(maxItems) items")
            }
            if let items = schema["items"] {
                for (index, item) in array.enumerated() { errors += validate(item, against: items, at: "\(path)[\(index)]") }
            }
        case .bool, .null:
            break
        }
        return errors
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number): true
        case ("integer", .number(let number)): number == number.rounded()
        default: false
        }
    }

    static func describe(_ value: JSONValue) -> String {
        let text = (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? "?"
        return text.count > 60 ? String(text.prefix(60)) + "…" : text
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { object[key] } else { nil }
    }

    var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { object } else { nil }
    }

    var arrayValue: [JSONValue]? {
        if case .array(let array) = self { array } else { nil }
    }

    var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }
}
