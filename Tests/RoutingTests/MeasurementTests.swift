import Foundation
import Routing
import Testing

@Suite("Per-ASN measurement")
struct MeasurementTests {
    func prefix(_ text: String) throws -> IPPrefix { try IPPrefix(text) }

    func path(_ asns: [ASN], set: [ASN] = []) -> ASPath {
        ASPath(segments: [.sequence(asns)] + (set.isEmpty ? [] : [.set(set)]))
    }

    @Test("RPKI, IRR, bogons and transit counts, each with its explanation")
    func counts() throws {
        let vrps = VRPIndex([
            VRP(prefix: try prefix("185.0.2.0/24"), maxLength: 24, asn: 3333),
            VRP(prefix: try prefix("185.51.100.0/24"), maxLength: 24, asn: 1234),
            VRP(prefix: try prefix("185.0.112.0/22"), maxLength: 23, asn: 3333),
        ])
        let irr = [
            IRRRoute(prefix: try prefix("185.0.2.0/24"), origin: 3333, maintainers: [], source: "TEST"),
            IRRRoute(prefix: try prefix("185.0.112.0/22"), origin: 3333, maintainers: [], source: "TEST"),
            IRRRoute(prefix: try prefix("185.51.100.0/24"), origin: 3333, maintainers: [], source: "TEST"),  // RPKI-invalid object
        ]
        var measurement = Measurement(vrps: vrps, irr: irr, asOf: Date(timeIntervalSince1970: 1_700_000_000))
        // 3333 originates: valid, invalid (wrong origin), invalid (too specific), a bogon, seen twice from two peers.
        for peer: ASN in [3356, 1299] {
            measurement.add(prefix: try prefix("185.0.2.0/24"), origin: 3333, originText: "3333", path: path([peer, 3333]))
            measurement.add(prefix: try prefix("185.51.100.0/24"), origin: 3333, originText: "3333", path: path([peer, 3333]))
            measurement.add(prefix: try prefix("185.0.113.0/24"), origin: 3333, originText: "3333", path: path([peer, 3333]))
            measurement.add(prefix: try prefix("10.0.0.0/8"), origin: 3333, originText: "3333", path: path([peer, 3333]))
        }
        // A route with a private ASN behind 3333, and an AS_SET origin.
        measurement.add(prefix: try prefix("193.0.0.0/21"), origin: 65001, originText: "65001", path: path([3356, 3333, 65001]))
        measurement.add(prefix: try prefix("193.0.8.0/21"), origin: ASN?.none, originText: "{3333,5678}", path: path([3356], set: [3333, 5678]))

        let rows = Dictionary(uniqueKeysWithValues: measurement.metrics().map { ($0.asn, $0) })
        let origin = try #require(rows[3333])
        #expect(origin.announcements == 4)
        #expect(origin.rpkiValid == 1)
        #expect(origin.rpkiInvalidOrigin == 1)
        #expect(origin.rpkiInvalidLength == 1)
        #expect(origin.rpkiNotFound == 1)
        #expect(origin.rpkiScore == (1.0 - 10 * 2) / 4)
        #expect(origin.irrExact == 2)  // 185.0.2.0/24 and the (invalid) 185.51.100.0/24 object
        #expect(origin.irrCovering == 1)  // 185.0.113.0/24 under 185.0.112.0/22
        #expect(origin.irrNone == 1)
        #expect(origin.irrRPKIConflicts == 1)
        #expect(origin.bogonPrefixesOriginated == 1)
        #expect(origin.bogonASNsOriginated == 1)
        #expect(
            origin.explanations.contains {
                $0.metric == "rpki_invalid" && $0.subject.hasPrefix("185.51.100.0/24") && $0.evidence == ["185.51.100.0/24-24 AS1234"]
            })

        let transit = try #require(rows[3356])
        #expect(transit.announcements == 0)
        // The two invalid routes of 3333, once each although seen from two peers; the AS_SET
        // route is covered by no VRP, so not-found.
        #expect(transit.rovInvalidCarried == 2)
        #expect(transit.bogonPrefixesPropagated == 1)
        #expect(transit.bogonASNsPropagated == 1)
        #expect(rows[1299]?.rovInvalidCarried == 2)
        #expect(rows[65001] != nil)
    }
}
