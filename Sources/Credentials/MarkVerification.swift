import Canonical
import Foundation

/// A mark credential that verified: what it certifies, who signed it, and what was checked.
public struct VerifiedMark: Sendable, Equatable {
    public let scope: MarkScope
    public let credentialID: String
    public let issuer: DIDWeb
    /// The verification method that signed it.
    public let verificationMethod: String
    public let validFrom: Date
    public let validUntil: Date
    /// The credential's status entries: where its status is published, one per purpose.
    public let statusEntries: [StatusList.Entry]
    /// The status purposes whose published list was checked (and found clear); the others were not given.
    public let statusChecked: Set<StatusPurpose>
}

/// Verifies mark credentials as a buyer's tool does: offline, against the issuer's DID document.
public enum MarkVerifier {
    /// Checks, in this order: the credential's shape, that the DID document is the issuer's
    /// (and the issuer the expected one, when given), the proof's type and cryptosuite, that the
    /// signing key is listed for issuing, the signature, the validity window at `at`, and for each
    /// status list given (signed list credentials the credential points to) that its bit is clear.
    ///
    /// - Parameters:
    ///   - at: the time the credential must be valid at (a parameter: the caller's clock).
    ///   - statusLists: status list credentials, for instance downloaded from the URLs the
    ///     credential names; a purpose without a list is reported as not checked.
    public static func verify(
        _ credential: JSONValue, didDocument: JSONValue, at: Date, expectedIssuer: DIDWeb? = nil, statusLists: [JSONValue] = []
    ) -> Result<VerifiedMark, CredentialRefusal> {
        Result { () throws(CredentialRefusal) in
            try verifyThrowing(credential, didDocument: didDocument, at: at, expectedIssuer: expectedIssuer, statusLists: statusLists)
        }
    }

    static func verifyThrowing(_ credential: JSONValue, didDocument: JSONValue, at: Date, expectedIssuer: DIDWeb?, statusLists: [JSONValue])
        throws(CredentialRefusal) -> VerifiedMark
    {
        guard case .object(let fields) = credential else { throw .malformed("The file is not a credential: it is not a JSON object.") }
        guard case .array(let contexts)? = fields["@context"], contexts.first == .string(MarkCredential.context) else {
            throw .malformed("The file is not a Verifiable Credential 2.0: its @context does not start with \(MarkCredential.context).")
        }
        guard case .array(let types)? = fields["type"], types.contains(.string("VerifiableCredential")),
            types.contains(.string(MarkCredential.credentialType))
        else {
            throw .malformed("The credential is not a MANRS+ mark credential.")
        }
        let issuer = try signedIssuer(fields, expectedIssuer: expectedIssuer)
        let (method, _) = try checkProof(fields, didDocument: didDocument, issuer: issuer)
        guard case .string(let fromText)? = fields["validFrom"], let validFrom = DateTimeStamp.parse(fromText),
            case .string(let untilText)? = fields["validUntil"], let validUntil = DateTimeStamp.parse(untilText)
        else {
            throw .malformed("The credential does not say from when until when it is valid.")
        }
        guard at >= validFrom else {
            throw CredentialRefusal(.notYetValid, "The credential is not valid yet: it is valid from \(fromText).")
        }
        guard at <= validUntil else {
            throw CredentialRefusal(.expired, "The credential has expired: it was valid until \(untilText).")
        }
        let scope = try readScope(fields)
        var checked: Set<StatusPurpose> = []
        let values: [JSONValue] =
            switch fields["credentialStatus"] {
            case .array(let items)?: items
            case let item?: [item]
            case nil: []
            }
        var entries: [StatusList.Entry] = []
        for value in values { entries.append(try StatusList.Entry(value)) }
        for entry in entries {
            guard
                let list = statusLists.first(where: { list in
                    if case .object(let listFields) = list, listFields["id"] == .string(entry.listCredential) { return true }
                    return false
                })
            else { continue }
            let bits = try checkStatusList(list, for: entry, didDocument: didDocument, issuer: issuer, at: at)
            guard entry.index < bits.count else {
                throw CredentialRefusal(.statusList, "The credential's place in the \(entry.purpose.rawValue) list is outside the list.")
            }
            if bits[entry.index] {
                switch entry.purpose {
                case .suspension: throw CredentialRefusal(.suspended, "The mark is suspended: the issuer's suspension list marks this credential.")
                case .revocation: throw CredentialRefusal(.revoked, "The mark is revoked: the issuer's revocation list marks this credential.")
                }
            }
            checked.insert(entry.purpose)
        }
        guard case .string(let credentialID)? = fields["id"] else { throw .malformed("The credential has no id.") }
        return VerifiedMark(
            scope: scope, credentialID: credentialID, issuer: issuer, verificationMethod: method, validFrom: validFrom, validUntil: validUntil,
            statusEntries: entries, statusChecked: checked)
    }

