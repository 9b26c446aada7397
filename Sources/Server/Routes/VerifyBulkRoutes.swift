import Domain
import Foundation
import Hummingbird
import Operations
import Store

/// `POST /api/v1/verify/bulk`: a buyer's list of suppliers (ASNs, mark ids or names), as JSON or
/// CSV, answered one row per input in the same order, as JSON or CSV. No sign-in: it shows what
/// the registry publishes.
struct VerifyBulkRoutes {
    let bulk: BulkVerificationOperations

    /// The largest body read: 10,000 inputs of up to 200 bytes each, with room for CSV quoting.
    static let bodyLimit = 4 << 20

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("verify/bulk") { request, context -> Response in
            let contentType = request.headers[.contentType] ?? ""
            let csvIn = BulkFormat.isCSV(contentType)
            let inputs: [String]
            if csvIn {
                let buffer = try await request.body.collect(upTo: Self.bodyLimit)
                guard let text = String(validating: Data(buffer: buffer), as: UTF8.self) else {
                    throw Problem.malformedBody("The CSV is not valid UTF-8; save it as UTF-8 (\"CSV UTF-8\" in spreadsheets).")
                }
                inputs = try BulkFormat.inputs(csv: text)
            } else {
                guard Request.isJSON(contentType) else {
                    throw Problem.unsupportedMediaType(
                        "Send the list as text/csv (one input per row) or as application/json ({\"items\": [...]}), with that Content-Type.")
                }
                var limited = context
                limited.bodyLimit = max(context.bodyLimit, Self.bodyLimit)
                inputs = try await request.strictJSON(as: BulkRequest.self, context: limited).value.items
            }
            if let refusal = BulkVerification.sizeRefusal(count: inputs.count) { throw BulkFormat.tooMany(refusal) }
            let answers = try await bulk.verify(inputs)
            let csvOut = BulkFormat.wantsCSV(accept: request.headers[.accept], inputWasCSV: csvIn)
            return csvOut ? BulkFormat.csvResponse(answers) : try BulkFormat.jsonResponse(answers)
        }
    }

    struct BulkRequest: Codable {
        let items: [String]
    }
}

/// The bulk answer's shapes, shared by the API and the page: JSON, CSV and the table's rows.
enum BulkFormat {
    static func isCSV(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return mediaType == "text/csv"
    }

    /// CSV out when `Accept` asks for it, JSON when it asks for JSON, else the input's format.
    static func wantsCSV(accept: String?, inputWasCSV: Bool) -> Bool {
        guard let accept = accept?.lowercased() else { return inputWasCSV }
        if accept.contains("text/csv") { return true }
        if accept.contains("json") { return false }
        return inputWasCSV
    }

    /// The inputs of a CSV text (its rows' first cells, after an optional header row).
    static func inputs(csv text: String) throws(Problem) -> [String] {
        do {
            return BulkVerification.inputs(fromCSV: try CSV.parse(text))
        } catch {
            throw Problem.malformedBody("The CSV could not be read: \(error.description)")
        }
    }

    /// 413 with the limit in words.
    static func tooMany(_ refusal: Refusal) -> Problem {
        Problem(type: Problem.typePrefix + "too-many-items", title: "Too many items", status: .contentTooLarge, detail: refusal.message)
    }

    /// One answer, flattened: what both the CSV row and the page's table show.
    struct Row: Encodable, Sendable {
        let input: String
        /// `asn`, `mark`, `name` or `empty`.
        let kind: String
        /// `certified`, `not_certified` (an ASN without a mark that certifies it) or `not_found`.
        let result: String
        let markID: String?
        let holder: String?
        let program: String?
        let tier: String?
        let status: String?
        /// The status in a buyer's words ("valid, with a warning").
        let statusText: String?
        let validUntil: Date?
        /// Further marks the input matched (another program).
        let otherMarks: [String]
        let readiness: ReadinessBody?

        enum CodingKeys: String, CodingKey {
            case input, kind, result, holder, program, tier, status, readiness
            case markID = "mark_id"
            case statusText = "status_text"
            case validUntil = "valid_until"
            case otherMarks = "other_marks"
        }

        init(_ answer: BulkAnswer) {
            input = answer.input
            switch answer.query {
            case .asn: kind = "asn"
            case .mark: kind = "mark"
            case .name: kind = "name"
            case .empty: kind = "empty"
            }
            let mark = answer.marks.first
            if answer.certified {
                result = "certified"
            } else if case .asn = answer.query {
                result = "not_certified"
            } else {
                result = mark == nil ? "not_found" : "not_certified"
            }
            markID = mark?.mark
            holder = mark?.displayName
            program = mark?.program
            tier = mark?.tier.rawValue
            status = mark?.status.rawValue
            statusText = mark?.statusText
            validUntil = mark?.validUntil
            otherMarks = answer.marks.dropFirst().map(\.mark)
            readiness = answer.readiness.map(ReadinessBody.init)
        }
    }

