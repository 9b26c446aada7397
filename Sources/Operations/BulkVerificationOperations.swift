import Credentials
import Domain
import Foundation
import Store

/// The answer to one input of a bulk check.
public struct BulkAnswer: Sendable {
    public let input: String
    public let query: BulkVerification.Query
    /// The marks that match, those that certify first.
    public let marks: [MarkSummary]
    /// For an ASN no matching mark certifies: its measured readiness, when the latest routes
    /// snapshot showed it.
    public let readiness: Readiness?

    /// Whether a matching mark certifies now (active, or valid with a warning).
    public var certified: Bool { marks.first?.status.certifies == true }
}

/// Bulk supplier checks (`POST /api/v1/verify/bulk`, `/verify/bulk`): up to
/// `BulkVerification.maxItems` ASNs, mark ids or names, answered in their order with a constant
/// number of queries (three mark lookups and one readiness read), whatever their number. Public:
/// what it shows is what the registry publishes.
public struct BulkVerificationOperations: Sendable {
    public let marks: MarkStore
    public let readiness: ReadinessStore

    public init(marks: MarkStore, readiness: ReadinessStore) {
        self.marks = marks
        self.readiness = readiness
    }

    /// One answer per input, in the inputs' order. Refuses (`.invalid`, code `too_many_items`)
    /// more than `BulkVerification.maxItems` inputs.
    public func verify(_ inputs: [String]) async throws -> [BulkAnswer] {
        if let refusal = BulkVerification.sizeRefusal(count: inputs.count) {
            throw StoreError.invalid([FieldRefusal("items", refusal.code, refusal.message)])
        }
        let queries = inputs.map { input in
            BulkVerification.query(input) { text in (try? MarkID(parsing: text))?.text }
        }
        var asns: [UInt32] = []
        var ids: [String] = []
        var names: [String] = []
        for query in Set(queries) {
            switch query {
            case .asn(let asn): asns.append(asn)
            case .mark(let id): ids.append(id)
            case .name(let name): names.append(name)
            case .empty: break
            }
        }
        async let byASN = marks.marks(forASNs: asns)
        async let byID = marks.marks(ids: ids)
        async let byName = marks.marks(named: names)
        let (asnMarks, idMarks, nameMarks) = try await (byASN, byID, byName)
        let uncertified = asns.filter { asn in asnMarks[asn]?.contains { $0.status.certifies } != true }
        let measured = try await readiness.readiness(asns: uncertified)

        return zip(inputs, queries).map { input, query in
            switch query {
            case .asn(let asn):
                let found = Self.ordered(asnMarks[asn] ?? [])
                return BulkAnswer(
                    input: input, query: query, marks: found, readiness: found.first?.status.certifies == true ? nil : measured[asn])
            case .mark(let id):
                return BulkAnswer(input: input, query: query, marks: idMarks[id].map { [$0] } ?? [], readiness: nil)
            case .name(let name):
                return BulkAnswer(input: input, query: query, marks: Self.ordered(nameMarks[name] ?? []), readiness: nil)
            case .empty:
                return BulkAnswer(input: input, query: query, marks: [], readiness: nil)
            }
        }
    }

    /// Marks that certify first, then those in force, then the rest; by program and id within.
    static func ordered(_ marks: [MarkSummary]) -> [MarkSummary] {
        func rank(_ status: CertificationStatus) -> Int { status.certifies ? 0 : status.isInForce ? 1 : 2 }
        return marks.sorted { (rank($0.status), $0.program, $0.mark) < (rank($1.status), $1.program, $1.mark) }
    }
}
