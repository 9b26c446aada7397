import Canonical
import Credentials
import Foundation
import Testing

/// docs/verify_credential.py, a verifier written apart from this code (Python, `cryptography`,
/// its own JCS), accepts what the Swift side signs and refuses what it must.
@Suite("Independent Python verifier", .serialized)
struct IndependentVerifierTests {
    struct Run {
        let status: Int32
        let output: String
    }

    static func python(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repositoryRoot.appendingPathComponent("scripts/verify-credential-python.sh").path] + arguments
        process.currentDirectoryURL = repositoryRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }

    static func write(_ value: JSONValue, _ name: String, in folder: URL) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let file = folder.appendingPathComponent(name)
        try encoder.encode(value).write(to: file)
        return file.path
    }

    @Test("accepts a signed mark, with and without status lists; refuses a tampered one, a suspended one, an expired one", .timeLimit(.minutes(5)))
    func pythonAgrees() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cred-python-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let issuer = CredentialIssuer(addresses: MarkCredentialTests.addresses, key: MarkCredentialTests.newKey)
        let credential = try MarkCredentialTests.credential(key: MarkCredentialTests.newKey, statusIndex: 77)
        let oldCredential = try MarkCredentialTests.credential(key: MarkCredentialTests.oldKey, statusIndex: 78)
        let didPath = try Self.write(MarkCredentialTests.document([MarkCredentialTests.newKey, MarkCredentialTests.oldKey]), "did.json", in: folder)
        let path = try Self.write(credential, "mark.json", in: folder)
        let oldPath = try Self.write(oldCredential, "old.json", in: folder)
        let at = DateTimeStamp.format(MarkCredentialTests.midway)

        let valid = try Self.python([path, didPath, "--at", at])
        #expect(valid.status == 0 && valid.output.contains("VALID: MANRS+ mark \(MarkCredentialTests.sampleMarkText)"), "\(valid.output)")
        #expect(valid.output.contains("Status not checked"))
        let rotated = try Self.python([oldPath, didPath, "--at", at])
        #expect(rotated.status == 0, "a key rotated out of signing still verifies what it signed: \(rotated.output)")

        var suspension = Bitstring()
        let revocation = Bitstring()
        let suspensionPath = try Self.write(
            issuer.statusList(.suspension, bits: suspension, at: MarkCredentialTests.midway), "suspension.json", in: folder)
        let revocationPath = try Self.write(
            issuer.statusList(.revocation, bits: revocation, at: MarkCredentialTests.midway), "revocation.json", in: folder)
        let checked = try Self.python([path, didPath, "--at", at, "--status-list", suspensionPath, "--status-list", revocationPath])
        #expect(checked.status == 0 && !checked.output.contains("Status not checked"), "\(checked.output)")

        suspension[77] = true
        _ = try Self.write(issuer.statusList(.suspension, bits: suspension, at: MarkCredentialTests.midway), "suspension.json", in: folder)
        let suspended = try Self.python([path, didPath, "--at", at, "--status-list", suspensionPath])
        #expect(suspended.status == 1 && suspended.output.contains("suspended"), "\(suspended.output)")
        // The Swift verifier says the same of the same files.
        let list = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: suspensionPath)))
        let swiftVerdict = MarkVerifier.verify(
            credential, didDocument: MarkCredentialTests.document([MarkCredentialTests.newKey]), at: MarkCredentialTests.midway, statusLists: [list])
        #expect(swiftVerdict.failureCode == .suspended)

        var tampered = credential.objectValue
        var subject = tampered["credentialSubject"]!.objectValue
        subject["asns"] = .array([.number(64500), .number(64511)])
        tampered["credentialSubject"] = .object(subject)
        let tamperedPath = try Self.write(.object(tampered), "tampered.json", in: folder)
        let refused = try Self.python([tamperedPath, didPath, "--at", at])
        #expect(
            refused.status == 1 && refused.output.contains("NOT VALID") && refused.output.contains("signature does not match"), "\(refused.output)")

        let expired = try Self.python([path, didPath, "--at", DateTimeStamp.format(MarkCredentialTests.until.addingTimeInterval(1))])
        #expect(expired.status == 1 && expired.output.contains("expired"), "\(expired.output)")

        let stranger = try Self.write(MarkCredentialTests.document([IssuerSigningKey.generate()]), "stranger.json", in: folder)
        let unknown = try Self.python([path, stranger, "--at", at])
        #expect(unknown.status == 1 && unknown.output.contains("does not list the signing key"), "\(unknown.output)")
    }
}

extension Result where Failure == CredentialRefusal {
    var failureCode: CredentialRefusal.Code? {
        if case .failure(let refusal) = self { return refusal.code }
        return nil
    }
}
