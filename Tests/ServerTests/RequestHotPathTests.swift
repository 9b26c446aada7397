import Foundation
import Hummingbird
import SeededRandom
import Testing

@testable import Server

/// The shortcuts every public read takes (issue 13 "Speed") answer exactly as the slower readings
/// they stand in front of: the path check, trimming a verify parameter, the request id.
@Suite("Request hot path")
struct RequestHotPathTests {

    static func random(_ pieces: [String], count: Int, generator: inout SplitMix) -> [String] {
        (0..<count).map { _ in (0..<Int.random(in: 0...9, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined() }
    }

    @Test("the path check's single pass gives the same answer as the step-by-step reading, for every path")
    func pathCheck() {
        var generator = SplitMix(state: 13)
        let known = [
            "/", "/api/v1/verify", "/marks/MP-P55S-3HYY-S/badge.svg", "/.well-known/did.json", "/a/", "/a/.", "/a/..", "/a/...", "/./a", "//a",
            "/a//b", "/api/v1/%2e%2e/v1/users", "/api/v1/%2E/users", "/a%2fb", "/a%5Cb", "/a%00", "/a\\b", "/a\u{01}b", "/a\u{7F}", "/%C0%AF", "/%zz",
            "/é", "a/b", "", "/..a", "/a..", "/a./b",
        ]
        let pieces = ["/", "/", ".", ".", "a", "-", "%", "2", "e", "E", "f", "5c", "00", "\\", "\u{01}", "é", "%C3%A9", "%C0"]
        for path in known + Self.random(pieces, count: 20_000, generator: &generator) {
            #expect(RequestHygieneMiddleware.nonCanonical(path: path) == RequestHygieneMiddleware.reason(path: path), "\(path.debugDescription)")
        }
    }

    @Test("a verify parameter is trimmed as Foundation would")
    func verifyParameter() {
        var generator = SplitMix(state: 17)
        let pieces = ["AS", "as", "aS", "a", "s", "ſ", "3333", " ", "\t", "\u{00A0}", "\u{2003}", "\n", "x", "é", "-"]
        for value in ["", " ", "AS3333", " as3333 ", "\u{00A0}3333", "ſ3333", "aſ3333"] + Self.random(pieces, count: 20_000, generator: &generator) {
            #expect(MarkRoutes.trimmed(value) == value.trimmingCharacters(in: .whitespaces), "\(value.debugDescription)")
        }
    }

    @Test("a request id is Hummingbird's, as 32 lowercase hex digits, never the same twice")
    func requestIDs() {
        // Hummingbird writes its per-process prefix without leading zeros: 31 digits 1 time in 16.
        let ids = (0..<2_000).map { _ in RequestIDMiddleware.padded(RequestID().description) }
        #expect(Set(ids).count == ids.count)
        #expect(RequestIDMiddleware.padded("abc123") == String(repeating: "0", count: 26) + "abc123")
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
        #expect(ids.allSatisfy { RequestIDMiddleware.acceptable($0) == $0 })
    }
}
