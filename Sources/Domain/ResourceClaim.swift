import Foundation
import Routing

/// A reason a value cannot be accepted, with a stable machine-readable code for the API's
/// field errors (`invalid_asn`, `bogon_prefix`, …) and a sentence for people.
public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// What a participant can hold: its ASNs and prefixes, and for IXPs the route-server ASNs and
/// peering LAN prefixes.
public enum ResourceKind: String, Sendable, Codable, CaseIterable {
    case asn
    case prefix
    case routeServerASN = "route_server_asn"
    case peeringLAN = "peering_lan"

    /// True for the kinds whose value is an AS number; the others are prefixes.
    public var isASN: Bool { self == .asn || self == .routeServerASN }
}

/// A resource checked and in canonical form, ready to be claimed.
public enum ResourceValue: Sendable, Hashable, CustomStringConvertible {
    case asn(ASN)
    case prefix(IPPrefix)

    public var description: String {
        switch self {
        case .asn(let asn): "AS\(asn)"
        case .prefix(let prefix): prefix.description
        }
    }

    /// Checks `text` as a resource of `kind`: `AS3333`, `3333`, `193.0.0.0/21`, `2001:67c:2e8::/48`.
    public static func parse(_ text: String, kind: ResourceKind, limits: ClaimLimits = .standard) throws(Refusal) -> ResourceValue {
        kind.isASN
            ? .asn(try ASNumber.parse(text)) : .prefix(try PrefixClaim.parse(text, allowTooSpecific: kind == .peeringLAN, limits: limits))
    }
}

/// AS numbers as the registry accepts them.
public enum ASNumber {
    /// Parses `AS3333`, `as3333` or `3333`; refuses 0, values over 32 bits, and reserved,
    /// documentation and private ASNs (domain.md, "Bogons"), naming why.
    public static func parse(_ text: String) throws(Refusal) -> ASN {
        guard let asn = parseASN(text) else {
            throw Refusal("invalid_asn", "'\(text.prefix(40))' is not an AS number (1 to 4294967295, optionally written AS123).")
        }
        if let reason = bogonReason(asn) {
            throw Refusal("bogon_asn", "AS\(asn) is \(reason) and cannot be registered.")
        }
        return asn
    }

    /// Why an ASN may not appear in the global table, or nil (`Bogons.asnReason`).
    public static func bogonReason(_ asn: ASN) -> String? { Bogons.asnReason(asn) }
}

/// The shortest prefixes a participant may claim (settings `CLAIM_MIN_IPV4_LENGTH` and
/// `CLAIM_MIN_IPV6_LENGTH`): no one holds more than a /8 of IPv4 or a /19 of IPv6 under one claim,
/// so a shorter claim is a mistake or an attempt to squat.
public struct ClaimLimits: Sendable, Equatable {
    public var minIPv4Length: UInt8
    public var minIPv6Length: UInt8

    public init(minIPv4Length: UInt8 = 8, minIPv6Length: UInt8 = 19) {
        self.minIPv4Length = minIPv4Length
        self.minIPv6Length = minIPv6Length
    }

    /// /8 for IPv4, /19 for IPv6.
    public static let standard = ClaimLimits()

    func minimum(for family: IPFamily) -> UInt8 { family == .v4 ? minIPv4Length : minIPv6Length }
}

/// IP prefixes as the registry accepts them.
public enum PrefixClaim {
    private static let bogons = Bogons()

    /// Parses a CIDR prefix into canonical form (RFC 5952 for IPv6, so `2001:DB8:0::/32` reads
    /// as `2001:db8::/32`). Host bits set, the default route, special-purpose space, prefixes that
    /// contain special-purpose space, prefixes shorter than `limits` and, unless `allowTooSpecific`
    /// (peering LANs), prefixes longer than the global table carries are refused.
    public static func parse(_ text: String, allowTooSpecific: Bool = false, limits: ClaimLimits = .standard) throws(Refusal) -> IPPrefix {
        let prefix = try cidr(text.trimmingCharacters(in: .whitespaces))
        if let reason = bogons.reason(for: prefix) {
            throw Refusal("bogon_prefix", "\(prefix) is \(reason) and cannot be registered.")
        }
        if let block = Bogons.specialPurposeBlock(within: prefix) {
            throw Refusal(
                "contains_special_purpose", "\(prefix) contains special-purpose \(block) and cannot be registered; claim the prefixes you hold.")
        }
        let minimum = limits.minimum(for: prefix.family)
        if prefix.length < minimum {
            throw Refusal(
                "too_broad", "\(prefix) is shorter than /\(minimum), the shortest prefix the registry accepts; claim the prefixes you hold.")
        }
        if !allowTooSpecific && Bogons.isTooSpecific(prefix) {
            let limit = prefix.family == .v4 ? "/24" : "/48"
            throw Refusal("too_specific", "\(prefix) is longer than \(limit), which the global routing table does not carry.")
        }
        return prefix
    }

    /// Reads a prefix as the API takes one, claimed or searched for: CIDR with no host bits set
    /// and a length in plain digits (not `/021` or `/+21`).
    public static func cidr(_ text: String) throws(Refusal) -> IPPrefix {
        let length = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst().first ?? ""
        guard text.count <= 64, !text.contains("+"), !(length.count > 1 && length.hasPrefix("0")) else {
            throw Refusal("invalid_prefix", "'\(text.prefix(64))' is not an IPv4 or IPv6 prefix in CIDR form.")
        }
        do {
            return try IPPrefix(text, strict: true)
        } catch .hostBitsSet {
            let suggestion = (try? IPPrefix(text, strict: false)).map { " Did you mean \($0)?" } ?? ""
            throw Refusal("host_bits_set", "\(text) has host bits set after the prefix length.\(suggestion)")
        } catch {
            throw Refusal("invalid_prefix", "'\(text)' is not an IPv4 or IPv6 prefix in CIDR form: \(error).")
        }
    }
}
