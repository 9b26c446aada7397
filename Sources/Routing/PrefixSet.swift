/// A set of prefixes that answers "which member covers this prefix?" by looking only at the
/// prefix lengths its members have.
public struct PrefixSet: Sendable {
    private var members: Set<IPPrefix> = []
    private var lengths: [IPFamily: [UInt8]] = [:]
    /// A small set (the special-purpose blocks, 27 prefixes) is scanned shortest first, which costs
    /// less than hashing one candidate per length for every route of a full table.
    private var scanned: [IPPrefix]?
    /// For a scanned set, the first address bytes its members' space touches, per family (four
    /// words each): most routes of a table are answered by one bit, without a scan.
    private var firstBytes = [UInt64](repeating: 0, count: 8)

    static let scanLimit = 64

    public init(_ prefixes: some Sequence<IPPrefix>) {
        var present: [IPFamily: Set<UInt8>] = [:]
        for prefix in prefixes {
            members.insert(prefix)
            present[prefix.family, default: []].insert(prefix.length)
        }
        lengths = present.mapValues { $0.sorted() }
        if members.count <= Self.scanLimit {
            scanned = members.sorted { ($0.length, $0) < ($1.length, $1) }
            for member in members {
                let first = Int(member.bits >> 120)
                let last = member.length >= 8 ? first : first | ((1 << (8 - Int(member.length))) - 1)
                for byte in first...last { firstBytes[Self.word(member.family, byte)] |= 1 << UInt64(byte & 63) }
            }
        }
    }

    private static func word(_ family: IPFamily, _ firstByte: Int) -> Int { (family == .v4 ? 0 : 4) + firstByte >> 6 }

    public var count: Int { members.count }

    /// The shortest member that contains `prefix`, or nil.
    public func covering(_ prefix: IPPrefix) -> IPPrefix? {
        if let scanned {
            if prefix.length >= 8 {
                let first = Int(prefix.bits >> 120)
                guard firstBytes[Self.word(prefix.family, first)] >> UInt64(first & 63) & 1 != 0 else { return nil }
            }
            for member in scanned where member.contains(prefix) { return member }
            return nil
        }
        for length in lengths[prefix.family] ?? [] {
            if length > prefix.length { break }
            let candidate = prefix.truncated(to: length)
            if members.contains(candidate) { return candidate }
        }
        return nil
    }
}
