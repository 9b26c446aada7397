import Canonical
import Credentials
import Foundation
import SeededRandom
import Testing

/// The mark's credential as a buyer's verifier sees it: signed in one place, checked with only
/// the issuer's DID document (and the status lists), at a time the caller chooses.
@Suite("Mark credentials")
struct MarkCredentialTests {
    static let addresses = try! PublicAddresses(origin: URL(string: "https://manrs.example")!)
    static let issued = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T11:06:40Z
    static let until = issued.addingTimeInterval(365 * 86400)
    static let oldKey = try! IssuerSigningKey(secretKeyMultibase: "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
    static let newKey = try! IssuerSigningKey(secretKeyMultibase: "z3u2W4YnTstS1nSSBAgZcYSJF43JuZ9uLV6bF38B1Bf8NugW")

    static let scope = MarkScope(
        mark: try! MarkID(parsing: sampleMarkText), organisation: "Example Networks Ltd", program: "netops", programName: "Network Operators",
        tier: "plus", tierName: "MANRS+", asns: [64500, 4_200_000_000], prefixes: ["192.0.2.0/24", "2001:db8::/32"],
        actions: ["netops.1", "netops.2", "netops.4"])

    /// A valid id, made once from fixed bits.
    static let sampleMarkText: String = {
        var generator = SplitMix(state: 2026)
        return MarkID.random(using: &generator).text
    }()

    static func credential(key: IssuerSigningKey = oldKey, statusIndex: Int = 94567) throws -> JSONValue {
        try CredentialIssuer(addresses: addresses, key: key).markCredential(
            scope, credentialID: "urn:uuid:0b9c3f4e-1d2a-4c8e-9a61-3f0d2e7b5c11", validFrom: issued, validUntil: until, statusIndex: statusIndex,
            at: issued)
    }

    static func document(_ keys: [IssuerSigningKey] = [oldKey]) -> JSONValue {
        IssuerDocument(issuer: addresses.issuer, keys: keys.map(\.publicKey)).didDocument
    }

    static let midway = issued.addingTimeInterval(30 * 86400)

    func refusal(_ result: Result<VerifiedMark, CredentialRefusal>) -> CredentialRefusal.Code? {
        if case .failure(let refusal) = result { return refusal.code }
        return nil
    }

    @Test("a signed mark verifies against the DID document and reads back its scope")
    func roundTrip() throws {
        let credential = try Self.credential()
        let verified = try MarkVerifier.verify(credential, didDocument: Self.document(), at: Self.midway).get()
        #expect(verified.scope == Self.scope)
        #expect(verified.issuer.did == "did:web:manrs.example")
        #expect(verified.verificationMethod == "did:web:manrs.example#" + Self.oldKey.publicKey.multibase)
        #expect(verified.validFrom == Self.issued && verified.validUntil == Self.until)
        #expect(verified.statusChecked.isEmpty)
        // Its shape is the VC 2.0 one the docs show.
        #expect(credential["@context"] == .array([.string("https://www.w3.org/ns/credentials/v2")]))
        #expect(credential["type"] == .array([.string("VerifiableCredential"), .string("ManrsPlusMarkCredential")]))
        #expect(credential["validFrom"] == .string("2026-11-18T11:06:40Z"))
        #expect(credential["credentialSubject"]?["id"] == .string("https://manrs.example/marks/\(Self.sampleMarkText)"))
        let statuses = credential["credentialStatus"]?.array ?? []
        #expect(statuses.compactMap { $0["statusPurpose"]?.string }.sorted() == ["revocation", "suspension"])
        #expect(statuses.allSatisfy { $0["statusListIndex"] == .string("94567") })
        #expect(statuses.first?["statusListCredential"] == .string("https://manrs.example/api/v1/status-lists/suspension"))
        // Through JSON text and back, as a file.
        let text = try JSONEncoder().encode(credential)
        let reread = try JSONDecoder().decode(JSONValue.self, from: text)
        #expect(MarkVerifier.verify(reread, didDocument: Self.document(), at: Self.midway).isSuccess)
    }

    @Test("a tampered credential, a changed proof, another cryptosuite and another key are refused")
    func tampering() throws {
        let credential = try Self.credential().objectValue
        var wider = credential
        var subject = credential["credentialSubject"]!.objectValue
        subject["asns"] = .array([.number(64500), .number(64501), .number(4_200_000_000)])
        wider["credentialSubject"] = .object(subject)
        #expect(refusal(MarkVerifier.verify(.object(wider), didDocument: Self.document(), at: Self.midway)) == .badSignature)

        var longer = credential
        longer["validUntil"] = .string("2036-11-18T10:26:40Z")
        #expect(refusal(MarkVerifier.verify(.object(longer), didDocument: Self.document(), at: Self.midway)) == .badSignature)

        var proof = credential["proof"]!.objectValue
        proof["cryptosuite"] = .string("ecdsa-jcs-2019")
        var otherSuite = credential
        otherSuite["proof"] = .object(proof)
        #expect(refusal(MarkVerifier.verify(.object(otherSuite), didDocument: Self.document(), at: Self.midway)) == .unsupportedProof)

        // Signed by a key the issuer does not publish.
        let stranger = IssuerSigningKey.generate()
        #expect(refusal(MarkVerifier.verify(try Self.credential(key: stranger), didDocument: Self.document(), at: Self.midway)) == .unknownKey)
        // The proof names the published key, but another key made the signature.
        var forged = try Self.credential(key: stranger).objectValue
        var forgedProof = forged["proof"]!.objectValue
        forgedProof["verificationMethod"] = .string(Self.addresses.issuer.methodID(Self.oldKey.publicKey.multibase))
        forged["proof"] = .object(forgedProof)
        #expect(refusal(MarkVerifier.verify(.object(forged), didDocument: Self.document(), at: Self.midway)) == .badSignature)
    }

    @Test("the issuer must be the DID document's and the expected one")
    func issuer() throws {
        let elsewhere = try PublicAddresses(origin: URL(string: "https://other.example")!)
        let otherDocument = IssuerDocument(issuer: elsewhere.issuer, keys: [Self.oldKey.publicKey]).didDocument
        #expect(refusal(MarkVerifier.verify(try Self.credential(), didDocument: otherDocument, at: Self.midway)) == .wrongIssuer)
        let copied = try CredentialIssuer(addresses: elsewhere, key: Self.oldKey).markCredential(
            Self.scope, credentialID: "urn:uuid:1", validFrom: Self.issued, validUntil: Self.until, statusIndex: 1, at: Self.issued)
        #expect(
            refusal(MarkVerifier.verify(copied, didDocument: otherDocument, at: Self.midway, expectedIssuer: Self.addresses.issuer)) == .wrongIssuer)
        #expect(MarkVerifier.verify(copied, didDocument: otherDocument, at: Self.midway).isSuccess)
    }

