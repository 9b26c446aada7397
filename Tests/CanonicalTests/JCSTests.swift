import Canonical
import Foundation
import Testing

/// RFC 8785 against its official test vectors (Tests/CanonicalTests/Fixtures/jcs, see SOURCE.md).
@Suite("JCS (RFC 8785)")
struct JCSTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/jcs")

    @Test("the six input/output vectors, byte for byte", arguments: ["arrays", "french", "structures", "unicode", "values", "weird"])
    func vectors(name: String) throws {
        let input = try Data(contentsOf: Self.fixtures.appendingPathComponent("input/\(name).json"))
        let expected = try Data(contentsOf: Self.fixtures.appendingPathComponent("output/\(name).json"))
        let canonical = try JCS.canonicalize(json: input)
        #expect(Data(canonical) == expected, "\(String(decoding: canonical, as: UTF8.self))")
    }

    @Test("10,000 ES6 number serialisations from the upstream number file")
    func numbers() throws {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("es6testfile-first10k.txt"), encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ",")
            let bits = UInt64(parts[0], radix: 16)!
            let value = Double(bitPattern: bits)
            guard value.isFinite else { continue }
            #expect(JCS.serialize(value) == String(parts[1]), "bits \(parts[0])")
            checked += 1
        }
        #expect(checked > 9_900)
    }

    @Test("a few numbers by hand, at the edges of ECMAScript's notation switches")
    func edges() {
        #expect(JCS.serialize(1e21) == "1e+21")
        #expect(JCS.serialize(1e20) == "100000000000000000000")
        #expect(JCS.serialize(1e-6) == "0.000001")
        #expect(JCS.serialize(1e-7) == "1e-7")
        #expect(JCS.serialize(-0.0) == "0")
        #expect(JCS.serialize(123.456) == "123.456")
        #expect(JCS.serialize(Double(9_007_199_254_740_992 as Int64) + 1) == "9007199254740992")
    }
}
