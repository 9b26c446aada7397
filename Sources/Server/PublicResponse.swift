import Crypto
import Foundation
import Hummingbird

/// A public read (verification, marks, status lists, the issuer's keys, badges) encoded once,
/// with an ETag from its bytes: kept in memory (`Caches.marks`) and sent again without encoding;
/// a matching `If-None-Match` gets 304.
struct PublicResponse: ResponseGenerator, Sendable {
    let body: ByteBuffer
    let contentType: String
    let etag: String
    /// `no-cache` for badges: caches must revalidate every time, so a badge never shows a stale status.
    let cacheControl: String?

    /// The headers of a 304 and of a 200, built once: a cached answer is sent without building them again.
    let notModifiedHeaders: HTTPFields
    let headers: HTTPFields

    init(bytes: [UInt8], contentType: String, cacheControl: String? = nil) {
        body = ByteBuffer(bytes: bytes)
        self.contentType = contentType
        self.cacheControl = cacheControl
        etag = "\"" + SHA256.hash(data: bytes).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        var fields = HTTPFields()
        fields[.eTag] = etag
        if let cacheControl { fields[.cacheControl] = cacheControl }
        notModifiedHeaders = fields
        fields[.contentType] = contentType
        fields[.contentLength] = String(bytes.count)
        headers = fields
    }

    init(json value: some Encodable, contentType: String = "application/json") throws {
        self.init(bytes: [UInt8](try JSONEncoder.api.encode(value)), contentType: contentType)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        if let wanted = request.headers[.ifNoneMatch],
            wanted.split(separator: ",").contains(where: {
                let tag = $0.trimmingCharacters(in: .whitespaces); return tag == etag || tag == "*"
            })
        {
            return Response(status: .notModified, headers: notModifiedHeaders)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
