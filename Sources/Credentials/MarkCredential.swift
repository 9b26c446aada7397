import Canonical
import Foundation

/// What a mark certifies: who, for which program and tier, over which resources and actions.
public struct MarkScope: Sendable, Equatable {
    public var mark: MarkID
    /// The organisation's name as the registry holds it.
    public var organisation: String
    /// The program's code (`netops`, `cdn`, `ixp`, …) and its name.
    public var program: String
    public var programName: String
    /// The tier's code (`baseline`, `plus`) and its name (`MANRS`, `MANRS+`).
    public var tier: String
    public var tierName: String
    /// The ASNs and prefixes recorded at grant, in canonical form.
    public var asns: [UInt32]
    public var prefixes: [String]
    /// The catalog actions the certification covers (`netops.1`, …).
    public var actions: [String]

    public init(
        mark: MarkID, organisation: String, program: String, programName: String, tier: String, tierName: String, asns: [UInt32],
        prefixes: [String], actions: [String]
    ) {
        self.mark = mark
        self.organisation = organisation
        self.program = program
        self.programName = programName
        self.tier = tier
        self.tierName = tierName
        self.asns = asns
        self.prefixes = prefixes
        self.actions = actions
    }
}

/// The mark as a W3C Verifiable Credential 2.0.
public enum MarkCredential {
    public static let context = "https://www.w3.org/ns/credentials/v2"
    public static let credentialType = "ManrsPlusMarkCredential"
    public static let subjectType = "ManrsPlusMark"

    /// The unsigned credential of a mark. `credentialID` names this issuance (a recertification
    /// issues a new credential under the same mark id); `statusIndex` is the mark's bit in both
    /// status lists.
    ///
    /// The only context is the VC 2.0 one, whose `@vocab` covers the subject's own terms; the
    /// proof is over the JSON (eddsa-jcs-2022), so no JSON-LD processing is needed to verify it.
    public static func unsigned(
        _ scope: MarkScope, credentialID: String, validFrom: Date, validUntil: Date, statusIndex: Int, addresses: PublicAddresses
    ) -> [String: JSONValue] {
        [
            "@context": .array([.string(context)]),
            "id": .string(credentialID),
            "type": .array([.string("VerifiableCredential"), .string(credentialType)]),
            "name": .string("MANRS+ mark \(scope.mark.text)"),
            "issuer": .string(addresses.issuer.did),
            "validFrom": .string(DateTimeStamp.format(validFrom)),
            "validUntil": .string(DateTimeStamp.format(validUntil)),
            "credentialSubject": .object([
                "id": .string(addresses.markPage(scope.mark).absoluteString),
                "type": .string(subjectType),
                "markId": .string(scope.mark.text),
                "organisation": .object(["name": .string(scope.organisation)]),
                "program": .object(["id": .string(scope.program), "name": .string(scope.programName)]),
                "tier": .object(["id": .string(scope.tier), "name": .string(scope.tierName)]),
                "asns": .array(scope.asns.map { .number(Double($0)) }),
                "prefixes": .array(scope.prefixes.map { .string($0) }),
                "actions": .array(scope.actions.map { .string($0) }),
            ]),
            "credentialStatus": .array(StatusPurpose.allCases.map { StatusList.entry($0, index: statusIndex, addresses: addresses) }),
        ]
    }
}

/// Signs what the deployment issues (mark credentials, status lists) with its current key.
public struct CredentialIssuer: Sendable {
    public let addresses: PublicAddresses
    public let key: IssuerSigningKey

    public init(addresses: PublicAddresses, key: IssuerSigningKey) {
        self.addresses = addresses
        self.key = key
    }

    /// The verification method id of the signing key.
    public var verificationMethod: String { key.publicKey.methodID(under: addresses.issuer) }

    /// `document` signed with an eddsa-jcs-2022 proof created at `at`.
    public func sign(_ document: [String: JSONValue], at: Date) throws(CredentialRefusal) -> JSONValue {
        let options = EddsaJcs2022.proofOptions(verificationMethod: verificationMethod, created: at)
        return .object(try EddsaJcs2022.sign(document, options: options, key: key.privateKey))
    }

    /// The signed credential of a mark (see `MarkCredential.unsigned`), signed at `at`.
    public func markCredential(_ scope: MarkScope, credentialID: String, validFrom: Date, validUntil: Date, statusIndex: Int, at: Date)
        throws(CredentialRefusal) -> JSONValue
    {
        try sign(
            MarkCredential.unsigned(
                scope, credentialID: credentialID, validFrom: validFrom, validUntil: validUntil, statusIndex: statusIndex, addresses: addresses),
            at: at)
    }

    /// The signed status list credential of `purpose`, signed at `at` and valid from then.
    public func statusList(_ purpose: StatusPurpose, bits: Bitstring, at: Date, validUntil: Date? = nil) throws(CredentialRefusal) -> JSONValue {
        try sign(StatusList.credential(purpose, bits: bits, addresses: addresses, validFrom: at, validUntil: validUntil), at: at)
    }
}
