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
        var body: ByteBuffer
    }

    let parts: [Part]

    func field(_ name: String) -> String? {
        parts.first { $0.name == name && $0.fileName == nil }.map { String(buffer: $0.body) }
    }

    func file(_ name: String) -> Part? {
        parts.first { $0.name == name && $0.fileName != nil }
    }

    /// The boundary of a `multipart/form-data` content type, nil for anything else.
    static func boundary(_ contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            let boundary = String(piece.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            // RFC 2046: 1 to 70 characters.
            return (1...70).contains(boundary.utf8.count) ? boundary : nil
        }
        return nil
    }

    /// Reads and parses a request body as it arrives, of at most about `maxBytes`: 413 at once
    /// when `Content-Length` says more, or as soon as more has come. Each part's bytes are kept
    /// once, as they came. `beforeFiles` runs on the fields read so far when the first file part
    /// begins (a form's CSRF field comes before its file), so a file is only taken in after it.
    static func read(
        _ request: Request, boundary: String, maxBytes: Int, beforeFiles: ((MultipartForm) throws -> Void)? = nil
    ) async throws -> MultipartForm {
        let limit = maxBytes + 64 * 1024
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw Problem.bodyTooLarge(limit: maxBytes)
        }
        let reader = Reader(boundary: boundary, beforeFiles: beforeFiles)
        var received = 0
        for try await chunk in request.body {
            received += chunk.readableBytes
            if received > limit { throw Problem.bodyTooLarge(limit: maxBytes) }
            try reader.execute(chunk)
        }
        return try reader.finish()
    }

    /// Parses a whole body at once; a malformed body is a 400.
    static func parse(_ buffer: ByteBuffer, boundary: String) throws -> MultipartForm {
        let reader = Reader(boundary: boundary, beforeFiles: nil)
        try reader.execute(buffer)
        return try reader.finish()
    }

    /// MultipartKit's push parser, with the parts it has completed.
    private final class Reader {
        let parser: MultipartParser
        let beforeFiles: ((MultipartForm) throws -> Void)?
        var parts: [Part] = []
        var headers: [String: String] = [:]
        var body = ByteBuffer()
        var completed = false
        var checkedBeforeFiles = false
        /// Why `beforeFiles` refused; thrown once the parser hands control back.
        var refusal: (any Error)?

        var headerGuard: HeaderGuard

        init(boundary: String, beforeFiles: ((MultipartForm) throws -> Void)?) {
            parser = MultipartParser(boundary: boundary)
            headerGuard = HeaderGuard(boundary: boundary)
            self.beforeFiles = beforeFiles
            parser.onHeader = { [unowned self] name, value in
                headers[name.lowercased()] = value
                if name.lowercased() == "content-disposition", MultipartForm.parameters(value)["filename"] != nil { fileBegins() }
            }
            parser.onBody = { [unowned self] chunk in
                guard refusal == nil else { return }
                var chunk = chunk
                if body.readableBytes == 0 && body.capacity == 0 {
                    // The usual case: the part's bytes arrive as one slice, kept without a copy.
                    body = chunk
                } else {
                    body.writeBuffer(&chunk)
                }
            }
            parser.onPartComplete = { [unowned self] in
                let disposition = MultipartForm.parameters(headers["content-disposition"] ?? "")
                parts.append(
                    Part(name: disposition["name"] ?? "", fileName: disposition["filename"], contentType: headers["content-type"], body: body))
                headers = [:]
                body = ByteBuffer()
                completed = true
            }
        }

        /// The first file part's headers are in: the fields before it must pass `beforeFiles`.
        private func fileBegins() {
            guard let beforeFiles, !checkedBeforeFiles else { return }
            checkedBeforeFiles = true
            do { try beforeFiles(MultipartForm(parts: parts)) } catch { refusal = error }
        }

        func execute(_ chunk: ByteBuffer) throws {
            guard headerGuard.accepts(chunk) else {
                throw Problem.malformedBody("A part's headers have bytes that are not ASCII; the multipart body cannot be read.")
            }
            do {
                try parser.execute(chunk)
            } catch {
                throw Problem.malformedBody("The multipart body could not be read.")
            }
            if let refusal { throw refusal }
        }

        func finish() throws -> MultipartForm {
            guard completed else { throw Problem.malformedBody("The multipart body has no complete part.") }
            return MultipartForm(parts: parts)
        }
    }

    /// Follows the stream to the parts' header sections and refuses a byte over 0x7F in one.
    /// Headers are ASCII (RFC 7578), and MultipartKit's parser indexes a 128-entry table with
    /// each header-name byte: a higher one is out of range and ends the process.
    struct HeaderGuard {
        /// CR LF "--" boundary: what opens every part but the first, whose "--" may start the body.
        private let delimiter: [UInt8]
        private var matched: Int
        private var inHeaders = false
        /// The last bytes of a header section, to see its blank line (CR LF CR LF).
        private var recent: UInt32 = 0

        init(boundary: String) {
            delimiter = Array("\r\n--\(boundary)".utf8)
            // The body's very start counts as following a CR LF.
            matched = 2
        }

        mutating func accepts(_ chunk: ByteBuffer) -> Bool {
            for byte in chunk.readableBytesView {
                if inHeaders {
                    if byte > 0x7F { return false }
                    recent = recent << 8 | UInt32(byte)
                    if recent == 0x0D0A_0D0A { inHeaders = false }
                    continue
                }
                if byte == delimiter[matched] {
                    matched += 1
                    if matched == delimiter.count {
                        // The rest of the delimiter line ("--" for the last one, or CR LF) has no
                        // header name in it; the section's own CR LF CR LF ends it either way.
                        inHeaders = true
                        recent = 0
                        matched = 0
                    }
                } else {
                    // CR opens the delimiter and appears nowhere else in it: a restart needs no table.
                    matched = byte == delimiter[0] ? 1 : 0
                }
            }
            return true
        }
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
