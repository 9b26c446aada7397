/// An autonomous system number, 0…4294967295.
public typealias ASN = UInt32

/// Reads `3333` or `AS3333` from bytes without allocating.
@inline(__always)
public func parseASN(_ bytes: UnsafeBufferPointer<UInt8>) -> ASN? {
    var index = 0
    if bytes.count > 2, bytes[0] | 0x20 == UInt8(ascii: "a"), bytes[1] | 0x20 == UInt8(ascii: "s") { index = 2 }
    guard index < bytes.count, bytes.count - index <= 10 else { return nil }
    var value: UInt64 = 0
    while index < bytes.count {
        let digit = bytes[index] &- UInt8(ascii: "0")
        guard digit < 10 else { return nil }
        value = value * 10 + UInt64(digit)
        index += 1
    }
    return value <= UInt64(ASN.max) ? ASN(value) : nil
}

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

    /// The position in `allCases`, for per-state arrays in hot loops.
    public var ordinal: Int {
        switch self {
        case .valid: 0
        case .invalidTooSpecific: 1
        case .invalidWrongOrigin: 2
        case .notFound: 3
        }
    }

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
/// VRPs are grouped by exact prefix in an open-addressing hash table (a multiplicative hash;
/// Swift's SipHash-based `Dictionary` spent most of the time hashing). A route is checked
/// against the VRPs of each of its covering prefixes, only at the prefix lengths some VRP has.
public struct VRPIndex: Sendable {
    private struct Slot {
        var bits: UInt128
        var length: UInt8
        var family: IPFamily
        /// Range in `authorisations`; count 0 marks an empty slot.
        var start: Int32
        var count: Int32
    }

    private struct Authorisation: Sendable {
        let maxLength: UInt8
        let asn: ASN
    }

    private var slots: [Slot]
    private let slotMask: Int
    /// One bit per (prefix, length) hash, set for every prefix the table holds: 2 MiB that stay
    /// in cache, where the table's 64 MiB do not. A clear bit answers "no VRP here" without a
    /// cache miss; most probes of a route are such misses.
    private var presence: [UInt64]
    private static let presenceBits = 1 << 24
    private var authorisations: [Authorisation] = []
    /// For each family, the prefix lengths present as bits (bit n: some VRP has length n), so a
    /// lookup walks them without touching an array (and its reference count). IPv6 needs 129
    /// bits: 0…127 in the mask, 128 apart.
    private let lengthsV4: UInt64
    private let lengthsV6: UInt128
    private let hasV6Length128: Bool
    public let count: Int

    public init(_ vrps: some Sequence<VRP>) {
        // Group by prefix without sorting: count per prefix, then place each VRP in its range.
        let all = Array(vrps)
        count = all.count
        var capacity = 16
        while capacity < all.count * 2 { capacity <<= 1 }
        slotMask = capacity - 1
        slots = Array(repeating: Slot(bits: 0, length: 0, family: .v4, start: 0, count: 0), count: capacity)
        presence = [UInt64](repeating: 0, count: Self.presenceBits / 64)
        var v4 = [Bool](repeating: false, count: 33)
        var v6 = [Bool](repeating: false, count: 129)
        var slotOfVRP = [Int32](repeating: 0, count: all.count)
        for (position, vrp) in all.enumerated() {
            let prefix = vrp.prefix
            var slot = Self.hash(prefix.bits, prefix.length, prefix.family) & slotMask
            while slots[slot].count != 0
                && !(slots[slot].bits == prefix.bits && slots[slot].length == prefix.length && slots[slot].family == prefix.family)
            {
                slot = (slot + 1) & slotMask
            }
            if slots[slot].count == 0 {
                slots[slot] = Slot(bits: prefix.bits, length: prefix.length, family: prefix.family, start: 0, count: 0)
                let bit = Self.presenceBit(Self.hash(prefix.bits, prefix.length, prefix.family))
                presence[bit >> 6] |= 1 << UInt64(bit & 63)
                if prefix.family == .v4 { v4[Int(prefix.length)] = true } else { v6[Int(prefix.length)] = true }
            }
            slots[slot].count += 1
            slotOfVRP[position] = Int32(slot)
        }
        // Ranges in slot order; `start` then serves as the fill cursor and is restored after.
        var next: Int32 = 0
        for slot in slots.indices where slots[slot].count != 0 {
            slots[slot].start = next
            next += slots[slot].count
        }
        authorisations = [Authorisation](repeating: Authorisation(maxLength: 0, asn: 0), count: all.count)
        for (position, vrp) in all.enumerated() {
            let slot = Int(slotOfVRP[position])
            authorisations[Int(slots[slot].start)] = Authorisation(maxLength: vrp.maxLength, asn: vrp.asn)
            slots[slot].start += 1
        }
        for slot in slots.indices where slots[slot].count != 0 { slots[slot].start -= slots[slot].count }
        lengthsV4 = (0...32).filter { v4[$0] }.reduce(0) { $0 | UInt64(1) << UInt64($1) }
        lengthsV6 = (0...127).filter { v6[$0] }.reduce(0) { $0 | UInt128(1) << UInt128($1) }
        hasV6Length128 = v6[128]
    }

