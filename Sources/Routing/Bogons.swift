/// What makes a prefix or an AS unfit for the global routing table (domain.md, "Bogons").
public struct Bogons: Sendable {
    /// Why a prefix is a bogon.
    public enum PrefixReason: Sendable, Hashable, CustomStringConvertible {
        /// Inside a special-purpose block (RFC 6890 and friends).
        case specialPurpose(IPPrefix)
        /// Inside unallocated space, from the full-bogons list.
        case unallocated(IPPrefix)
        /// The default route itself.
        case defaultRoute

        public var description: String {
            switch self {
            case .specialPurpose(let block): "inside special-purpose \(block)"
            case .unallocated(let block): "inside unallocated \(block)"
            case .defaultRoute: "the default route"
            }
        }
    }

    public static let specialPurposeIPv4 = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.2.0/24",
        "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    ]
    public static let specialPurposeIPv6 = [
        "::/8", "100::/64", "2001:2::/48", "2001:10::/28", "2001:db8::/32", "2002::/16", "3ffe::/16", "3fff::/20", "5f00::/16",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ]

    /// Both lists, parsed once. The literals above are valid prefixes: `ReaderTests` holds
    /// that every one of them is here, so none is dropped unseen, and nothing traps at run time.
    public static let specialPurposeBlocks = (specialPurposeIPv4 + specialPurposeIPv6).compactMap { try? IPPrefix($0) }

    private let specialPurpose: PrefixSet
    private let unallocated: PrefixSet

    /// The special-purpose lists, plus `fullBogons` (e.g. Team Cymru's) when given.
    public init(fullBogons: [IPPrefix] = []) {
        specialPurpose = PrefixSet(Self.specialPurposeBlocks)
        unallocated = PrefixSet(fullBogons)
    }

    /// A special-purpose block inside `prefix` (which then holds space no one may route), or nil.
    public static func specialPurposeBlock(within prefix: IPPrefix) -> IPPrefix? {
        specialPurposeBlocks.first { prefix.contains($0) }
    }

    /// The special-purpose block holding `address` (loopback, private, link-local, shared,
    /// multicast, documentation…), or nil for an address anyone may route.
    public static func specialPurposeBlock(containing address: IPAddress) -> IPPrefix? {
        let host = IPPrefix(family: address.family, bits: address.bits, length: address.family == .v4 ? 32 : 128)
        return specialPurposeBlocks.first { $0.contains(host) }
    }

    /// Why `prefix` is a bogon, or nil when it is not.
    public func reason(for prefix: IPPrefix) -> PrefixReason? {
        if prefix.length == 0 { return .defaultRoute }
        if let block = specialPurpose.covering(prefix) { return .specialPurpose(block) }
        if let block = unallocated.covering(prefix) { return .unallocated(block) }
        return nil
    }

    /// Longer than the global table accepts: IPv4 over /24, IPv6 over /48.
    public static func isTooSpecific(_ prefix: IPPrefix) -> Bool {
        prefix.length > (prefix.family == .v4 ? 24 : 48)
    }

    /// AS numbers that must not appear in a path: reserved, documentation, private, AS_TRANS.
    public static func isBogon(asn: ASN) -> Bool { asnReason(asn) != nil }

    /// Why an ASN may not appear in the global table, or nil: the one list of bogon ASNs.
    public static func asnReason(_ asn: ASN) -> String? {
        switch asn {
        case 0: "reserved (RFC 7607)"
        case 23456: "AS_TRANS (RFC 6793)"
        case 64496...64511, 65536...65551: "reserved for documentation (RFC 5398)"
        case 64512...65534, 4_200_000_000...4_294_967_294: "reserved for private use (RFC 6996)"
        case 65535, 4_294_967_295: "reserved (RFC 7300)"
        case 65552...131071: "reserved by IANA"
        default: nil
        }
    }

    /// Reads a bogon list: one prefix per line, `#` comments (Team Cymru's fullbogons format).
    public static func readList(path: String) throws -> (prefixes: [IPPrefix], summary: ReadSummary) {
        var prefixes: [IPPrefix] = []
        var summary = ReadSummary()
        let stream = try ByteStream(path: path)
        try stream.forEachLine { line, number in
            let text = trimmed(Substring(String(decoding: line, as: UTF8.self)))
            if text.isEmpty || text.hasPrefix("#") { return }
            do {
                prefixes.append(try IPPrefix(text))
                summary.records += 1
            } catch {
                try summary.reject(RoutingDataError(file: path, line: number, reason: "\(text): \(error)"), policy: .skip)
            }
        }
        summary.truncated = stream.truncated
        return (prefixes, summary)
    }
}
