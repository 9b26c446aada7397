/// A route event read from an MRT file.
public struct MRTRoute: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A RIB entry (TABLE_DUMP, TABLE_DUMP_V2).
        case rib
        /// An UPDATE announcing the prefix (BGP4MP).
        case announcement
        /// An UPDATE withdrawing the prefix (BGP4MP); `path` is nil.
        case withdrawal
    }

    public let kind: Kind
    public let timestamp: UInt32
    public let peerASN: ASN
    public let peerAddress: IPAddress?
    public let prefix: IPPrefix
    public let path: ASPath?
}

/// Reads MRT files (RFC 6396): TABLE_DUMP and TABLE_DUMP_V2 RIBs (IPv4 and IPv6 unicast, 4-byte
/// AS paths, AS_SET segments) and BGP4MP/BGP4MP_ET update files (announcements, withdrawals,
/// MP_REACH/MP_UNREACH for IPv6, AS4_PATH merged into 2-byte paths). Plain, gzip or bzip2.
///
/// A file cut off mid-record ends cleanly: the summary says how much was read and that the end
/// was truncated. Records of types it does not read (STATE_CHANGE, multicast, …) are skipped.
public enum MRTReader {
    public struct Summary: Sendable {
        public var records = 0
        public var routes = 0
        public var skippedRecords = 0
        public var rejected = 0
        public var truncated = false
        public var rejects: [RoutingDataError] = []
    }

    public static func read(path: String, policy: BadRecordPolicy = .skip, _ body: (MRTRoute) throws -> Void) throws -> Summary {
        let stream = try ByteStream(path: path)
        var summary = Summary()
        var peers: [(address: IPAddress, asn: ASN)] = []
        while try !stream.atEnd() {
            let recordOffset = stream.offset
            guard let header = try stream.take(12, { MRTHeader($0) }) else {
                summary.truncated = true
                break
            }
            let outcome: Result<Void, RoutingDataError>? = try stream.take(Int(header.length)) { (body_: UnsafeBufferPointer<UInt8>) in
                var cursor = Cursor(bytes: body_)
                do {
                    try decode(header: header, cursor: &cursor, peers: &peers, summary: &summary, emit: body)
                    return .success(())
                } catch let error as CursorError {
                    return .failure(
                        RoutingDataError(
                            file: path, offset: recordOffset, reason: "malformed MRT record (type \(header.type)/\(header.subtype)): \(error.reason)")
                    )
                }
            }
            guard let outcome else {
                summary.truncated = true
                break
            }
            summary.records += 1
            if case .failure(let error) = outcome {
                if policy == .stop { throw error }
                summary.rejected += 1
                if summary.rejects.count < 20 { summary.rejects.append(error) }
            }
        }
        if stream.truncated { summary.truncated = true }
        return summary
    }