    @inline(__always)
    private static func hash(_ bits: UInt128, _ length: UInt8, _ family: IPFamily) -> Int {
        let high = UInt64(truncatingIfNeeded: bits >> 64)
        let low = UInt64(truncatingIfNeeded: bits)
        // murmur3's fmix64: every input bit reaches the low bits the table mask keeps.
        var mixed = high ^ (low &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(length) << 56) ^ UInt64(family.rawValue)
        mixed ^= mixed >> 33
        mixed &*= 0xff51_afd7_ed55_8ccd
        mixed ^= mixed >> 33
        mixed &*= 0xc4ce_b9fe_1a85_ec53
        mixed ^= mixed >> 33
        return Int(truncatingIfNeeded: mixed)
    }

    /// The presence bit of a hash: bits other than the ones that pick the table slot.
    @inline(__always)
    private static func presenceBit(_ hash: Int) -> Int {
        (hash >> 40) & (presenceBits - 1)
    }

    /// The range of authorisations for exactly this prefix, if any.
    @inline(__always)
    private func find(_ bits: UInt128, _ length: UInt8, _ family: IPFamily) -> Range<Int>? {
        let hash = Self.hash(bits, length, family)
        let bit = Self.presenceBit(hash)
        guard presence[bit >> 6] & (1 << UInt64(bit & 63)) != 0 else { return nil }
        var slot = hash & slotMask
        while true {
            let candidate = slots[slot]
            if candidate.count == 0 { return nil }
            if candidate.bits == bits && candidate.length == length && candidate.family == family {
                return Int(candidate.start)..<Int(candidate.start + candidate.count)
            }
            slot = (slot + 1) & slotMask
        }
    }

    /// The state of a route originated by `origin`; nil means the origin is an AS_SET, which
    /// matches no VRP (RFC 6811 §2).
    public func state(of route: IPPrefix, origin: ASN?) -> RPKIState {
        var covered = false
        var sameOriginTooShort = false
        // Returns true when a VRP at `length` makes the route valid.
        @inline(__always) func check(_ length: UInt8) -> Bool {
            guard let range = find(route.bits & IPPrefix.mask(length), length, route.family) else { return false }
            covered = true
            for position in range {
                let authorisation = authorisations[position]
                guard authorisation.asn == origin, authorisation.asn != 0 else { continue }
                if route.length <= authorisation.maxLength { return true }
                sameOriginTooShort = true
            }
            return false
        }
        if route.family == .v4 {
            // Lengths up to the route's own, shortest first.
            var lengths = lengthsV4 & (route.length >= 63 ? ~0 : (UInt64(2) << UInt64(route.length)) &- 1)
            while lengths != 0 {
                let length = UInt8(lengths.trailingZeroBitCount)
                lengths &= lengths &- 1
                if check(length) { return .valid }
            }
        } else {
            var lengths = lengthsV6 & (route.length >= 127 ? ~0 : (UInt128(2) << UInt128(route.length)) &- 1)
            while lengths != 0 {
                let length = UInt8(lengths.trailingZeroBitCount)
                lengths &= lengths &- 1
                if check(length) { return .valid }
            }
            if route.length == 128 && hasV6Length128 && check(128) { return .valid }
        }
        if !covered { return .notFound }
        return sameOriginTooShort ? .invalidTooSpecific : .invalidWrongOrigin
    }

    /// The VRPs that cover `route`: the inputs behind its state, for explanations.
    public func covering(_ route: IPPrefix) -> [VRP] {
        var result: [VRP] = []
        let present: [UInt8] =
            route.family == .v4
            ? (0...32).filter { lengthsV4 & (UInt64(1) << UInt64($0)) != 0 }.map(UInt8.init)
            : (0...127).filter { lengthsV6 & (UInt128(1) << UInt128($0)) != 0 }.map(UInt8.init) + (hasV6Length128 ? [128] : [])
        for length in present where length <= route.length {
            let prefix = route.truncated(to: length)
            for position in find(prefix.bits, length, route.family) ?? 0..<0 {
                result.append(VRP(prefix: prefix, maxLength: authorisations[position].maxLength, asn: authorisations[position].asn))
            }
        }
        return result
    }
}
