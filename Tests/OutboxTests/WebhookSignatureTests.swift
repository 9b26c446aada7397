import Foundation
import Outbox
import Testing

/// Standard Webhooks signing against the vectors of the reference libraries
/// (Tests/Fixtures/standard-webhooks/vectors.json; each vector names its source).
@Suite struct WebhookSignatureTests {
    struct Vectors: Decodable {
        struct Sign: Decodable {
            let name, secret, msgId, payload, expectedSignature: String
            let timestamp: Int64
        }
        struct Verify: Decodable {
            let name, secret, msgId, payload, signatureHeader: String
            let timestamp: Int64
            let expectValid: Bool
        }
        let sign: [Sign]
        let verify: [Verify]
    }

    static let vectors: Vectors = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/standard-webhooks/vectors.json")
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: path))
    }()

    @Test(arguments: vectors.sign.map(\.name))
    func signsLikeTheReferenceLibraries(_ name: String) throws {
        let vector = try #require(Self.vectors.sign.first { $0.name == name })
        let key = try #require(WebhookSignature.keyBytes(ofSecret: vector.secret))
        let signature = WebhookSignature.sign(id: vector.msgId, timestamp: vector.timestamp, body: Array(vector.payload.utf8), key: key)
        #expect(signature == vector.expectedSignature)
    }

    @Test(arguments: vectors.verify.map(\.name))
    func verifiesLikeTheReferenceLibraries(_ name: String) throws {
        let vector = try #require(Self.vectors.verify.first { $0.name == name })
        let key = try #require(WebhookSignature.keyBytes(ofSecret: vector.secret))
        let valid = WebhookSignature.verify(
            id: vector.msgId, timestamp: vector.timestamp, body: Array(vector.payload.utf8), key: key, header: vector.signatureHeader)
        #expect(valid == vector.expectValid)
    }
}
