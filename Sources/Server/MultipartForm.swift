import Foundation
import Hummingbird
import MultipartKit

/// A `multipart/form-data` body, read into its parts: what an HTML form with a file sends, and
/// what `curl -F` sends.
struct MultipartForm {
    struct Part {
        let name: String
        let fileName: String?
        let contentType: String?
        var body: [UInt8]
    }

    let parts: [Part]

    func field(_ name: String) -> String? {
        parts.first { $0.name == name && $0.fileName == nil }.map { String(decoding: $0.body, as: UTF8.self) }
    }

    func file(_ name: String) -> Part? {
        parts.first { $0.name == name && $0.fileName != nil }
    }

    /// The boundary of a `multipart/form-data` content type, nil for anything else.
    static func boundary(_ contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            return String(piece.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    /// Reads and parses a request body of at most about `maxBytes` (413 beyond).
    static func read(_ request: Request, boundary: String, maxBytes: Int) async throws -> MultipartForm {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes + 64 * 1024)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.bodyTooLarge(limit: maxBytes)
        }
        return try parse(buffer, boundary: boundary)
    }

    /// Parses `buffer`; a malformed body is a 400.
    static func parse(_ buffer: ByteBuffer, boundary: String) throws -> MultipartForm {
        let parser = MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { chunk in body += chunk.readBytes(length: chunk.readableBytes) ?? [] }
        parser.onPartComplete = {
            let disposition = Self.parameters(headers["content-disposition"] ?? "")
            parts.append(Part(name: disposition["name"] ?? "", fileName: disposition["filename"], contentType: headers["content-type"], body: body))
            headers = [:]
            body = []
        }
        do {
            try parser.execute(buffer)
        } catch {
            throw Problem.malformedBody("The multipart body could not be read.")
        }
        return MultipartForm(parts: parts)
    }

    /// `form-data; name="file"; filename="a.pdf"` → ["name": "file", "filename": "a.pdf"].
    static func parameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            result[pair[0].lowercased()] = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return result
    }
}
