import Dispatch

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
    var text = String(text)
    return text.withUTF8 { parseASN($0) }
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
/// VRPs are grouped by exact prefix in open-addressing hash tables (a multiplicative hash;
/// Swift's SipHash-based `Dictionary` spent most of the time hashing). A route is checked
/// against the VRPs of each of its covering prefixes, only at the prefix lengths some VRP has.
///
/// The layout is for the cache, which decides the speed (`perf annotate`: two misses per
/// covered route were over half the time). IPv4, 80 % of VRPs and nearly all routes, has its
/// own table of 16-byte slots that hold the prefix and its first authorisation, so the common
/// lookup touches one cache line, and the table (16 MiB for today's 580k IPv4 VRPs) stays in
/// L3. Further authorisations of a prefix, and IPv6, live in side arrays.
public struct VRPIndex: Sendable {
    /// An IPv4 prefix and its first authorisation. `key` is 0 for an empty slot, else
    /// `address << 8 | length`, with bit 40 set.
    private struct SlotV4 {
        var key: UInt64
        /// asn (bits 0-31), maxLength (32-39), and 1 + the index of the prefix's further
        /// authorisations in `extraRanges` (40-63), 0 when it has none.
        var first: UInt64
    }

    /// An IPv6 prefix and the range of its authorisations in `authorisations`.
    private struct SlotV6 {
        var bits: UInt128
        var length: UInt8
        /// Range in `authorisations`; count 0 marks an empty slot.
        var start: Int32
        var count: Int32
    }

    private struct Authorisation: Sendable {
        let maxLength: UInt8
        let asn: ASN
    }

    private let slotsV4: [SlotV4]
    private let maskV4: Int
    private let slotsV6: [SlotV6]
    private let maskV6: Int
    /// IPv4 authorisations beyond a prefix's first, and all IPv6 ones.
    private let authorisations: [Authorisation]
    private let extraRanges: [Range<Int32>]
    /// Filters in front of the tables, one array in four regions (see `Region`). A clear bit
    /// answers "no VRP here" without a probe of the table.
    private let bitmaps: [UInt64]
    private static let directV4MaxLength: UInt8 = 24
    private static let presenceBits = 1 << 22

    /// The regions of `bitmaps`, as word offsets.
    private enum Region {
        /// IPv4 prefixes up to /24, where almost all routes and VRPs are, have exact presence
        /// bits: one bitmap per length, laid end to end (length n starts at bit 2^n - 1), 4 MiB.
        /// No hashing, and the short lengths every route probes stay in L1/L2.
        static let directV4 = 0
        /// Per IPv4 /16 block, the prefix lengths that can matter to a route inside it: bit n
        /// is set when a VRP of length n covers the block (n ≤ 16) or lies in it (n > 16). A
        /// route of /16 or longer probes only those: in a block without VRPs, none instead of
        /// the 17 lengths from /8 to /24. 512 KiB.
        static let blocksV4 = directV4 + (1 << (Int(directV4MaxLength) + 1)) / 64
        /// One bit per (prefix, length) hash: IPv4 prefixes over /24, then IPv6 prefixes.
        static let hashedV4 = blocksV4 + (1 << 16)
        static let hashedV6 = hashedV4 + presenceBits / 64
        static let total = hashedV6 + presenceBits / 64
    }
    /// For each family, the prefix lengths present as bits (bit n: some VRP has length n), so a
    /// lookup walks them without touching an array (and its reference count). IPv6 needs 129
    /// bits: 0…127 in the mask, 128 apart.
    private let lengthsV4: UInt64
    private let lengthsV6: UInt128
    private let hasV6Length128: Bool
    public let count: Int

