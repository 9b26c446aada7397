import Crypto
import Domain
import Foundation
import Hummingbird
import Routing
import Store

/// A JSON request body and its bytes (for the idempotency fingerprint).
struct JSONInput<Value> {
    let value: Value
    let data: Data
}

extension Request {
    /// Reads the body as `Value`, refusing fields the type does not know (422 `unknown_field`).
    func strictJSON<Value: Codable>(as type: Value.Type, context: AppRequestContext) async throws -> JSONInput<Value> {
        let (value, data) = try await decodeJSONWithData(as: type, context: context)
        try UnknownFields.refuse(input: data, decoded: value)
        return JSONInput(value: value, data: data)
    }

    /// A query parameter as text, nil when absent or empty.
    func query(_ name: String) -> String? {
        guard let value = uri.queryParameters[name[...]], !value.isEmpty else { return nil }
        return String(value)
    }

    /// `limit` and `cursor` of a listing: limit 1…200, default 50.
    func pagination() throws(Problem) -> (limit: Int, cursor: String?) {
        var limit = 50
        if let text = query("limit") {
            guard let value = Int(text), (1...200).contains(value) else {
                throw Problem.invalid("limit", "out_of_range", "limit is a whole number from 1 to 200.")
            }
            limit = value
        }
        return (limit, query("cursor"))
    }

    /// `limit` of a listing that is not paged (1…200, default 50): it has no next page, so a
    /// `cursor` is not one this server returned (422).
    func limit() throws(Problem) -> Int {
        let (limit, cursor) = try pagination()
        if cursor != nil {
            throw Problem.invalid("cursor", "invalid_cursor", "This listing is not paged: it returns up to limit items, with no cursor.")
        }
        return limit
    }

    /// The SHA-256 of the method, path and body: what "the same request" means for idempotency.
    func fingerprint(body: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data("\(method.rawValue) \(uri.path)\n".utf8))
        hasher.update(data: body)
        return Data(hasher.finalize())
    }
}

extension Parameters {
    /// A path parameter that must be a UUID; anything else is a 404 (there is nothing there).
    func uuid(_ name: String) throws(Problem) -> UUID {
        guard let text = get(name), let id = UUID(uuidString: text) else {
            throw Problem.notFound("There is nothing at this address: '\(name)' must be an id.")
        }
        return id
    }
}

/// Finds fields in a JSON body that decoding silently ignored, by comparing the input with the
/// decoded value encoded again: a key present in the input (with a non-null value) but absent
/// from the re-encoding was not read by anyone.
enum UnknownFields {
    /// Refuses (422 `unknown_field`, one per field) what `find` finds.
    static func refuse(input: Data, decoded: some Encodable) throws(Problem) {
        let unknown: [String]
        do {
            unknown = try find(input: input, decoded: decoded)
        } catch {
            // JSONSerialization refuses what the decoder skipped unread, such as 1e999999 in an unknown field.
            throw Problem.malformedJSON("The body holds a value that cannot be read, such as a number out of range.")
        }
        if !unknown.isEmpty {
            throw Problem.validation(unknown.map { .init(field: $0, code: "unknown_field", message: "\($0) is not a field of this request.") })
        }
    }

    static func find(input: Data, decoded: some Encodable) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let original = try JSONSerialization.jsonObject(with: input, options: [.fragmentsAllowed])
        let reencoded = try JSONSerialization.jsonObject(with: encoder.encode(decoded), options: [.fragmentsAllowed])
        var unknown: [String] = []
        walk(original, reencoded, path: "", into: &unknown)
        return unknown
    }

    private static func walk(_ input: Any, _ known: Any, path: String, into unknown: inout [String]) {
        if let object = input as? [String: Any] {
            let knownObject = known as? [String: Any] ?? [:]
            for key in object.keys.sorted() {
                let field = path.isEmpty ? key : path + "." + key
                guard let knownValue = knownObject[key] else {
                    if !(object[key] is NSNull) { unknown.append(field) }
                    continue
                }
                walk(object[key]!, knownValue, path: field, into: &unknown)
            }
        } else if let array = input as? [Any], let knownArray = known as? [Any], array.count == knownArray.count {
            for (index, element) in array.enumerated() {
                walk(element, knownArray[index], path: "\(path)[\(index)]", into: &unknown)
            }
        }
    }
}

/// Collects every invalid field of a request, so a client fixes them in one round. The rules
/// themselves are `Domain.InputRules`, applied by the operations; this gathers what the HTTP
/// edge reads (query parameters, form parts) before an operation runs.
struct FieldChecks {
    private(set) var errors: [Problem.FieldError] = []

    mutating func fail(_ field: String, _ code: String, _ message: String) {
        errors.append(.init(field: field, code: code, message: message))
    }

    /// The refusals of a Domain rule (`InputRules`).
    mutating func add(_ refusals: [FieldRefusal]) {
        errors += refusals.map { .init(field: $0.field, code: $0.refusal.code, message: $0.refusal.message) }
    }

    /// Throws the collected errors as one 422.
    func check() throws(Problem) {
        if !errors.isEmpty { throw Problem.validation(errors) }
    }
}
