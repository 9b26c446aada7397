/// An autonomous system number, 0…4294967295.
public typealias ASN = UInt32

/// Reads `3333`, `AS3333` or `as3333`.
public func parseASN(_ text: some StringProtocol) -> ASN? {
    var digits = Substring(text)
    if digits.hasPrefix("AS") || digits.hasPrefix("as") || digits.hasPrefix("As") { digits = digits.dropFirst(2) }
    guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
    return ASN(digits)
}

/// A validated ROA payload: `asn` may originate `prefix` and anything inside it up to `maxLength`.
public struct VRP: Sendable, Hashable, CustomStringConvertible {
    public let prefix: IPPrefix
    public let maxLength: UInt8
    public let asn: ASN

    public init(prefix: IPPrefix, maxLength: UInt8, asn: ASN) {
        self.prefix = prefix
        self.maxLength = maxLength
        self.asn = asn
    }

    public var description: String { "\(prefix)-\(maxLength) AS\(asn)" }
}

/// The RFC 6811 state of a route, with the kind of invalidity operators ask about.
public enum RPKIState: String, Sendable, Hashable, CaseIterable {
    case valid
    /// Covered by a VRP for the route's origin, but longer than its maxLength.
    case invalidTooSpecific = "invalid-length"
    /// Covered only by VRPs for other origins (AS0 included), or the origin is an AS_SET.
    case invalidWrongOrigin = "invalid-asn"
    case notFound = "not-found"

    public var isInvalid: Bool { self == .invalidTooSpecific || self == .invalidWrongOrigin }

    /// The three states of RFC 6811, as `validate` writes them.
    public var rfc6811: String {
        switch self {
        case .valid: "valid"
        case .invalidTooSpecific, .invalidWrongOrigin: "invalid"
        case .notFound: "not-found"
        }
    }
}

/// VRPs indexed for route origin validation (RFC 6811).
///
/// VRPs are grouped by exact prefix; a route is checked against the VRPs of each of its covering
/// prefixes, looking only at the prefix lengths some VRP actually has.
public struct VRPIndex: Sendable {
    private struct Key: Hashable {
        let bits: UInt128
        let length: UInt8
        let family: IPFamily
    }

    private struct Authorisation: Sendable {
        let maxLength: UInt8
        let asn: ASN
    }

    private var byPrefix: [Key: [Authorisation]] = [:]
    /// For each family, the prefix lengths present, shortest first.
    private var lengths: [IPFamily: [UInt8]] = [:]
    public private(set) var count = 0

    public init(_ vrps: some Sequence<VRP>) {
        var present: [IPFamily: Set<UInt8>] = [:]
        for vrp in vrps {
            byPrefix[Key(bits: vrp.prefix.bits, length: vrp.prefix.length, family: vrp.prefix.family), default: []]
                .append(Authorisation(maxLength: vrp.maxLength, asn: vrp.asn))
            present[vrp.prefix.family, default: []].insert(vrp.prefix.length)
            count += 1
        }
        lengths = present.mapValues { $0.sorted() }
    }

    /// The state of a route originated by `origin`; nil means the origin is an AS_SET, which
    /// matches no VRP (RFC 6811 §2).
    public func state(of route: IPPrefix, origin: ASN?) -> RPKIState {
        var covered = false
        var sameOriginTooShort = false
        for length in lengths[route.family] ?? [] {
            if length > route.length { break }
            guard let authorisations = byPrefix[Key(bits: route.bits & IPPrefix.mask(length), length: length, family: route.family)] else {
                continue
            }
            covered = true
            for authorisation in authorisations where authorisation.asn == origin && authorisation.asn != 0 {
                if route.length <= authorisation.maxLength { return .valid }
                sameOriginTooShort = true
            }
        }
        if !covered { return .notFound }
        return sameOriginTooShort ? .invalidTooSpecific : .invalidWrongOrigin
    }

    /// The VRPs that cover `route`: the inputs behind its state, for explanations.
    public func covering(_ route: IPPrefix) -> [VRP] {
        var result: [VRP] = []
        for length in lengths[route.family] ?? [] where length <= route.length {
            let prefix = route.truncated(to: length)
            for authorisation in byPrefix[Key(bits: prefix.bits, length: length, family: route.family)] ?? [] {
                result.append(VRP(prefix: prefix, maxLength: authorisation.maxLength, asn: authorisation.asn))
            }
        }
        return result
    }
}