    /// The did:web issuer a credential names (as a string or an object with an `id`).
    public static func issuer(of credential: JSONValue) throws(CredentialRefusal) -> DIDWeb {
        let issuerText: String
        switch credential["issuer"] {
        case .string(let text)?: issuerText = text
        case .object(let object)?:
            guard case .string(let text)? = object["id"] else { throw .malformed("The credential does not name its issuer.") }
            issuerText = text
        default: throw .malformed("The credential does not name its issuer.")
        }
        do {
            return try DIDWeb(issuerText)
        } catch {
            throw CredentialRefusal(.wrongIssuer, "The credential's issuer \(issuerText) is not a did:web identifier.")
        }
    }

    /// The credential's issuer, when it is a did:web and the expected one.
    static func signedIssuer(_ fields: [String: JSONValue], expectedIssuer: DIDWeb?) throws(CredentialRefusal) -> DIDWeb {
        let issuer = try issuer(of: .object(fields))
        if let expectedIssuer, expectedIssuer != issuer {
            throw CredentialRefusal(.wrongIssuer, "The credential was issued by \(issuer.did), not by \(expectedIssuer.did).")
        }
        return issuer
    }

    /// Checks the proof of a document issued by `issuer`; returns the verification method and the proof.
    static func checkProof(_ fields: [String: JSONValue], didDocument: JSONValue, issuer: DIDWeb) throws(CredentialRefusal)
        -> (String, EddsaJcs2022.Proof)
    {
        let proof = try EddsaJcs2022.Proof(of: fields)
        guard proof.proofPurpose == "assertionMethod" else {
            throw CredentialRefusal(.unsupportedProof, "The proof was not made for issuing credentials (its purpose is \(proof.proofPurpose)).")
        }
        let key = try IssuerDocument.assertionKey(proof.verificationMethod, in: didDocument, issuer: issuer).get()
        _ = try EddsaJcs2022.verify(fields, publicKey: key.raw).get()
        return (proof.verificationMethod, proof)
    }

    /// The bits of a signed status list credential, after checking it is the one `entry` names,
    /// for its purpose, signed by the same issuer and valid at `at`.
    static func checkStatusList(_ list: JSONValue, for entry: StatusList.Entry, didDocument: JSONValue, issuer: DIDWeb, at: Date)
        throws(CredentialRefusal) -> Bitstring
    {
        guard case .object(let fields) = list, case .array(let types)? = fields["type"], types.contains(.string(StatusList.credentialType)),
            case .object(let subject)? = fields["credentialSubject"]
        else {
            throw CredentialRefusal(.statusList, "The status list file is not a Bitstring Status List credential.")
        }
        do {
            let listIssuer = try signedIssuer(fields, expectedIssuer: issuer)
            _ = try checkProof(fields, didDocument: didDocument, issuer: listIssuer)
        } catch {
            throw CredentialRefusal(.statusList, "The \(entry.purpose.rawValue) list does not verify: \(error.message)")
        }
        guard subject["statusPurpose"] == .string(entry.purpose.rawValue), case .string(let encoded)? = subject["encodedList"] else {
            throw CredentialRefusal(.statusList, "The status list given for \(entry.purpose.rawValue) is a list for another purpose.")
        }
        if case .string(let fromText)? = fields["validFrom"], let from = DateTimeStamp.parse(fromText), at < from {
            throw CredentialRefusal(.statusList, "The \(entry.purpose.rawValue) list was published after the time checked (\(fromText)).")
        }
        if case .string(let untilText)? = fields["validUntil"], let until = DateTimeStamp.parse(untilText), at > until {
            throw CredentialRefusal(.statusList, "The \(entry.purpose.rawValue) list is out of date: it was valid until \(untilText).")
        }
        return try Bitstring(encoded: encoded)
    }

    static func readScope(_ fields: [String: JSONValue]) throws(CredentialRefusal) -> MarkScope {
        let unreadable = CredentialRefusal.malformed("The credential does not describe a MANRS+ mark.")
        guard case .object(let subject)? = fields["credentialSubject"], case .string(let markText)? = subject["markId"],
            case .object(let organisation)? = subject["organisation"], case .string(let name)? = organisation["name"],
            case .object(let program)? = subject["program"], case .string(let programID)? = program["id"],
            case .string(let programName)? = program["name"], case .object(let tier)? = subject["tier"],
            case .string(let tierID)? = tier["id"], case .string(let tierName)? = tier["name"],
            case .array(let asnValues)? = subject["asns"], case .array(let prefixValues)? = subject["prefixes"],
            case .array(let actionValues)? = subject["actions"]
        else { throw unreadable }
        var asns: [UInt32] = []
        for case .number(let number) in asnValues {
            guard let asn = UInt32(exactly: number) else { throw unreadable }
            asns.append(asn)
        }
        let prefixes = prefixValues.compactMap { value -> String? in if case .string(let text) = value { text } else { nil } }
        let actions = actionValues.compactMap { value -> String? in if case .string(let text) = value { text } else { nil } }
        guard asns.count == asnValues.count, prefixes.count == prefixValues.count, actions.count == actionValues.count else { throw unreadable }
        return MarkScope(
            mark: try MarkID(parsing: markText), organisation: name, program: programID, programName: programName, tier: tierID, tierName: tierName,
            asns: asns,
            prefixes: prefixes, actions: actions)
    }
}

extension JSONValue {
    /// The member `key` of an object; nil for anything else.
    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}