    public init(_ vrps: some Sequence<VRP>) {
        let all = Array(vrps)
        count = all.count
        let v4Count = all.count { $0.prefix.family == .v4 }
        func capacity(_ entries: Int, load: Double) -> Int {
            var capacity = 16
            while Double(capacity) * load < Double(entries) { capacity <<= 1 }
            return capacity
        }
        // Two IPv4 partitions, picked by the hash's top bit, so two threads can fill them.
        let maskV4 = capacity((v4Count + 1) / 2, load: 0.6) - 1
        let maskV6 = capacity(all.count - v4Count, load: 0.6) - 1
        var slotsV4 = [SlotV4].filled(hugePages: 2 * (maskV4 + 1), with: SlotV4(key: 0, first: 0))
        var slotsV6 = [SlotV6].filled(hugePages: maskV6 + 1, with: SlotV6(bits: 0, length: 0, start: 0, count: 0))
        var bitmaps = [UInt64].filled(hugePages: Region.total, with: 0)

        // Filling the tables is a cache miss per VRP, so it is split over two threads that
        // write disjoint memory: the first fills IPv4 partition 0 and all IPv4 bitmaps, the
        // second IPv4 partition 1 and everything IPv6. Each keeps its own side lists.
        let parts = BuildParts()
        slotsV4.withUnsafeMutableBufferPointer { slotsV4 in
            slotsV6.withUnsafeMutableBufferPointer { slotsV6 in
                bitmaps.withUnsafeMutableBufferPointer { bitmaps in
                    let tables = Tables(slotsV4: slotsV4, slotsV6: slotsV6, bitmaps: bitmaps)
                    DispatchQueue.concurrentPerform(iterations: 2) { part in
                        if part == 0 {
                            parts.first = Self.fillV4(all, partition: 0, mask: maskV4, tables, bitmapsToo: true)
                        } else {
                            parts.second = Self.fillV4(all, partition: 1, mask: maskV4, tables, bitmapsToo: false)
                            Self.fillV6(all, mask: maskV6, tables, parts)
                        }
                    }
                }
            }
        }

        // Further IPv4 authorisations, grouped by slot: a range each.
        let furtherV4 = (parts.first.further + parts.second.further).sorted { $0.slot < $1.slot }
        var authorisations: [Authorisation] = []
        var extraRanges: [Range<Int32>] = []
        var index = 0
        while index < furtherV4.count {
            let slot = furtherV4[index].slot
            let start = Int32(authorisations.count)
            while index < furtherV4.count && furtherV4[index].slot == slot {
                authorisations.append(furtherV4[index].authorisation)
                index += 1
            }
            extraRanges.append(start..<Int32(authorisations.count))
            slotsV4[Int(slot)].first |= UInt64(extraRanges.count) << 40
        }
        // IPv6 ranges in slot order; `start` serves as the fill cursor and is restored after.
        var next = Int32(authorisations.count)
        for slot in slotsV6.indices where slotsV6[slot].count != 0 {
            slotsV6[slot].start = next
            next += slotsV6[slot].count
        }
        authorisations.append(contentsOf: repeatElement(Authorisation(maxLength: 0, asn: 0), count: parts.v6SlotOfVRP.count))
        for (position, slot) in parts.v6SlotOfVRP {
            let vrp = all[position]
            authorisations[Int(slotsV6[Int(slot)].start)] = Authorisation(maxLength: vrp.maxLength, asn: vrp.asn)
            slotsV6[Int(slot)].start += 1
        }
        for slot in slotsV6.indices where slotsV6[slot].count != 0 { slotsV6[slot].start -= slotsV6[slot].count }
        self.maskV4 = maskV4
        self.maskV6 = maskV6
        self.slotsV4 = slotsV4
        self.slotsV6 = slotsV6
        self.bitmaps = bitmaps
        self.authorisations = authorisations
        self.extraRanges = extraRanges
        lengthsV4 = parts.first.lengths
        lengthsV6 = (0...127).filter { parts.lengthsV6[$0] }.reduce(0) { $0 | UInt128(1) << UInt128($1) }
        hasV6Length128 = parts.lengthsV6[128]
    }

    /// The tables under construction, shared by the two filling threads, which write disjoint
    /// parts of them.
    private struct Tables: @unchecked Sendable {
        let slotsV4: UnsafeMutableBufferPointer<SlotV4>
        let slotsV6: UnsafeMutableBufferPointer<SlotV6>
        let bitmaps: UnsafeMutableBufferPointer<UInt64>

