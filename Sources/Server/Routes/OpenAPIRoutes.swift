import Foundation
import Hummingbird
import Store

/// The API's contract: the OpenAPI 3.1 document, public.
struct OpenAPIRoutes {
    let document: Data

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("openapi.json") { _, _ in
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            fields[.contentLength] = String(document.count)
            return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
