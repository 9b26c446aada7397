import Canonical
import Credentials
import Foundation
import Testing

/// `manrs-plus verify-credential`, as a buyer runs it on a credential file and the issuer's DID document.
@Suite("verify-credential")
struct VerifyCredentialTests {
    static let addresses = try! PublicAddresses(origin: URL(string: "https://manrs.example")!)
    static let key = try! IssuerSigningKey(secretKeyMultibase: "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
    static let issued = Date(timeIntervalSince1970: 1_795_000_000)
    static let until = issued.addingTimeInterval(365 * 86400)

    static func write(_ value: JSONValue, _ name: String, in folder: URL) throws -> String {
        let file = folder.appendingPathComponent(name)
        try JSONEncoder().encode(value).write(to: file)
        return file.path
    }

    @Test("valid, tampered, expired, suspended and unreadable credentials, each said in words with its exit status")
    func verdicts() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("verify-credential-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = CredentialIssuer(addresses: Self.addresses, key: Self.key)
        let mark = MarkID.random()
        let scope = MarkScope(
            mark: mark, organisation: "Example Networks Ltd", program: "netops", programName: "Network Operators", tier: "plus", tierName: "MANRS+",
            asns: [64500], prefixes: ["192.0.2.0/24"], actions: ["netops.1", "netops.2"])
        let credential = try issuer.markCredential(
            scope, credentialID: "urn:uuid:7d1f0c52-5b8e-4f0e-9d3a-2c6b1e4a9f00", validFrom: Self.issued, validUntil: Self.until, statusIndex: 12,
            at: Self.issued)
        let path = try Self.write(credential, "mark.json", in: folder)
        let did = try Self.write(IssuerDocument(issuer: Self.addresses.issuer, keys: [Self.key.publicKey]).didDocument, "did.json", in: folder)
        let at = DateTimeStamp.format(Self.issued.addingTimeInterval(86400))

        let valid = try CLITests.run(["verify-credential", path, "--did-document", did, "--at", at])
        #expect(valid.status == 0, "\(valid.stdout) \(valid.stderr)")
        #expect(valid.stdout.hasPrefix("VALID: MANRS+ mark \(mark.text)"))
        #expect(valid.stdout.contains("Example Networks Ltd") && valid.stdout.contains("Network Operators, tier MANRS+"))
        #expect(valid.stdout.contains("AS64500") && valid.stdout.contains("192.0.2.0/24"))
        #expect(valid.stdout.contains("Not checked whether suspended: download https://manrs.example/api/v1/status-lists/suspension"))
        let asIssuer = try CLITests.run(["verify-credential", path, "--did-document", did, "--at", at, "--issuer", "did:web:other.example"])
        #expect(asIssuer.status == 1 && asIssuer.stdout.contains("not by did:web:other.example"), "\(asIssuer.stdout)")

        var tampered = credential
        if case .object(var fields) = tampered, case .object(var subject)? = fields["credentialSubject"] {
            subject["organisation"] = .object(["name": .string("Someone Else Ltd")])
            fields["credentialSubject"] = .object(subject)
            tampered = .object(fields)
        }
        let forged = try CLITests.run(["verify-credential", try Self.write(tampered, "forged.json", in: folder), "--did-document", did, "--at", at])
        #expect(forged.status == 1 && forged.stdout.contains("NOT VALID: The signature does not match"), "\(forged.stdout)")

        let late = try CLITests.run([
            "verify-credential", path, "--did-document", did, "--at", DateTimeStamp.format(Self.until.addingTimeInterval(1)),
        ])
        #expect(late.status == 1 && late.stdout.contains("has expired"), "\(late.stdout)")

        var bits = Bitstring()
        bits[12] = true
        let suspension = try Self.write(issuer.statusList(.suspension, bits: bits, at: Self.issued), "suspension.json", in: folder)
        let revocation = try Self.write(issuer.statusList(.revocation, bits: Bitstring(), at: Self.issued), "revocation.json", in: folder)
        let suspended = try CLITests.run(["verify-credential", path, "--did-document", did, "--at", at, "--status-list", suspension])
        #expect(suspended.status == 1 && suspended.stdout.contains("The mark is suspended"), "\(suspended.stdout)")
        let clear = try CLITests.run(["verify-credential", path, "--did-document", did, "--at", at, "--status-list", revocation])
        #expect(clear.status == 0 && clear.stdout.contains("Not revoked: checked in the revocation list."), "\(clear.stdout)")

        let noDocument = try CLITests.run(["verify-credential", path])
        #expect(noDocument.status == 2 && noDocument.stderr.contains("https://manrs.example/.well-known/did.json"), "\(noDocument.stderr)")
        let badTime = try CLITests.run(["verify-credential", path, "--did-document", did, "--at", "yesterday"])
        #expect(badTime.status == 2 && badTime.stderr.contains("not a date and time"))
        let missing = try CLITests.run(["verify-credential", folder.appendingPathComponent("none.json").path, "--did-document", did])
        #expect(missing.status == 2 && missing.stderr.contains("cannot read the credential file"))
    }
}
