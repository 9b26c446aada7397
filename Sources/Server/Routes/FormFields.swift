import Foundation
import Hummingbird

/// The one reader of `application/x-www-form-urlencoded` bodies, for every page's POST:
/// `a=1&b=x+y` → ["a": "1", "b": "x y"].
enum FormFields {
    /// Why a form cannot be read.
    enum Unreadable: Error, Equatable {
        /// Bytes or escapes that are not UTF-8 (they would be read as U+FFFD or as nothing).
        case notUTF8
        /// A NUL in a name or a value.
        case nul
        /// A field given twice: which one counts would be a guess.
        case repeated
    }

    static func parse(_ body: Data) throws(Unreadable) -> [String: String] {
        guard let text = String(validating: body, as: UTF8.self) else { throw .notUTF8 }
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) throws(Unreadable) -> String {
                guard let decoded = String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding else { throw .notUTF8 }
                if InputText.containsNUL(decoded) { throw .nul }
                return decoded
            }
            let key = try decode(parts[0])
            if result[key] != nil { throw .repeated }
            result[key] = parts.count > 1 ? try decode(parts[1]) : ""
        }
        return result
    }

    /// The posted form, at most `limit` bytes.
    static func read(_ request: Request, _ context: AppRequestContext, limit: Int) async throws -> Result<[String: String], Unreadable> {
        let buffer = try await request.body.collect(upTo: min(context.bodyLimit, limit))
        do {
            return .success(try parse(Data(buffer: buffer)))
        } catch {
            return .failure(error)
        }
    }
}
