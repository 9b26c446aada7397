/// A set of prefixes that answers "which member covers this prefix?" by looking only at the
/// prefix lengths its members have.
public struct PrefixSet: Sendable {
    private var members: Set<IPPrefix> = []
    private var lengths: [IPFamily: [UInt8]] = [:]

    public init(_ prefixes: some Sequence<IPPrefix>) {
        var present: [IPFamily: Set<UInt8>] = [:]
        for prefix in prefixes {
            members.insert(prefix)
            present[prefix.family, default: []].insert(prefix.length)
        }
        lengths = present.mapValues { $0.sorted() }
    }

    public var count: Int { members.count }

    /// The shortest member that contains `prefix`, or nil.
    public func covering(_ prefix: IPPrefix) -> IPPrefix? {
        for length in lengths[prefix.family] ?? [] {
            if length > prefix.length { break }
            let candidate = prefix.truncated(to: length)
            if members.contains(candidate) { return candidate }
        }
        return nil
    }
}
