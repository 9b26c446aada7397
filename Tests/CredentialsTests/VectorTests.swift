import Canonical
import Credentials
import Crypto
import Foundation
import Testing

/// The official vectors: Multikey, W3C eddsa-jcs-2022, did:web, Bitstring Status List.
@Suite("Credential format vectors")
struct VectorTests {
    @Test("Multikey: every public key and seed encodes and decodes as the vectors say")
    func multikey() throws {
        let vectors = try Fixtures.json("multikey/vectors.json")["vectors"]!.array
        #expect(vectors.count == 7)
        for vector in vectors {
            let multibase = try #require(vector["publicKeyMultibase"]?.string)
            let rawHex = try #require(vector["rawPublicKeyHex"]?.string)
            let raw = try #require(Hex.decode(rawHex))
            #expect(Multikey.encodePublicKey(raw) == multibase)
            #expect(try Multikey.decodePublicKey(multibase) == raw)
            #expect(multibase.hasPrefix("z6Mk"))
            if let secret = vector["secretKeyMultibase"]?.string {
                let seedHex = try #require(vector["rawSecretSeedHex"]?.string)
                let seed = try #require(Hex.decode(seedHex))
                #expect(Multikey.encodeSecretKey(seed) == secret)
                #expect(try Multikey.decodeSecretKey(secret) == seed)
                // The public key is the one derived from the seed.
                let key = try IssuerSigningKey(secretKeyMultibase: secret)
                #expect(key.publicKey.multibase == multibase)
            }
        }
        // A secret key is not a public key, and the other way round.
        let pair = try Fixtures.json("eddsa/keyPair.json")
        let secret = try #require(pair["privateKeyMultibase"]?.string)
        let public_ = try #require(pair["publicKeyMultibase"]?.string)
        #expect(throws: CredentialRefusal.self) { try Multikey.decodePublicKey(secret) }
        #expect(throws: CredentialRefusal.self) { try Multikey.decodeSecretKey(public_) }
        #expect(throws: CredentialRefusal.self) { try Multikey.decodePublicKey("u" + public_.dropFirst()) }
        #expect(throws: CredentialRefusal.self) { try Multikey.decodePublicKey("z6Mk0OIl") }
        #expect(try IssuerSigningKey(secretKeyMultibase: secret).publicKey.multibase == public_)
    }

