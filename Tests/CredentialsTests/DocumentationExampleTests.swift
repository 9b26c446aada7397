import Canonical
import Credentials
import Foundation
import Testing

/// The example in docs/credentials.md is a real credential: it verifies, and the page shows the files as they are.
@Suite("Documented example")
struct DocumentationExampleTests {
    static let docs = repositoryRoot.appendingPathComponent("docs")

    static func json(_ name: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: docs.appendingPathComponent("examples/" + name)))
    }

    @Test("the example credential verifies against the example DID document and status list, and the page quotes them")
    func exampleVerifies() throws {
        let at = try #require(DateTimeStamp.parse("2027-01-01T00:00:00Z"))
        let verified = try MarkVerifier.verify(
            try Self.json("mark-credential.json"), didDocument: try Self.json("did.json"), at: at,
            expectedIssuer: try DIDWeb("did:web:manrs.example"), statusLists: [try Self.json("status-list-suspension.json")]
        ).get()
        #expect(verified.scope.mark.text == "MP-ZESE-C4JA-P" && verified.statusChecked == [.suspension])
        let page = try String(contentsOf: Self.docs.appendingPathComponent("credentials.md"), encoding: .utf8)
        for name in ["mark-credential.json", "did.json"] {
            let text = try String(contentsOf: Self.docs.appendingPathComponent("examples/" + name), encoding: .utf8)
            #expect(page.contains(text.trimmingCharacters(in: .newlines)), "docs/credentials.md quotes docs/examples/\(name)")
        }
    }
}