    private static func decode(
        header: MRTHeader,
        cursor: inout Cursor,
        peers: inout [(address: IPAddress, asn: ASN)],
        summary: inout Summary,
        emit: (MRTRoute) throws -> Void
    ) throws {
        switch (header.type, header.subtype) {
        case (12, 1), (12, 2):  // TABLE_DUMP, AFI_IPv4 / AFI_IPv6
            let family: IPFamily = header.subtype == 1 ? .v4 : .v6
            try cursor.skip(4)  // view, sequence
            let address = try cursor.address(family)
            let length = try cursor.u8()
            try cursor.skip(1 + 4)  // status, originated time
            let peerAddress = try cursor.address(family)
            let peerASN = ASN(try cursor.u16())
            let attributes = try cursor.slice(Int(try cursor.u16()))
            let parsed = try Attributes(attributes, asn4: false)
            guard Int(length) <= family.width else { throw CursorError("prefix length \(length)") }
            try emitOne(
                .rib, header, peerASN, peerAddress, IPPrefix(family: family, bits: address.bits, length: length), parsed.path, summary: &summary, emit
            )

        case (13, 1):  // TABLE_DUMP_V2 PEER_INDEX_TABLE
            try cursor.skip(4)
            try cursor.skip(Int(try cursor.u16()))  // view name
            let count = Int(try cursor.u16())
            peers = []
            peers.reserveCapacity(count)
            for _ in 0..<count {
                let type = try cursor.u8()
                try cursor.skip(4)  // BGP ID
                let address = try cursor.address(type & 1 == 1 ? .v6 : .v4)
                let asn = type & 2 == 2 ? try cursor.u32() : ASN(try cursor.u16())
                peers.append((address, asn))
            }

        case (13, 2), (13, 4):  // TABLE_DUMP_V2 RIB_IPV4_UNICAST / RIB_IPV6_UNICAST
            let family: IPFamily = header.subtype == 2 ? .v4 : .v6
            try cursor.skip(4)  // sequence
            let prefix = try cursor.prefix(family)
            let entries = Int(try cursor.u16())
            for _ in 0..<entries {
                let peerIndex = Int(try cursor.u16())
                try cursor.skip(4)  // originated time
                let attributes = try cursor.slice(Int(try cursor.u16()))
                let parsed = try Attributes(attributes, asn4: true)
                let peer = peerIndex < peers.count ? peers[peerIndex] : nil
                try emitOne(.rib, header, peer?.asn ?? 0, peer?.address, prefix, parsed.path, summary: &summary, emit)
            }

        case (16, 1), (16, 4), (16, 6), (16, 7), (17, 1), (17, 4), (17, 6), (17, 7):  // BGP4MP(_ET) MESSAGE(_AS4)(_LOCAL)
            if header.type == 17 { try cursor.skip(4) }  // microseconds
            let asn4 = header.subtype == 4 || header.subtype == 7
            let peerASN = asn4 ? try cursor.u32() : ASN(try cursor.u16())
            try cursor.skip(asn4 ? 4 : 2)  // local AS
            try cursor.skip(2)  // interface index
            let afi = try cursor.u16()
            let family: IPFamily = afi == 2 ? .v6 : .v4
            let peerAddress = try cursor.address(family)
            try cursor.skip(family == .v4 ? 4 : 16)  // local address
            try cursor.skip(16)  // marker
            _ = try cursor.u16()  // BGP message length
            guard try cursor.u8() == 2 else {
                summary.skippedRecords += 1
                return  // OPEN, KEEPALIVE, NOTIFICATION
            }
            var withdrawn = try cursor.slice(Int(try cursor.u16()))
            let attributes = try cursor.slice(Int(try cursor.u16()))
            let parsed = try Attributes(attributes, asn4: asn4)
            while !withdrawn.atEnd {
                try emitOne(.withdrawal, header, peerASN, peerAddress, try withdrawn.prefix(.v4), nil, summary: &summary, emit)
            }
            for prefix in parsed.unreachable {
                try emitOne(.withdrawal, header, peerASN, peerAddress, prefix, nil, summary: &summary, emit)
            }
            while !cursor.atEnd {
                try emitOne(.announcement, header, peerASN, peerAddress, try cursor.prefix(.v4), parsed.path, summary: &summary, emit)
            }
            for prefix in parsed.reachable {
                try emitOne(.announcement, header, peerASN, peerAddress, prefix, parsed.path, summary: &summary, emit)
            }

        default:
            summary.skippedRecords += 1
        }
    }

    @inline(__always)
    private static func emitOne(
        _ kind: MRTRoute.Kind,
        _ header: MRTHeader,
        _ peerASN: ASN,
        _ peerAddress: IPAddress?,
        _ prefix: IPPrefix,
        _ path: ASPath?,
        summary: inout Summary,
        _ emit: (MRTRoute) throws -> Void
    ) throws {
        summary.routes += 1
        try emit(MRTRoute(kind: kind, timestamp: header.timestamp, peerASN: peerASN, peerAddress: peerAddress, prefix: prefix, path: path))
    }
}

struct MRTHeader {
    let timestamp: UInt32
    let type: UInt16
    let subtype: UInt16
    let length: UInt32

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var cursor = Cursor(bytes: bytes)
        timestamp = (try? cursor.u32()) ?? 0
        type = (try? cursor.u16()) ?? 0
        subtype = (try? cursor.u16()) ?? 0
        length = (try? cursor.u32()) ?? 0
    }
}

/// The path attributes the measurements need: the AS path (merged with AS4_PATH) and the
/// MP_REACH/MP_UNREACH prefixes.
struct Attributes {
    var path: ASPath?
    var reachable: [IPPrefix] = []
    var unreachable: [IPPrefix] = []

