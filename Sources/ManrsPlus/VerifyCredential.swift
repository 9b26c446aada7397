import ArgumentParser
import Canonical
import Credentials
import Domain
import Foundation

/// `manrs-plus verify-credential FILE --did-document FILE [--at TIME] [--status-list FILE]…`:
/// checks a mark credential offline, as a buyer would, and says the verdict in words.
struct VerifyCredential: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-credential",
        abstract: "Check a MANRS+ mark credential offline and say whether it is valid.",
        discussion: """
            Checks the credential's signature (eddsa-jcs-2022) against the issuer's DID document, \
            that the signing key is the issuer's, the validity window at --at (default: now) and, \
            for each status list given, that the mark is neither suspended nor revoked. Needs no \
            database and no network. Exit status: 0 valid, 1 not valid, 2 when the files cannot be read.
            """
    )

    @Argument(help: "The mark's credential (JSON), as GET /api/v1/marks/{id}/credential returns it.")
    var file: String

    @Option(help: "The issuer's DID document (JSON), from https://<issuer>/.well-known/did.json.")
    var didDocument: String?

    @Option(help: "The time to check validity at, e.g. 2027-01-01T00:00:00Z (default: now).")
    var at: String?

    @Option(help: "The issuer the credential must come from, e.g. did:web:manrs.example.")
    var issuer: String?

    @Option(
        name: .customLong("status-list"), help: "A status list credential (suspension or revocation), from the URL the credential names. Repeatable.")
    var statusLists: [String] = []

    func run() throws {
        let credential = try Self.read(file, what: "credential")
        guard let didDocument else {
            let location =
                (try? MarkVerifier.issuer(of: credential)).map { "the issuer's, at \($0.documentURL.absoluteString)" } ?? "the issuer's"
            Self.cannot("the issuer's DID document is needed to check the signature: download \(location), and pass it with --did-document FILE.")
        }
        let document = try Self.read(didDocument, what: "DID document")
        let lists = try statusLists.map { try Self.read($0, what: "status list") }
        let time: Date
        if let at {
            guard let parsed = DateTimeStamp.parse(at) else { Self.cannot("--at \(at) is not a date and time such as 2027-01-01T00:00:00Z.") }
            time = parsed
        } else {
            time = SystemClock().now()
        }
        var expected: DIDWeb? = nil
        if let issuer {
            do {
                expected = try DIDWeb(issuer)
            } catch {
                Self.cannot("--issuer \(issuer) is not a did:web identifier.")
            }
        }
        switch MarkVerifier.verify(credential, didDocument: document, at: time, expectedIssuer: expected, statusLists: lists) {
        case .failure(let refusal):
            print("NOT VALID: \(refusal.message)")
            throw ExitCode(1)
        case .success(let mark):
            print(Self.describe(mark, at: time), terminator: "")
        }
    }

    static func describe(_ mark: VerifiedMark, at: Date) -> String {
        let scope = mark.scope
        var text = "VALID: MANRS+ mark \(scope.mark.text), checked at \(DateTimeStamp.format(at)).\n"
        text += "  Organisation: \(scope.organisation)\n"
        text += "  Program: \(scope.programName), tier \(scope.tierName)\n"
        text += "  ASNs: \(scope.asns.isEmpty ? "none" : scope.asns.map { "AS\($0)" }.joined(separator: ", "))\n"
        text += "  Prefixes: \(scope.prefixes.isEmpty ? "none" : scope.prefixes.joined(separator: ", "))\n"
        text += "  Actions: \(scope.actions.joined(separator: ", "))\n"
        text += "  Valid from \(DateTimeStamp.format(mark.validFrom)) until \(DateTimeStamp.format(mark.validUntil))\n"
        text += "  Issued by \(mark.issuer.did), signed with key \(mark.verificationMethod)\n"
        for entry in mark.statusEntries {
            if mark.statusChecked.contains(entry.purpose) {
                text += "  Not \(entry.purpose == .suspension ? "suspended" : "revoked"): checked in the \(entry.purpose.rawValue) list.\n"
            } else {
                text += "  Not checked whether \(entry.purpose == .suspension ? "suspended" : "revoked"): "
                text += "download \(entry.listCredential) and pass it with --status-list FILE.\n"
            }
        }
        return text
    }

    static func read(_ path: String, what: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else { cannot("cannot read the \(what) file \(path).") }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { cannot("the \(what) file \(path) is not JSON.") }
        return value
    }

    /// Says why nothing could be checked and exits with status 2.
    static func cannot(_ reason: String) -> Never {
        FileHandle.standardError.write(Data("Cannot check: \(reason)\n".utf8))
        Foundation.exit(2)
    }
}
