import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// An RFC 9457 problem: the only shape an error takes on the wire.
///
/// `type` is a stable identifier clients branch on (documented in docs/api.md); `detail` is
/// for people; `instance` is the request id, also in the log lines of that request.
public struct Problem: Error, Sendable, Encodable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var instance: String?
    /// For validation problems: each offending field with a machine-readable code.
    public var errors: [FieldError]?
    /// Extra response headers, such as `Allow` on 405.
    public var headers: [String: String] = [:]

    public struct FieldError: Sendable, Codable, Equatable {
        /// JSON pointer or dotted path to the field, e.g. `resources[2].prefix`.
        public var field: String
        /// Stable code, e.g. `required`, `invalid_prefix`, `too_long`.
        public var code: String
        public var message: String

        public init(field: String, code: String, message: String) {
            self.field = field
            self.code = code
            self.message = message
        }
    }

    public init(type: String, title: String, status: HTTPResponse.Status, detail: String, errors: [FieldError]? = nil) {
        self.type = type
        self.title = title
        self.status = status.code
        self.detail = detail
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance, errors
    }

    static let typePrefix = "/problems/"

    public static func notFound(_ detail: String = "There is nothing at this address.") -> Problem {
        Problem(type: typePrefix + "not-found", title: "Not found", status: .notFound, detail: detail)
    }

    public static func methodNotAllowed(method: String, allowed: [String]) -> Problem {
        var problem = Problem(
            type: typePrefix + "method-not-allowed",
            title: "Method not allowed",
            status: .methodNotAllowed,
            detail: "\(method) is not supported here; use \(allowed.joined(separator: ", "))."
        )
        problem.headers["Allow"] = allowed.joined(separator: ", ")
        return problem
    }

    public static func bodyTooLarge(limit: Int) -> Problem {
        Problem(
            type: typePrefix + "body-too-large",
            title: "Request body too large",
            status: .contentTooLarge,
            detail: "The request body is larger than the limit of \(limit) bytes."
        )
    }

    public static func malformedJSON(_ detail: String) -> Problem {
        Problem(type: typePrefix + "malformed-json", title: "Malformed JSON", status: .badRequest, detail: detail)
    }

    public static func malformedBody(_ detail: String) -> Problem {
        Problem(type: typePrefix + "malformed-body", title: "Malformed body", status: .badRequest, detail: detail)
    }

    /// A 422 naming each refused field, as the domain's rules refused it.
    public static func validation(_ refusals: [FieldRefusal]) -> Problem {
        .validation(refusals.map { FieldError(field: $0.field, code: $0.refusal.code, message: $0.refusal.message) })
    }

    public static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            type: typePrefix + "validation",
            title: "Invalid request",
            status: .unprocessableContent,
            detail: errors.count == 1 ? errors[0].message : "\(errors.count) fields are invalid.",
            errors: errors
        )
    }

    public static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(type: typePrefix + "unsupported-media-type", title: "Unsupported media type", status: .unsupportedMediaType, detail: detail)
    }

    public static func serviceUnavailable(_ detail: String) -> Problem {
        Problem(type: typePrefix + "unavailable", title: "Service unavailable", status: .serviceUnavailable, detail: detail)
    }

    public static let internalError = Problem(
        type: typePrefix + "internal",
        title: "Internal server error",
        status: .internalServerError,
        detail: "Something went wrong on our side. Quote the instance id when you report it."
    )

    /// A problem for an HTTP status raised by the framework (e.g. a bad URI).
    public static func http(_ status: HTTPResponse.Status, detail: String?) -> Problem {
        let slug = status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "-")
        return Problem(
            type: typePrefix + slug,
            title: status.reasonPhrase,
            status: status,
            detail: detail ?? "The request failed with status \(status.code)."
        )
    }

    /// The problem as an `application/problem+json` response.
    public func response(instance: String) -> Response {
        var problem = self
        problem.instance = instance
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(problem)) ?? Data(#"{"status":500,"title":"Internal server error"}"#.utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/problem+json"
        fields[.contentLength] = String(body.count)
        for (name, value) in headers {
            if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
        }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

// MARK: Registry problems

extension Problem {
    public static func unauthenticated(_ detail: String = "Sign in, or send an API token as 'Authorization: Bearer mp_…'.") -> Problem {
        var problem = Problem(type: typePrefix + "unauthenticated", title: "Authentication required", status: .unauthorized, detail: detail)
        problem.headers["WWW-Authenticate"] = #"Bearer realm="manrs-plus""#
        return problem
    }

    public static func forbidden(_ detail: String) -> Problem {
        Problem(type: typePrefix + "forbidden", title: "Forbidden", status: .forbidden, detail: detail)
    }

    public static func conflict(_ slug: String, detail: String) -> Problem {
        Problem(type: typePrefix + slug, title: "Conflict", status: .conflict, detail: detail)
    }

    public static func staleVersion(current: Int) -> Problem {
        var problem = Problem(
            type: typePrefix + "stale-version",
            title: "Precondition failed",
            status: .preconditionFailed,
            detail: "The resource changed since you read it (it is now version \(current)); read it again and reapply your change."
        )
        problem.headers["ETag"] = ETag.value(current)
        return problem
    }

    public static let versionRequired = Problem(
        type: typePrefix + "version-required",
        title: "Precondition required",
        status: .preconditionRequired,
        detail: "Send If-Match with the ETag you read, so a concurrent change is not overwritten."
    )

    public static let idempotencyKeyReused = Problem(
        type: typePrefix + "idempotency-key-reused",
        title: "Idempotency key reused",
        status: .unprocessableContent,
        detail: "This Idempotency-Key was used for a different request; use a new key for a new request."
    )

    public static func rateLimited(retryAfter: Int, detail: String? = nil) -> Problem {
        var problem = Problem(
            type: typePrefix + "rate-limited",
            title: "Too many requests",
            status: .tooManyRequests,
            detail: detail ?? "Too many failed sign-ins; try again in \(describeWait(retryAfter))."
        )
        problem.headers["Retry-After"] = String(retryAfter)
        return problem
    }

    /// One invalid field.
    /// "45 seconds", "3 minutes": how long someone really waits.
    static func describeWait(_ seconds: Int) -> String {
        if seconds < 90 { return seconds == 1 ? "1 second" : "\(seconds) seconds" }
        return "\((seconds + 59) / 60) minutes"
    }

    public static func invalid(_ field: String, _ code: String, _ message: String) -> Problem {
        .validation([FieldError(field: field, code: code, message: message)])
    }

    /// The problem for a store's refusal.
    static func from(_ error: StoreError) -> Problem {
        switch error {
        case .notFound(let detail): .notFound(detail)
        case .staleVersion(let current): .staleVersion(current: current)
        case .conflict(let slug, let detail): .conflict(slug, detail: detail)
        case .invalid(let fields): .validation(fields)
        case .refused(let slug, let detail): Problem(type: typePrefix + slug, title: "Forbidden", status: .forbidden, detail: detail)
        case .unreadable: .internalError
        }
    }
}
