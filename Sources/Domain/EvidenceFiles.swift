import Foundation

/// What evidence files may be, and what they really are.
public enum EvidenceFiles {
    /// Accepted content types, as declared by the uploader; the bytes must agree.
    public static let acceptedTypes: [String: String] = [
        "application/pdf": "application/pdf",
        "image/png": "image/png",
        "image/jpeg": "image/jpeg",
        "text/plain": "text/plain",
        "text/csv": "text/plain",
        "application/json": "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "application/zip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "application/zip",
    ]

    /// The type the bytes show: by magic number, or UTF-8 text without NUL; nil when unknown.
    public static func sniff(_ bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(8192))
        func starts(_ magic: [UInt8]) -> Bool { head.starts(with: magic) }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }
        if head.isEmpty || head.contains(0) { return nil }
        // Text: valid UTF-8 (a multi-byte character cut at the 8 KiB mark is fine).
        var decoder = UTF8()
        var iterator = head.makeIterator()
        var consumed = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                consumed += String(scalar).utf8.count
            case .emptyInput:
                return "text/plain"
            case .error:
                return head.count == 8192 && head.count - consumed < 4 ? "text/plain" : nil
            }
        }
    }

    /// What people call each accepted type, for messages.
    static let names: [String: String] = [
        "application/pdf": "a PDF", "image/png": "a PNG image", "image/jpeg": "a JPEG image", "text/plain": "a plain-text file",
        "text/csv": "a CSV file", "application/json": "a JSON file", "application/zip": "a ZIP archive",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "a Word document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an Excel workbook",
    ]

    /// Why a file declared as `declared` with these bytes is refused (415), or nil. Codes:
    /// `unsupported_type`, `unrecognised_content`, `type_mismatch`.
    public static func refusal(declared: String, sniffed: String?) -> Refusal? {
        let type = declared.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard let expected = acceptedTypes[type] else {
            return Refusal("unsupported_type", "Upload a PDF, PNG, JPEG or plain-text file (or a CSV, JSON, Word or Excel file).")
        }
        let name = names[type] ?? "a file of its declared type"
        guard let sniffed else { return Refusal("unrecognised_content", "This file is not \(name).") }
        guard sniffed == expected else {
            return Refusal("type_mismatch", "This file is not \(name): its content is \(names[sniffed] ?? "something else").")
        }
        return nil
    }

    /// A file name safe to store and to send back in Content-Disposition: the last path
    /// component, letters, digits, `.`, `-`, `_` and spaces only, at most 200 characters.
    public static func sanitise(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(
            last.unicodeScalars.map { scalar -> Character in
                let ok =
                    (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))) || ".-_ ".unicodeScalars.contains(scalar)
                return ok ? Character(scalar) : "_"
            })
        cleaned = String(cleaned.drop(while: { $0 == "." || $0 == " " }))
        if cleaned.count > Limits.evidenceFileName.max { cleaned = String(cleaned.suffix(Limits.evidenceFileName.max)) }
        return cleaned.isEmpty ? "evidence" : cleaned
    }
}