    @Test("the validity window: exactly at both ends valid, a second outside not")
    func validityWindow() throws {
        let credential = try Self.credential()
        let document = Self.document()
        #expect(MarkVerifier.verify(credential, didDocument: document, at: Self.issued).isSuccess)
        #expect(MarkVerifier.verify(credential, didDocument: document, at: Self.until).isSuccess)
        #expect(refusal(MarkVerifier.verify(credential, didDocument: document, at: Self.issued.addingTimeInterval(-1))) == .notYetValid)
        #expect(refusal(MarkVerifier.verify(credential, didDocument: document, at: Self.until.addingTimeInterval(1))) == .expired)
    }

    @Test("key rotation: the new key signs, marks signed by the old key keep verifying; a removed key no longer does")
    func rotation() throws {
        let old = try Self.credential(key: Self.oldKey)
        let new = try Self.credential(key: Self.newKey)
        let rotated = Self.document([Self.newKey, Self.oldKey])
        #expect(MarkVerifier.verify(old, didDocument: rotated, at: Self.midway).isSuccess)
        #expect(MarkVerifier.verify(new, didDocument: rotated, at: Self.midway).isSuccess)
        #expect(refusal(MarkVerifier.verify(old, didDocument: Self.document([Self.newKey]), at: Self.midway)) == .unknownKey)
        // The DID document and the JWKS list the same keys.
        let document = IssuerDocument(issuer: Self.addresses.issuer, keys: [Self.newKey.publicKey, Self.oldKey.publicKey])
        let methods = document.didDocument["verificationMethod"]?.array ?? []
        let jwks = document.jwks["keys"]?.array ?? []
        #expect(methods.map { $0["id"] } == jwks.map { $0["kid"] })
        #expect(document.didDocument["assertionMethod"]?.array == methods.map { $0["id"]! })
        for (method, jwk) in zip(methods, jwks) {
            #expect(jwk["kty"] == .string("OKP") && jwk["crv"] == .string("Ed25519"))
            let raw = try Multikey.decodePublicKey(try #require(method["publicKeyMultibase"]?.string))
            #expect(jwk["x"]?.string == Base64URL.encode(raw))
            #expect(jwk["x"]?.string?.count == 43)
        }
        // A key listed but not for issuing does not count.
        var notForIssuing = rotated.objectValue
        notForIssuing["assertionMethod"] = .array([.string(Self.addresses.issuer.methodID(Self.newKey.publicKey.multibase))])
        #expect(refusal(MarkVerifier.verify(old, didDocument: .object(notForIssuing), at: Self.midway)) == .unknownKey)
        // A relative reference ("#z6Mk…") in assertionMethod is the same key.
        var relative = Self.document().objectValue
        relative["assertionMethod"] = .array([.string("#" + Self.oldKey.publicKey.multibase)])
        #expect(MarkVerifier.verify(old, didDocument: .object(relative), at: Self.midway).isSuccess)
    }

    @Test("status lists: a suspended bit refuses, cleared on reinstatement it verifies; a revoked bit refuses")
    func statusLists() throws {
        let issuer = CredentialIssuer(addresses: Self.addresses, key: Self.oldKey)
        let credential = try Self.credential(statusIndex: 4242)
        let document = Self.document()
        var suspension = Bitstring()
        let revocation = Bitstring()
        let published = Self.midway
        func lists() throws -> [JSONValue] {
            [
                try issuer.statusList(.suspension, bits: suspension, at: published),
                try issuer.statusList(.revocation, bits: revocation, at: published),
            ]
        }
        let clear = try MarkVerifier.verify(credential, didDocument: document, at: Self.midway, statusLists: try lists()).get()
        #expect(clear.statusChecked == [.suspension, .revocation])

        suspension[4242] = true
        #expect(refusal(MarkVerifier.verify(credential, didDocument: document, at: Self.midway, statusLists: try lists())) == .suspended)
        suspension[4242] = false
        #expect(MarkVerifier.verify(credential, didDocument: document, at: Self.midway, statusLists: try lists()).isSuccess)
        // Another holder's bit does not touch this one.
        suspension[4243] = true
        #expect(MarkVerifier.verify(credential, didDocument: document, at: Self.midway, statusLists: try lists()).isSuccess)

        var revoked = revocation
        revoked[4242] = true
        let revokedLists = [try issuer.statusList(.revocation, bits: revoked, at: published)]
        let result = MarkVerifier.verify(credential, didDocument: document, at: Self.midway, statusLists: revokedLists)
        #expect(refusal(result) == .revoked)

        // The list credential's shape, as the spec's example has it.
        let list = try issuer.statusList(.revocation, bits: revoked, at: published)
        #expect(list["type"] == .array([.string("VerifiableCredential"), .string("BitstringStatusListCredential")]))
        #expect(list["credentialSubject"]?["statusPurpose"] == .string("revocation"))
        #expect(list["credentialSubject"]?["type"] == .string("BitstringStatusList"))
        #expect(try Bitstring(encoded: try #require(list["credentialSubject"]?["encodedList"]?.string))[4242])

        // A changed list, a list for the other purpose under this id, or one from another key are refused.
        var tampered = list.objectValue
        var subject = tampered["credentialSubject"]!.objectValue
        subject["encodedList"] = .string(Bitstring().encoded)
        tampered["credentialSubject"] = .object(subject)
        #expect(refusal(MarkVerifier.verify(credential, didDocument: document, at: Self.midway, statusLists: [.object(tampered)])) == .statusList)
        let stranger = try CredentialIssuer(addresses: Self.addresses, key: IssuerSigningKey.generate()).statusList(
            .revocation, bits: revoked, at: published)
        #expect(refusal(MarkVerifier.verify(credential, didDocument: document, at: Self.midway, statusLists: [stranger])) == .statusList)
        // A list published after the time checked says nothing about that time.
        #expect(refusal(MarkVerifier.verify(credential, didDocument: document, at: Self.issued, statusLists: revokedLists)) == .statusList)
    }

    @Test("the signing key never shows its secret in a description, a debug description or a dump")
    func secretNeverShown() {
        var dumped = ""
        dump(Self.oldKey, to: &dumped)
        let secret = Self.oldKey.secretKeyMultibase
        let seedHex = Hex.encode(Self.oldKey.privateKey.rawRepresentation)
        for text in [String(describing: Self.oldKey), String(reflecting: Self.oldKey), dumped, "\(Self.oldKey)"] {
            #expect(!text.contains(secret) && !text.contains(seedHex), "\(text)")
        }
    }

    @Test("the signed credential is canonical JSON the Canonical module reproduces")
    func canonicalForm() throws {
        let credential = try Self.credential()
        let text = String(decoding: JCS.canonicalize(credential), as: UTF8.self)
        #expect(text.contains("\"asns\":[64500,4200000000]"))
        #expect(!text.contains("e+"))
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
