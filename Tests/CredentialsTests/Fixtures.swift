import Canonical
import Foundation

/// The official vectors copied into Tests/Fixtures/vectors (SOURCE.md there names each source).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
        "Fixtures/vectors")

    static func data(_ path: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(path)) }

    static func text(_ path: String) throws -> String { String(decoding: try data(path), as: UTF8.self) }

    static func json(_ path: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: try data(path)) }

    static func object(_ path: String) throws -> [String: JSONValue] {
        guard case .object(let fields) = try json(path) else { throw FixtureError.notAnObject(path) }
        return fields
    }

    enum FixtureError: Error { case notAnObject(String) }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    var objectValue: [String: JSONValue] {
        if case .object(let fields) = self { return fields }
        return [:]
    }
}

/// The repository's root, for the scripts the tests run.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
