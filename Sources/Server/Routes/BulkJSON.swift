import Canonical
import Credentials
import Domain
import Foundation
import Operations
import Store

extension BulkFormat {
    /// The bulk answer as JSON: the document `JSONEncoder.api` makes of `Body` (sorted keys,
    /// ISO 8601 dates, absent mark fields left out, unknown readiness figures as null), written
    /// straight to bytes. For 10,000 rows the encoder's cost per value was most of the request's
    /// time; here what every row repeats (the label, the snapshots a readiness run measured,
    /// validity dates) is written once and copied.
    static func json(_ answers: [BulkAnswer]) throws -> [UInt8] {
        var writer = BulkJSONWriter()
        writer.output.reserveCapacity(64 + answers.count * 160)
        writer.raw("{\"count\":")
        writer.integer(answers.count)
        writer.raw(",\"results\":[")
        for (index, answer) in answers.enumerated() {
            if index > 0 { writer.output.append(UInt8(ascii: ",")) }
            try writer.row(Row(answer))
        }
        writer.raw("]}")
        return writer.output
    }
}

/// Writes `BulkFormat.Row`s as `JSONEncoder.api` would; `BulkVerificationTests` holds the two
/// outputs equal.
struct BulkJSONWriter {
    var output: [UInt8] = []
    /// The label, written once.
    let label: [UInt8] = {
        var bytes: [UInt8] = []
        JCS.writeString(BulkVerification.readinessLabel, to: &bytes)
        return bytes
    }()
    /// Snapshot references by id, and dates, as their JSON.
    var snapshots: [Int: [UInt8]] = [:]
    var dates: [Date: [UInt8]] = [:]

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    mutating func string(_ text: String) { JCS.writeString(text, to: &output) }

    mutating func integer(_ value: Int) { output.append(contentsOf: String(value).utf8) }

    /// As `JSONEncoder` writes a finite double: its shortest digits, without a trailing `.0`.
    mutating func number(_ value: Double?) {
        guard let value else { return raw("null") }
        guard value.isFinite else { return raw("null") }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        output.append(contentsOf: text.utf8)
    }

    mutating func date(_ date: Date) {
        if let bytes = dates[date] { return output.append(contentsOf: bytes) }
        var bytes: [UInt8] = []
        JCS.writeString(DateTimeStamp.format(date), to: &bytes)
        dates[date] = bytes
        output.append(contentsOf: bytes)
    }

    mutating func snapshot(_ reference: ParticipantMeasurement.SnapshotReference?) throws {
        guard let reference else { return raw("null") }
        if let bytes = snapshots[reference.id] { return output.append(contentsOf: bytes) }
        let bytes = [UInt8](try JSONEncoder.api.encode(reference))
        snapshots[reference.id] = bytes
        output.append(contentsOf: bytes)
    }

    /// A row's members in sorted order; a nil mark field is left out, as the synthesized
    /// `Encodable` leaves it.
    mutating func row(_ row: BulkFormat.Row) throws {
        raw("{")
        if let holder = row.holder {
            raw("\"holder\":")
            string(holder)
            raw(",")
        }
        raw("\"input\":")
        string(row.input)
        raw(",\"kind\":")
        string(row.kind)
        if let markID = row.markID {
            raw(",\"mark_id\":")
            string(markID)
        }
        raw(",\"other_marks\":[")
        for (index, mark) in row.otherMarks.enumerated() {
            if index > 0 { raw(",") }
            string(mark)
        }
        raw("]")
        if let program = row.program {
            raw(",\"program\":")
            string(program)
        }
        if let readiness = row.readiness?.readiness {
            raw(",\"readiness\":")
            try self.readiness(readiness)
        }
        raw(",\"result\":")
        string(row.result)
        if let status = row.status {
            raw(",\"status\":")
            string(status)
        }
        if let statusText = row.statusText {
            raw(",\"status_text\":")
            string(statusText)
        }
        if let tier = row.tier {
            raw(",\"tier\":")
            string(tier)
        }
        if let validUntil = row.validUntil {
            raw(",\"valid_until\":")
            date(validUntil)
        }
        raw("}")
    }

    /// `BulkFormat.ReadinessBody`'s members in sorted order, unknown figures as null.
    mutating func readiness(_ readiness: Readiness) throws {
        let metrics = readiness.metrics
        raw("{\"announcements\":")
        integer(metrics.announcements)
        raw(",\"bogon_prefixes_originated\":")
        integer(metrics.bogonPrefixesOriginated)
        raw(",\"irr_coverage\":")
        number(readiness.irrCoverage)
        raw(",\"irr_snapshot\":")
        try snapshot(readiness.run.irr)
        raw(",\"label\":")
        output.append(contentsOf: label)
        raw(",\"routes_snapshot\":")
        try snapshot(readiness.run.routes)
        raw(",\"rov_invalid_carried\":")
        if let carried = readiness.rovInvalidCarried { integer(carried) } else { raw("null") }
        raw(",\"rpki_invalid\":")
        integer(metrics.rpkiInvalid)
        raw(",\"rpki_invalid_share\":")
        number(readiness.rpkiInvalidShare)
        raw(",\"rpki_not_found\":")
        integer(metrics.rpkiNotFound)
        raw(",\"rpki_score\":")
        number(metrics.rpkiScore)
        raw(",\"rpki_valid\":")
        integer(metrics.rpkiValid)
        raw(",\"rpki_valid_share\":")
        number(metrics.rpkiValidShare)
        raw(",\"vrps_snapshot\":")
        try snapshot(readiness.run.vrps)
        raw("}")
    }
}
