import Canonical
import Foundation

/// What a status list says when a credential's bit is set.
public enum StatusPurpose: String, Sendable, CaseIterable, Codable {
    /// Reversible: a warned or suspended mark; the bit is cleared on reinstatement.
    case suspension
    /// Final: the bit is never cleared (an overturned revocation issues a new credential).
    case revocation
}

/// Bitstring Status List documents: the entry a credential carries, and the list credential.
public enum StatusList {
    public static let credentialType = "BitstringStatusListCredential"
    public static let entryType = "BitstringStatusListEntry"

    /// A credential's `credentialStatus` entry pointing at bit `index` of the `purpose` list.
    public static func entry(_ purpose: StatusPurpose, index: Int, addresses: PublicAddresses) -> JSONValue {
        let list = addresses.statusList(purpose).absoluteString
        return .object([
            "id": .string("\(list)#\(index)"),
            "type": .string(entryType),
            "statusPurpose": .string(purpose.rawValue),
            "statusListIndex": .string(String(index)),
            "statusListCredential": .string(list),
        ])
    }

    /// The unsigned status list credential of `purpose` holding `bits`, valid from `validFrom`
    /// (and until `validUntil`, when lists are republished on a schedule).
    public static func credential(_ purpose: StatusPurpose, bits: Bitstring, addresses: PublicAddresses, validFrom: Date, validUntil: Date? = nil)
        -> [String: JSONValue]
    {
        let list = addresses.statusList(purpose).absoluteString
        var credential: [String: JSONValue] = [
            "@context": .array([.string(MarkCredential.context)]),
            "id": .string(list),
            "type": .array([.string("VerifiableCredential"), .string(credentialType)]),
            "issuer": .string(addresses.issuer.did),
            "validFrom": .string(DateTimeStamp.format(validFrom)),
            "credentialSubject": .object([
                "id": .string(list + "#list"),
                "type": .string("BitstringStatusList"),
                "statusPurpose": .string(purpose.rawValue),
                "encodedList": .string(bits.encoded),
            ]),
        ]
        if let validUntil { credential["validUntil"] = .string(DateTimeStamp.format(validUntil)) }
        return credential
    }

    /// A `credentialStatus` entry as read from a credential.
    public struct Entry: Sendable, Equatable {
        public let purpose: StatusPurpose
        public let index: Int
        public let listCredential: String

        /// Reads an entry; refuses another type, an unknown purpose or an index that is not a base-10 number.
        public init(_ value: JSONValue) throws(CredentialRefusal) {
            guard case .object(let fields) = value, fields["type"] == .string(StatusList.entryType) else {
                throw CredentialRefusal(.malformed, "The credential's status entry is not a Bitstring Status List entry.")
            }
            guard case .string(let purposeText)? = fields["statusPurpose"], let purpose = StatusPurpose(rawValue: purposeText) else {
                throw CredentialRefusal(.malformed, "The credential's status entry has a purpose other than suspension or revocation.")
            }
            guard case .string(let indexText)? = fields["statusListIndex"], indexText.allSatisfy(\.isASCII), indexText.allSatisfy(\.isNumber),
                let index = Int(indexText), case .string(let list)? = fields["statusListCredential"]
            else {
                throw CredentialRefusal(.malformed, "The credential's status entry does not say where in which list its status is.")
            }
            self.purpose = purpose
            self.index = index
            self.listCredential = list
        }
    }
}
