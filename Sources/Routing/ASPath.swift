/// A BGP AS_PATH: its segments in order, as received.
public struct ASPath: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case sequence([ASN])
        case set([ASN])
        case confederationSequence([ASN])
        case confederationSet([ASN])

        var members: [ASN] {
            switch self {
            case .sequence(let members), .set(let members), .confederationSequence(let members), .confederationSet(let members):
                members
            }
        }
    }

    public var segments: [Segment]

    public init(segments: [Segment]) {
        self.segments = segments
    }

    /// The origin AS: the last AS of a final AS_SEQUENCE; nil when the path ends in an AS_SET
    /// (which matches no VRP) or is empty.
    public var origin: ASN? {
        guard case .sequence(let members)? = segments.last(where: { !$0.members.isEmpty }) else { return nil }
        return members.last
    }

    /// The origin as bgpdump prints it: the last AS, or the whole final set as `{a,b}`.
    public var originText: String {
        switch segments.last(where: { !$0.members.isEmpty }) {
        case .sequence(let members)?: members.last.map(String.init) ?? ""
        case .set(let members)?: "{" + members.map(String.init).joined(separator: ",") + "}"
        case .confederationSequence(let members)?: members.last.map(String.init) ?? ""
        case .confederationSet(let members)?: "[" + members.map(String.init).joined(separator: ",") + "]"
        case nil: ""
        }
    }

    /// Every AS in the path, in order (sets flattened).
    public var allASNs: [ASN] { segments.flatMap(\.members) }

    /// Number of AS hops in the path: sequences count each AS, a set counts one (RFC 4271 §9.1.2.2).
    public var hopCount: Int {
        segments.reduce(0) { count, segment in
            switch segment {
            case .sequence(let members): count + members.count
            case .set: count + 1
            case .confederationSequence, .confederationSet: count
            }
        }
    }

    /// bgpdump's text form: `1 2 {3,4}`.
    public var description: String {
        segments.map { segment -> String in
            switch segment {
            case .sequence(let members): members.map(String.init).joined(separator: " ")
            case .set(let members): "{" + members.map(String.init).joined(separator: ",") + "}"
            case .confederationSequence(let members): "(" + members.map(String.init).joined(separator: " ") + ")"
            case .confederationSet(let members): "[" + members.map(String.init).joined(separator: ",") + "]"
            }
        }.joined(separator: " ")
    }

    /// Reads the text form `description` writes (bgpdump's): ASNs separated by spaces, `{a,b}`
    /// for an AS_SET, `(a b)` and `[a,b]` for confederation segments. Nil for anything else.
    public init?(parsing text: some StringProtocol) {
        var segments: [Segment] = []
        var sequence: [ASN] = []
        var rest = Substring(text)
        func members(_ body: Substring, separator: Character) -> [ASN]? {
            var result: [ASN] = []
            for part in body.split(separator: separator, omittingEmptySubsequences: true) {
                guard let asn = ASN(part) else { return nil }
                result.append(asn)
            }
            return result.isEmpty ? nil : result
        }
        while let first = rest.first {
            if first == " " {
                rest = rest.dropFirst()
                continue
            }
            let closing: Character? = ["{": "}", "(": ")", "[": "]"][first]
            if let closing {
                guard let end = rest.firstIndex(of: closing) else { return nil }
                let body = rest[rest.index(after: rest.startIndex)..<end]
                guard let asns = members(body, separator: first == "(" ? " " : ",") else { return nil }
                if !sequence.isEmpty {
                    segments.append(.sequence(sequence))
                    sequence = []
                }
                switch first {
                case "{": segments.append(.set(asns))
                case "(": segments.append(.confederationSequence(asns))
                default: segments.append(.confederationSet(asns))
                }
                rest = rest[rest.index(after: end)...]
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                guard let asn = ASN(rest[..<end]) else { return nil }
                sequence.append(asn)
                rest = rest[end...]
            }
        }
        if !sequence.isEmpty { segments.append(.sequence(sequence)) }
        self.init(segments: segments)
    }

    /// Merges a 2-byte AS_PATH with the AS4_PATH that carries its real 4-byte ASNs (RFC 6793
    /// §4.2.3): the AS4_PATH replaces the same number of hops at the end of the AS_PATH. An
    /// AS4_PATH longer than the AS_PATH is ignored, as the RFC says.
    public static func merging(_ path: ASPath, with as4Path: ASPath?) -> ASPath {
        guard let as4Path, as4Path.hopCount <= path.hopCount else { return path }
        var keep = path.hopCount - as4Path.hopCount
        var leading: [Segment] = []
        for segment in path.segments where keep > 0 {
            switch segment {
            case .sequence(let members):
                let taken = Array(members.prefix(keep))
                keep -= taken.count
                leading.append(.sequence(taken))
            case .set:
                keep -= 1
                leading.append(segment)
            case .confederationSequence, .confederationSet:
                leading.append(segment)
            }
        }
        return ASPath(segments: leading + as4Path.segments)
    }
}