    /// An ASN's measured readiness, labelled as a measurement.
    struct ReadinessBody: Encodable, Sendable {
        let readiness: Readiness

        enum CodingKeys: String, CodingKey {
            case announcements, label
            case rpkiValid = "rpki_valid"
            case rpkiInvalid = "rpki_invalid"
            case rpkiNotFound = "rpki_not_found"
            case rpkiValidShare = "rpki_valid_share"
            case rpkiInvalidShare = "rpki_invalid_share"
            case rpkiScore = "rpki_score"
            case irrCoverage = "irr_coverage"
            case bogonPrefixesOriginated = "bogon_prefixes_originated"
            case rovInvalidCarried = "rov_invalid_carried"
            case routesSnapshot = "routes_snapshot"
            case vrpsSnapshot = "vrps_snapshot"
            case irrSnapshot = "irr_snapshot"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            let metrics = readiness.metrics
            try container.encode(BulkVerification.readinessLabel, forKey: .label)
            try container.encode(metrics.announcements, forKey: .announcements)
            try container.encode(metrics.rpkiValid, forKey: .rpkiValid)
            try container.encode(metrics.rpkiInvalid, forKey: .rpkiInvalid)
            try container.encode(metrics.rpkiNotFound, forKey: .rpkiNotFound)
            try container.encode(metrics.rpkiValidShare, forKey: .rpkiValidShare)
            try container.encode(readiness.rpkiInvalidShare, forKey: .rpkiInvalidShare)
            try container.encode(metrics.rpkiScore, forKey: .rpkiScore)
            try container.encode(readiness.irrCoverage, forKey: .irrCoverage)
            try container.encode(metrics.bogonPrefixesOriginated, forKey: .bogonPrefixesOriginated)
            try container.encode(readiness.rovInvalidCarried, forKey: .rovInvalidCarried)
            try container.encode(readiness.run.routes, forKey: .routesSnapshot)
            try container.encode(readiness.run.vrps, forKey: .vrpsSnapshot)
            try container.encode(readiness.run.irr, forKey: .irrSnapshot)
        }
    }

    struct Body: Encodable, Sendable {
        let count: Int
        let results: [Row]
    }

    static func jsonResponse(_ answers: [BulkAnswer]) throws -> Response {
        let body = try json(answers)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.count)
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static let csvHeader = [
        "input", "result", "mark_id", "holder", "program", "tier", "status", "valid_until", "announcements", "rpki_valid_share",
        "rpki_invalid_share", "irr_coverage", "bogon_prefixes_originated", "rov_invalid_carried", "measured_routes_taken_at",
        "measured_vrps_taken_at", "note",
    ]

    /// The answers as CSV (RFC 4180, CRLF, cells neutralised against formulas), a header first.
    static func csv(_ answers: [BulkAnswer]) -> String {
        var text = CSV.row(csvHeader)
        text.reserveCapacity(answers.count * 80)
        // Every measured row shows the same snapshot times, and marks share validity dates:
        // each is formatted once.
        var times: [Date: String] = [:]
        func time(_ date: Date?) -> String {
            guard let date else { return "" }
            if let text = times[date] { return text }
            let text = date.formatted(.iso8601)
            times[date] = text
            return text
        }
        for answer in answers { text += CSV.row(csvCells(Row(answer), time: time)) }
        return text
    }

    static func csvCells(_ row: Row, time: (Date?) -> String) -> [String] {
        func share(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "" }
        let measured = row.readiness?.readiness
        return [
            row.input, row.result, row.markID ?? "", row.holder ?? "", row.program ?? "", row.tier ?? "", row.statusText ?? "",
            time(row.validUntil), measured.map { String($0.metrics.announcements) } ?? "", share(measured?.metrics.rpkiValidShare),
            share(measured?.rpkiInvalidShare), share(measured?.irrCoverage), measured.map { String($0.metrics.bogonPrefixesOriginated) } ?? "",
            measured?.rovInvalidCarried.map(String.init) ?? "", time(measured?.run.routes.takenAt), time(measured?.run.vrps.takenAt),
            measured == nil ? "" : BulkVerification.readinessLabel,
        ]
    }

    static func csvResponse(_ answers: [BulkAnswer], download: Bool = false) -> Response {
        let body = Array(csv(answers).utf8)
        var fields = HTTPFields()
        fields[.contentType] = "text/csv; charset=utf-8"
        fields[.contentLength] = String(body.count)
        if download { fields[.contentDisposition] = "attachment; filename=\"manrs-plus-bulk-check.csv\"" }
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
