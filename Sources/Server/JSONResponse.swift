import Foundation
import Hummingbird

/// A JSON body with `snake_case` keys from the type's CodingKeys, optionally with an ETag (and
/// then 304 for a matching `If-None-Match`) and a Location. Encoded once: a cached response
/// (`ResponseCache`) is sent again without encoding or copying.
struct JSONResponse: ResponseGenerator, Sendable {
    let body: ByteBuffer
    let status: HTTPResponse.Status
    var etag: String?
    var location: String?

    init(_ value: some Encodable, status: HTTPResponse.Status = .ok, version: Int? = nil, location: String? = nil) throws {
        self.body = ByteBuffer(bytes: try JSONEncoder.api.encode(value))
        self.status = status
        self.etag = version.map(ETag.value)
        self.location = location
    }

    init(data: Data, status: HTTPResponse.Status, location: String?) {
        self.body = ByteBuffer(bytes: data)
        self.status = status
        self.location = location
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = HTTPFields()
        if let etag {
            fields[.eTag] = etag
            if status == .ok, request.method == .get || request.method == .head, let wanted = request.headers[.ifNoneMatch],
                wanted.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
            {
                return Response(status: .notModified, headers: fields)
            }
        }
        if let location { fields[.location] = location }
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.readableBytes)
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }
}

/// `{"items": [...]}`: lists that are short by nature (programs, contacts) keep the same shape
/// as paginated ones, without a cursor.
struct Items<Item: Encodable>: Encodable {
    let items: [Item]
}

extension JSONEncoder {
    /// The API's encoder: sorted keys, ISO 8601 dates, no escaped slashes.
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