        @inline(__always)
        func setBit(_ bit: Int, in region: Int) { bitmaps[region + bit >> 6] |= 1 << UInt64(bit & 63) }
    }

    /// What one IPv4 partition's filling found besides the slots.
    private struct FilledV4 {
        /// The lengths present (only from the thread that also sets the bitmaps).
        var lengths: UInt64 = 0
        /// Authorisations beyond a prefix's first, with their prefix's slot.
        var further: [(slot: Int32, authorisation: Authorisation)] = []
    }

    /// What the filling threads gather besides the tables; each writes only its own fields.
    private final class BuildParts: @unchecked Sendable {
        var first = FilledV4()
        var second = FilledV4()
        var lengthsV6 = [Bool](repeating: false, count: 129)
        var v6SlotOfVRP: [(position: Int, slot: Int32)] = []
    }

    /// Puts the IPv4 VRPs of one partition into their slots: a prefix's first authorisation in
    /// the slot, the others into the result's `further`. With `bitmapsToo`, also sets the
    /// bitmap bits of every IPv4 VRP (both partitions) and notes the lengths present.
    private static func fillV4(_ all: [VRP], partition: Int, mask: Int, _ tables: Tables, bitmapsToo: Bool) -> FilledV4 {
        var lengths: UInt64 = 0
        var further: [(slot: Int32, authorisation: Authorisation)] = []
        let base = partition * (mask + 1)
        for vrp in all where vrp.prefix.family == .v4 {
            let prefix = vrp.prefix
            let key = keyV4(prefix.bits, prefix.length)
            let hash = mix(key)
            if bitmapsToo {
                lengths |= 1 << UInt64(prefix.length)
                if prefix.length <= directV4MaxLength {
                    tables.setBit(directV4Bit(prefix.bits, prefix.length), in: Region.directV4)
                } else {
                    tables.setBit(presenceBit(hash), in: Region.hashedV4)
                }
                // The /16 blocks this VRP covers (up to /16) or lies in (longer).
                let firstBlock = Int(UInt32(truncatingIfNeeded: prefix.bits >> 96) >> 16)
                let blocks = prefix.length < 16 ? 1 << (16 - Int(prefix.length)) : 1
                for block in firstBlock..<firstBlock + blocks { tables.bitmaps[Region.blocksV4 + block] |= 1 << UInt64(prefix.length) }
            }
            guard partitionV4(hash) == partition else { continue }
            var offset = hash & mask
            while tables.slotsV4[base + offset].key != 0 && tables.slotsV4[base + offset].key != key { offset = (offset + 1) & mask }
            if tables.slotsV4[base + offset].key == 0 {
                tables.slotsV4[base + offset] = SlotV4(key: key, first: UInt64(vrp.asn) | UInt64(vrp.maxLength) << 32)
            } else {
                further.append((Int32(base + offset), Authorisation(maxLength: vrp.maxLength, asn: vrp.asn)))
            }
        }
        return FilledV4(lengths: lengths, further: further)
    }

    /// Counts the IPv6 VRPs per prefix slot and notes each one's slot, for the ranges. Works on
    /// locals and hands them over at the end: a class property written per VRP costs a runtime
    /// exclusivity check each time.
    private static func fillV6(_ all: [VRP], mask: Int, _ tables: Tables, _ parts: BuildParts) {
        var lengths = [Bool](repeating: false, count: 129)
        var slotOfVRP: [(position: Int, slot: Int32)] = []
        for (position, vrp) in all.enumerated() where vrp.prefix.family == .v6 {
            let prefix = vrp.prefix
            let hash = hashV6(prefix.bits, prefix.length)
            var slot = hash & mask
            while tables.slotsV6[slot].count != 0 && !(tables.slotsV6[slot].bits == prefix.bits && tables.slotsV6[slot].length == prefix.length) {
                slot = (slot + 1) & mask
            }
            if tables.slotsV6[slot].count == 0 {
                tables.slotsV6[slot] = SlotV6(bits: prefix.bits, length: prefix.length, start: 0, count: 0)
                tables.setBit(presenceBit(hash), in: Region.hashedV6)
                lengths[Int(prefix.length)] = true
            }
            tables.slotsV6[slot].count += 1
            slotOfVRP.append((position, Int32(slot)))
        }
        parts.lengthsV6 = lengths
        parts.v6SlotOfVRP = slotOfVRP
    }

