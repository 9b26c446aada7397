import Foundation
import Hummingbird

extension Request {
    /// Reads the body as JSON into `type`, within the context's body limit.
    ///
    /// Refusals are problems a client can act on: 415 when the content type is not JSON, 413
    /// over the limit, 400 for malformed JSON or invalid UTF-8, 422 naming the field for a
    /// missing or mistyped one.
    public func decodeJSON<Value: Decodable>(as type: Value.Type, context: AppRequestContext) async throws -> Value {
        try await decodeJSONWithData(as: type, context: context).value
    }

    /// `decodeJSON`, also returning the body's bytes.
    func decodeJSONWithData<Value: Decodable>(as type: Value.Type, context: AppRequestContext) async throws -> (value: Value, data: Data) {
        // A JSON body must say so: a browser form (urlencoded, multipart or text/plain) can be
        // sent cross-site without a preflight, JSON cannot.
        guard let contentType = headers[.contentType], Self.isJSON(contentType) else {
            throw Problem.unsupportedMediaType("Send the body as application/json, with that Content-Type.")
        }
        let buffer = try await body.collect(upTo: context.bodyLimit)
        let data = Data(buffer: buffer)
        guard String(validating: data, as: UTF8.self) != nil else {
            throw Problem.malformedJSON("The body is not valid UTF-8.")
        }
        return (try Self.decodeJSON(Value.self, from: data), data)
    }

    /// JSON text (already read, valid UTF-8) as `Value`, with the refusals of `decodeJSON`:
    /// for a request's body, and for a JSON document typed into a page's form.
    static func decodeJSON<Value: Decodable>(_ type: Value.Type, from data: Data) throws(Problem) -> Value {
        if let problem = InputText.jsonProblem(data) { throw problem }
        do {
            return try JSONDecoder.api.decode(Value.self, from: data)
        } catch let error as DecodingError {
            throw Self.problem(for: error)
        } catch {
            throw Problem.malformedJSON("The body could not be read.")
        }
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return mediaType == "application/json" || mediaType.hasSuffix("+json")
    }

    static func problem(for error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
                .trimmingPrefix(".").description
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .malformedJSON("The body is not valid JSON.")
        case .dataCorrupted(let context):
            return .validation([.init(field: path(context.codingPath), code: "invalid", message: context.debugDescription)])
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .validation([.init(field: field, code: "required", message: "\(field) is required.")])
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            let field = path(context.codingPath)
            return .validation([.init(field: field, code: "wrong_type", message: "\(field) must be \(Self.describe(expected)).")])
        @unknown default:
            return .malformedJSON("The body could not be read.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "of type \(type)"
        }
    }
}

extension JSONDecoder {
    /// The API's decoder: ISO 8601 dates, keys as the types spell them (snake_case via CodingKeys).
    static var api: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
