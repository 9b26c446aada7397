/// A set of prefixes that answers "which member covers this prefix?" by looking only at the
/// prefix lengths its members have.
public struct PrefixSet: Sendable {
    private var members: Set<IPPrefix> = []
    private var lengths: [IPFamily: [UInt8]] = [:]
    /// A small set (the special-purpose blocks, 27 prefixes) is scanned shortest first, which costs
    /// less than hashing one candidate per length for every route of a full table.
    private var scanned: [IPPrefix]?

    static let scanLimit = 64

    public init(_ prefixes: some Sequence<IPPrefix>) {
        var present: [IPFamily: Set<UInt8>] = [:]
        for prefix in prefixes {
            members.insert(prefix)
            present[prefix.family, default: []].insert(prefix.length)
        }
        lengths = present.mapValues { $0.sorted() }
        if members.count <= Self.scanLimit { scanned = members.sorted { ($0.length, $0) < ($1.length, $1) } }
    }

    public var count: Int { members.count }

    /// The shortest member that contains `prefix`, or nil.
    public func covering(_ prefix: IPPrefix) -> IPPrefix? {
        if let scanned {
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