    @Test("Base58: leading zeros and round trips")
    func base58() {
        #expect(Base58.encode([0, 0, 1]) == "112")
        #expect(Base58.decode("112") == [0, 0, 1])
        #expect(Base58.encode([]) == "")
        for length in [1, 2, 31, 32, 34, 64] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base58.decode(Base58.encode(bytes)) == bytes)
        }
        #expect(Base58.decode("0OIl") == nil)
    }

    @Test("eddsa-jcs-2022: every intermediate, the signature and the signed credential, byte for byte")
    func eddsaJCS() throws {
        let directory = "eddsa/eddsa-jcs-2022/"
        let unsigned = try Fixtures.object("eddsa/unsigned.json")
        var options = try Fixtures.object(directory + "proofConfigJCS.json")
        // proofConfigJCS.json is the proof configuration: the options with the document's
        // @context, which signing adds itself.
        options["@context"] = nil
        let steps = EddsaJcs2022.intermediates(document: unsigned, options: options)
        #expect(String(decoding: steps.canonicalDocument, as: UTF8.self) == (try Fixtures.text(directory + "canonDocJCS.txt")))
        #expect(Hex.encode(steps.documentHash) == (try Fixtures.text(directory + "docHashJCS.txt")))
        #expect(String(decoding: steps.canonicalProofConfig, as: UTF8.self) == (try Fixtures.text(directory + "proofCanonJCS.txt")))
        #expect(Hex.encode(steps.proofConfigHash) == (try Fixtures.text(directory + "proofHashJCS.txt")))
        #expect(Hex.encode(steps.combined) == (try Fixtures.text(directory + "combinedHashJCS.txt")))

        let pair = try Fixtures.json("eddsa/keyPair.json")
        let key = try IssuerSigningKey(secretKeyMultibase: try #require(pair["privateKeyMultibase"]?.string))
        let signed = try EddsaJcs2022.sign(unsigned, options: options, key: key.privateKey)
        let expected = try Fixtures.object(directory + "signedJCS.json")
        // Ed25519 (RFC 8032) is deterministic, and swift-crypto's BoringSSL signs so on Linux: the
        // signature and the whole signed credential are the vector's. Apple's CryptoKit adds
        // randomness to each signature, so there only the verification below applies.
        #if os(Linux)
            let proofValue = try #require(signed["proof"]?["proofValue"]?.string)
            #expect(proofValue == (try Fixtures.text(directory + "sigBTC58JCS.txt")))
            #expect(Hex.encode(try #require(Base58.decode(proofValue.dropFirst()))) == (try Fixtures.text(directory + "sigHexJCS.txt")))
            #expect(signed == expected)
            #expect(JCS.canonicalize(.object(signed)) == JCS.canonicalize(.object(expected)))
        #endif
        #expect(EddsaJcs2022.verify(signed, publicKey: [UInt8](key.privateKey.publicKey.rawRepresentation)).isSuccess)
        // The vector's signature hex is its proofValue.
        let vectorValue = try #require(expected["proof"]?["proofValue"]?.string)
        #expect(Hex.encode(try #require(Base58.decode(vectorValue.dropFirst()))) == (try Fixtures.text(directory + "sigHexJCS.txt")))

        // The vector verifies against its key, and the intermediates read from it are the same.
        let publicKey = try Multikey.decodePublicKey(try #require(pair["publicKeyMultibase"]?.string))
        let proof = try EddsaJcs2022.verify(expected, publicKey: publicKey).get()
        #expect(proof.verificationMethod.hasSuffix("#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"))
        #expect(proof.created == "2023-02-24T23:36:38Z")
    }

    @Test("eddsa-jcs-2022 verification refuses a changed document, a changed proof, another key and another cryptosuite")
    func eddsaJCSRefusals() throws {
        let signed = try Fixtures.object("eddsa/eddsa-jcs-2022/signedJCS.json")
        let pair = try Fixtures.json("eddsa/keyPair.json")
        let publicKey = try Multikey.decodePublicKey(try #require(pair["publicKeyMultibase"]?.string))

        var document = signed
        document["name"] = .string("Alumni Credential!")
        #expect(code(EddsaJcs2022.verify(document, publicKey: publicKey)) == .badSignature)

        var subject = signed
        subject["credentialSubject"] = .object(["id": .string("did:example:abcdefgh"), "alumniOf": .string("Another School")])
        #expect(code(EddsaJcs2022.verify(subject, publicKey: publicKey)) == .badSignature)

        func withProof(_ change: (inout [String: JSONValue]) -> Void) -> [String: JSONValue] {
            var copy = signed
            guard case .object(var proof)? = copy["proof"] else { return copy }
            change(&proof)
            copy["proof"] = .object(proof)
            return copy
        }
        #expect(code(EddsaJcs2022.verify(withProof { $0["created"] = .string("2023-02-24T23:36:39Z") }, publicKey: publicKey)) == .badSignature)
        #expect(code(EddsaJcs2022.verify(withProof { $0["cryptosuite"] = .string("eddsa-rdfc-2022") }, publicKey: publicKey)) == .unsupportedProof)
        #expect(code(EddsaJcs2022.verify(withProof { $0["type"] = .string("Ed25519Signature2020") }, publicKey: publicKey)) == .unsupportedProof)
        #expect(code(EddsaJcs2022.verify(withProof { $0["proofValue"] = .string("not base58") }, publicKey: publicKey)) == .malformed)
        // A proof made for another @context does not carry over.
        #expect(
            code(EddsaJcs2022.verify(withProof { $0["@context"] = .array([.string("https://www.w3.org/ns/credentials/v2")]) }, publicKey: publicKey))
                == .badSignature)

        let other = try Multikey.decodePublicKey("z6MktgKTsu1QhX6QPbyqG6geXdw6FQCZBPq7uQpieWbiQiG7")
        #expect(code(EddsaJcs2022.verify(signed, publicKey: other)) == .badSignature)
        var unsigned = signed
        unsigned["proof"] = nil
        #expect(code(EddsaJcs2022.verify(unsigned, publicKey: publicKey)) == .malformed)
    }

    @Test("did:web: every DID maps to the URL of its document, and the URL back to the DID")
    func didWeb() throws {
        let vectors = try Fixtures.json("did-web/vectors.json")["vectors"]!.array
        #expect(vectors.count == 6)
        for vector in vectors {
            let did = try DIDWeb(try #require(vector["did"]?.string))
            #expect(did.documentURL.absoluteString == vector["url"]?.string)
            // And back: the document's address gives the DID.
            let urlText = try #require(vector["url"]?.string)
            let url = try #require(URL(string: urlText))
            #expect(try DIDWeb(documentURL: url) == did)
        }
        #expect(try DIDWeb(origin: URL(string: "https://manrs.example")!).did == "did:web:manrs.example")
        #expect(try DIDWeb(origin: URL(string: "https://Manrs.Example/")!).did == "did:web:manrs.example")
        #expect(try DIDWeb(origin: URL(string: "https://example.com:3000/user/alice")!).did == "did:web:example.com%3A3000:user:alice")
        // Origin → DID → URL lands where the origin serves /.well-known/did.json.
        #expect(
            try DIDWeb(origin: URL(string: "https://localhost:8443")!).documentURL.absoluteString == "https://localhost:8443/.well-known/did.json")
        for bad in ["did:key:z6Mk", "did:web:", "did:web:example.com::x", "https://example.com"] {
            #expect(throws: CredentialRefusal.self, "\(bad)") { try DIDWeb(bad) }
        }
        #expect(throws: CredentialRefusal.self) { try DIDWeb(origin: URL(string: "http://manrs.example")!) }
    }

    @Test("Bitstring Status List: every vector decodes to its bits; the legacy bit order reads as another index")
    func bitstringVectors() throws {
        let vectors = try Fixtures.json("bitstring-status-list/vectors.json")["vectors"]!.array
        #expect(vectors.count == 8)
        for vector in vectors {
            let name = vector["name"]?.string ?? "?"
            let bits: Bitstring
            if let encoded = vector["encodedList"]?.string {
                bits = try Bitstring(encoded: encoded, minimumLength: 8)
            } else {
                let raw = try #require(vector["encodedBits (no multibase 'u' header)"]?.string)
                bits = try Bitstring(base64URLGzip: Substring(raw), minimumLength: 8)
            }
            let length = try #require(vector["bitLength"].flatMap { if case .number(let n) = $0 { Int(n) } else { nil } })
            #expect(bits.count == length, "\(name)")
            #expect(Hex.encode(SHA256.hash(data: bits.bytes)) == vector["sha256OfDecodedBitstring"]?.string, "\(name)")
            let setBits = (vector["setBits"]?.array ?? []).compactMap { if case .number(let n) = $0 { Int(n) } else { nil } }
            #expect(bits.setIndices == setBits, "\(name)")
            let size = vector["statusSize"].flatMap { if case .number(let n) = $0 { Int(n) } else { nil } } ?? 1
            for (index, value) in (vector["checks"] ?? vector["entryValues"])?.objectValue ?? [:] {
                guard case .number(let expected) = value else { continue }
                #expect(bits.entry(Int(index)!, size: size) == Int(expected), "\(name) entry \(index)")
            }
            // Below the spec's minimum, a status list verifier refuses the list.
            if length < Bitstring.minimumLength, let encoded = vector["encodedList"]?.string {
                #expect(throws: CredentialRefusal.self, "\(name)") { try Bitstring(encoded: encoded) }
            }
        }
        // The legacy list, labelled "50,000th revoked" upstream, must not read as index 50000.
        let legacy = try #require(vectors.first { $0["name"]?.string == "digitalbazaar-LEGACY-bit-order-100000" })
        let legacyBits = try Bitstring(encoded: try #require(legacy["encodedList"]?.string), minimumLength: 8)
        #expect(!legacyBits[50000] && legacyBits[50007])
    }

    @Test("Bitstring Status List: set and clear bits, encode, decode; the spec examples")
    func bitstringRoundTrip() throws {
        var bits = Bitstring()
        #expect(bits.count == 131_072 && bits.bytes.count == 16_384)
        #expect(bits.encoded.hasPrefix("uH4sI"))
        for index in [0, 1, 7, 8, 4242, 50000, 94567, 131_071] { bits[index] = true }
        #expect(bits.bytes[0] == 0b1100_0001 && bits.bytes[1] == 0x80)
        let decoded = try Bitstring(encoded: bits.encoded)
        #expect(decoded == bits)
        // The same bits as the derived vector, whatever the compressor wrote.
        let derived = try Fixtures.json("bitstring-status-list/vectors.json")["vectors"]!.array.first {
            $0["name"]?.string == "DERIVED-131072-multi-bits"
        }
        #expect(try Bitstring(encoded: try #require(derived?["encodedList"]?.string)) == bits)
        bits[50000] = false
        #expect(!bits[50000] && bits[94567])
        #expect(try Bitstring(encoded: bits.encoded).setIndices == [0, 1, 7, 8, 4242, 94567, 131_071])

        // The spec's example pair: the credential's index 94567 reads 0 in the example list.
        let list = try Fixtures.json("bitstring-status-list/spec-example-status-list-credential.json")
        let credential = try Fixtures.json("bitstring-status-list/spec-example-revocable-credential.json")
        let entry = try StatusList.Entry(try #require(credential["credentialStatus"]))
        #expect(entry.purpose == .revocation && entry.index == 94567 && entry.listCredential == list["id"]?.string)
        let example = try Bitstring(encoded: try #require(list["credentialSubject"]?["encodedList"]?.string))
        #expect(example.count == 131_072 && !example[entry.index] && example.setIndices.isEmpty)

        for bad in ["H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA", "u!!!", "u" + Base64URL.encode(Array("plain".utf8))] {
            #expect(throws: CredentialRefusal.self, "\(bad)") { try Bitstring(encoded: bad) }
        }
    }

    func code<T>(_ result: Result<T, CredentialRefusal>) -> CredentialRefusal.Code? {
        if case .failure(let refusal) = result { return refusal.code }
        return nil
    }
}