    init(_ bytes: Cursor, asn4: Bool) throws {
        var cursor = bytes
        var asPath: ASPath? = nil
        var as4Path: ASPath? = nil
        while !cursor.atEnd {
            let flags = try cursor.u8()
            let type = try cursor.u8()
            let length = flags & 0x10 != 0 ? Int(try cursor.u16()) : Int(try cursor.u8())
            var value = try cursor.slice(length)
            switch type {
            case 2: asPath = try Self.path(&value, asn4: asn4)
            case 17: as4Path = try Self.path(&value, asn4: true)
            case 14:  // MP_REACH_NLRI
                let afi = try value.u16()
                let safi = try value.u8()
                try value.skip(Int(try value.u8()))  // next hop
                try value.skip(1)  // reserved
                guard safi == 1, afi == 1 || afi == 2 else { continue }
                while !value.atEnd { reachable.append(try value.prefix(afi == 2 ? .v6 : .v4)) }
            case 15:  // MP_UNREACH_NLRI
                let afi = try value.u16()
                let safi = try value.u8()
                guard safi == 1, afi == 1 || afi == 2 else { continue }
                while !value.atEnd { unreachable.append(try value.prefix(afi == 2 ? .v6 : .v4)) }
            default:
                break
            }
        }
        if let asPath {
            path = asn4 ? asPath : ASPath.merging(asPath, with: as4Path)
        }
    }

    static func path(_ cursor: inout Cursor, asn4: Bool) throws -> ASPath {
        var segments: [ASPath.Segment] = []
        while !cursor.atEnd {
            let type = try cursor.u8()
            let count = Int(try cursor.u8())
            var members: [ASN] = []
            members.reserveCapacity(count)
            for _ in 0..<count { members.append(asn4 ? try cursor.u32() : ASN(try cursor.u16())) }
            switch type {
            case 1: segments.append(.set(members))
            case 2: segments.append(.sequence(members))
            case 3: segments.append(.confederationSequence(members))
            case 4: segments.append(.confederationSet(members))
            default: throw CursorError("AS_PATH segment type \(type)")
            }
        }
        return ASPath(segments: segments)
    }
}

struct CursorError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Big-endian reads over a byte buffer, each checked against its end.
struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, position: Int, end: Int) {
        self.bytes = bytes
        self.position = position
        self.end = end
    }

    var atEnd: Bool { position >= end }

    @inline(__always)
    mutating func need(_ count: Int) throws {
        guard count >= 0, end - position >= count else { throw CursorError("record ends \(count - (end - position)) bytes early") }
    }

    mutating func skip(_ count: Int) throws {
        try need(count)
        position += count
    }

    mutating func u8() throws -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16() throws -> UInt16 {
        try need(2)
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    mutating func u32() throws -> UInt32 {
        try need(4)
        defer { position += 4 }
        return UInt32(bytes[position]) << 24 | UInt32(bytes[position + 1]) << 16 | UInt32(bytes[position + 2]) << 8 | UInt32(bytes[position + 3])
    }

    /// The next `count` bytes as a cursor of their own.
    mutating func slice(_ count: Int) throws -> Cursor {
        try need(count)
        defer { position += count }
        return Cursor(bytes: bytes, position: position, end: position + count)
    }

    mutating func address(_ family: IPFamily) throws -> IPAddress {
        let width = family == .v4 ? 4 : 16
        try need(width)
        var bits: UInt128 = 0
        for index in 0..<width { bits = bits << 8 | UInt128(bytes[position + index]) }
        position += width
        return IPAddress(family: family, bits: bits << (128 - UInt128(width * 8)))
    }

    /// An NLRI prefix: a length in bits, then just enough bytes to hold it.
    mutating func prefix(_ family: IPFamily) throws -> IPPrefix {
        let length = try u8()
        guard Int(length) <= family.width else { throw CursorError("prefix length \(length) for \(family)") }
        let count = (Int(length) + 7) / 8
        try need(count)
        var bits: UInt128 = 0
        for index in 0..<count { bits |= UInt128(bytes[position + index]) << UInt128(120 - 8 * index) }
        position += count
        return IPPrefix(family: family, bits: bits, length: length)
    }
}
