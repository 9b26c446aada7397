import Foundation

/// A network's registered contacts, from PeeringDB.
public struct PeeringDBNetwork: Sendable, Hashable {
    public struct Contact: Sendable, Hashable {
        public let role: String
        public let email: String?
        public let phone: String?
        public let visible: String?
    }

    public let id: Int
    public let asn: ASN
    public let name: String
    public var contacts: [Contact]

    /// A reachable NOC: a NOC or Technical contact with an email or phone.
    public var hasNOC: Bool { contacts.contains { ["noc", "technical"].contains($0.role.lowercased()) && $0.isReachable } }
    public var hasAbuse: Bool { contacts.contains { $0.role.lowercased() == "abuse" && $0.isReachable } }
}

extension PeeringDBNetwork.Contact {
    var isReachable: Bool { !(email ?? "").isEmpty || !(phone ?? "").isEmpty }
}

/// Reads PeeringDB JSON dumps `{"data": [...]}` of `net` objects (with or without an embedded
/// `poc_set`) and `poc` objects (`net_id`, `role`, `email`, `phone`, `visible`), in one file or several.
public enum PeeringDBReader {
    private struct Dump: Decodable {
        let data: [Record]
    }

    private struct Record: Decodable {
        let id: Int?
        let asn: ASN?
        let name: String?
        let netID: Int?
        let role: String?
        let email: String?
        let phone: String?
        let visible: String?
        let pocSet: [Record]?

        enum CodingKeys: String, CodingKey {
            case id, asn, name, role, email, phone, visible
            case netID = "net_id"
            case pocSet = "poc_set"
        }

        var contact: PeeringDBNetwork.Contact? {
            guard let role else { return nil }
            return .init(role: role, email: email, phone: phone, visible: visible)
        }
    }

    /// Networks by ASN, with the contacts found for them in `paths`.
    public static func read(paths: [String]) throws -> [ASN: PeeringDBNetwork] {
        var networks: [Int: PeeringDBNetwork] = [:]
        var contacts: [(netID: Int, contact: PeeringDBNetwork.Contact)] = []
        for path in paths {
            let bytes = Data(try ByteStream(path: path).readAll())
            let dump: Dump
            do {
                dump = try JSONDecoder().decode(Dump.self, from: bytes)
            } catch {
                throw RoutingDataError(file: path, reason: "not a PeeringDB dump: \(error)")
            }
            for record in dump.data {
                if let asn = record.asn, let id = record.id {
                    networks[id] = PeeringDBNetwork(
                        id: id, asn: asn, name: record.name ?? "", contacts: (record.pocSet ?? []).compactMap(\.contact))
                } else if let netID = record.netID, let contact = record.contact {
                    contacts.append((netID, contact))
                }
            }
        }
        for (netID, contact) in contacts { networks[netID]?.contacts.append(contact) }
        return Dictionary(networks.values.map { ($0.asn, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