    /// Which IPv4 partition a hash belongs to: its top bit (the slot uses the low bits).
    @inline(__always)
    private static func partitionV4(_ hash: Int) -> Int { Int(UInt64(bitPattern: Int64(hash)) >> 63) }

    @inline(__always)
    private static func keyV4(_ bits: UInt128, _ length: UInt8) -> UInt64 {
        UInt64(truncatingIfNeeded: bits >> 96) << 8 | UInt64(length) | 1 << 40
    }

    /// murmur3's fmix64: every input bit reaches the low bits the table mask keeps.
    @inline(__always)
    private static func mix(_ value: UInt64) -> Int {
        var mixed = value
        mixed ^= mixed >> 33
        mixed &*= 0xff51_afd7_ed55_8ccd
        mixed ^= mixed >> 33
        mixed &*= 0xc4ce_b9fe_1a85_ec53
        mixed ^= mixed >> 33
        return Int(truncatingIfNeeded: mixed)
    }

    @inline(__always)
    private static func hashV6(_ bits: UInt128, _ length: UInt8) -> Int {
        let high = UInt64(truncatingIfNeeded: bits >> 64)
        let low = UInt64(truncatingIfNeeded: bits)
        return mix(high ^ (low &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(length) << 56))
    }

    /// The presence bit of a hash: bits other than the ones that pick the table slot.
    @inline(__always)
    private static func presenceBit(_ hash: Int) -> Int {
        (hash >> 40) & (presenceBits - 1)
    }

    /// The bit of an IPv4 prefix of at most /24 in `Region.directV4`.
    @inline(__always)
    private static func directV4Bit(_ bits: UInt128, _ length: UInt8) -> Int {
        let address = UInt32(truncatingIfNeeded: bits >> 96)
        let index = length == 0 ? 0 : Int(address >> (32 - UInt32(length)))
        return (1 << Int(length)) - 1 + index
    }

    @inline(__always)
    private func isSet(_ bit: Int, in region: Int) -> Bool { bitmaps[region + bit >> 6] & (1 << UInt64(bit & 63)) != 0 }

    /// What the VRPs of exactly one prefix say about a route.
    private enum Match {
        /// A VRP with the route's origin allows its length.
        case valid
        /// A VRP has the route's origin, but a maxLength shorter than the route.
        case sameOriginTooShort
        /// Only other origins (or AS0).
        case otherOrigins

        @inline(__always)
        init(_ authorisation: Authorisation, routeLength: UInt8, origin: ASN?) {
            if authorisation.asn != origin || authorisation.asn == 0 {
                self = .otherOrigins
            } else {
                self = routeLength <= authorisation.maxLength ? .valid : .sameOriginTooShort
            }
        }

        /// The stronger of two findings: valid wins, then a too-short same-origin VRP.
        @inline(__always)
        func combined(with other: Match) -> Match {
            if self == .valid || other == .valid { return .valid }
            return self == .sameOriginTooShort || other == .sameOriginTooShort ? .sameOriginTooShort : .otherOrigins
        }
    }

    /// Where the authorisations of exactly this prefix are: the IPv4 slot's inline first one and
    /// a range of further ones, or just a range; nil when no VRP has this prefix. No closure:
    /// one that captured the caller's state cost a heap box and an exclusivity check per route.
    @inline(__always)
    private func lookup(_ bits: UInt128, _ length: UInt8, _ family: IPFamily) -> (first: Authorisation?, rest: Range<Int>)? {
        if family == .v4 {
            let key = Self.keyV4(bits, length)
            let hash = Self.mix(key)
            if length <= Self.directV4MaxLength {
                guard isSet(Self.directV4Bit(bits, length), in: Region.directV4) else { return nil }
            } else {
                guard isSet(Self.presenceBit(hash), in: Region.hashedV4) else { return nil }
            }
            let base = Self.partitionV4(hash) * (maskV4 + 1)
            var offset = hash & maskV4
            while true {
                let candidate = slotsV4[base + offset]
                if candidate.key == 0 { return nil }
                if candidate.key == key {
                    let first = Authorisation(
                        maxLength: UInt8(truncatingIfNeeded: candidate.first >> 32), asn: ASN(truncatingIfNeeded: candidate.first))
                    let extra = Int(candidate.first >> 40)
                    guard extra != 0 else { return (first, 0..<0) }
                    let range = extraRanges[extra - 1]
                    return (first, Int(range.lowerBound)..<Int(range.upperBound))
                }
                offset = (offset + 1) & maskV4
            }
        }
        let hash = Self.hashV6(bits, length)
        guard isSet(Self.presenceBit(hash), in: Region.hashedV6) else { return nil }
        var slot = hash & maskV6
        while true {
            let candidate = slotsV6[slot]
            if candidate.count == 0 { return nil }
            if candidate.bits == bits && candidate.length == length {
                return (nil, Int(candidate.start)..<Int(candidate.start + candidate.count))
            }
            slot = (slot + 1) & maskV6
        }
    }

    /// What the VRPs of exactly the prefix `route` truncated to `length` say; nil: none there.
    @inline(__always)
    private func match(_ route: IPPrefix, at length: UInt8, origin: ASN?) -> Match? {
        guard let found = lookup(route.bits & IPPrefix.mask(length), length, route.family) else { return nil }
        var result = Match.otherOrigins
        if let first = found.first {
            result = Match(first, routeLength: route.length, origin: origin)
            if result == .valid { return .valid }
        }
        for position in found.rest {
            result = result.combined(with: Match(authorisations[position], routeLength: route.length, origin: origin))
            if result == .valid { return .valid }
        }
        return result
    }

    /// Adds what one prefix length found to what the shorter ones found; true when it makes the
    /// route valid. A static function over `inout`, not a closure over the caller's state (which
    /// cost a heap box and an exclusivity check per route).
    @inline(__always)
    private static func fold(_ here: Match?, into found: inout Match?) -> Bool {
        guard let here else { return false }
        if here == .valid { return true }
        found = found.map { $0.combined(with: here) } ?? here
        return false
    }

    /// The state of a route originated by `origin`; nil means the origin is an AS_SET, which
    /// matches no VRP (RFC 6811 §2).
    public func state(of route: IPPrefix, origin: ASN?) -> RPKIState {
        var found: Match? = nil
        if route.family == .v4 {
            // Lengths up to the route's own, shortest first; within one /16, only those its
            // block has.
            var lengths = lengthsV4 & (route.length >= 63 ? ~0 : (UInt64(2) << UInt64(route.length)) &- 1)
            if route.length >= 16 { lengths &= bitmaps[Region.blocksV4 + Int(UInt32(truncatingIfNeeded: route.bits >> 96) >> 16)] }
            while lengths != 0 {
                let length = UInt8(lengths.trailingZeroBitCount)
                lengths &= lengths &- 1
                if Self.fold(match(route, at: length, origin: origin), into: &found) { return .valid }
            }
        } else {
            var lengths = lengthsV6 & (route.length >= 127 ? ~0 : (UInt128(2) << UInt128(route.length)) &- 1)
            while lengths != 0 {
                let length = UInt8(lengths.trailingZeroBitCount)
                lengths &= lengths &- 1
                if Self.fold(match(route, at: length, origin: origin), into: &found) { return .valid }
            }
            if route.length == 128 && hasV6Length128 && Self.fold(match(route, at: 128, origin: origin), into: &found) { return .valid }
        }
        switch found {
        case nil: return .notFound
        case .sameOriginTooShort: return .invalidTooSpecific
        default: return .invalidWrongOrigin
        }
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
            guard let found = lookup(prefix.bits, length, route.family) else { continue }
            let all = (found.first.map { [$0] } ?? []) + found.rest.map { authorisations[$0] }
            result += all.map { VRP(prefix: prefix, maxLength: $0.maxLength, asn: $0.asn) }
        }
        return result
    }
}
