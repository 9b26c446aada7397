import Domain
import Foundation
import Hummingbird
import Operations
import Store

/// The bulk check's page (`/verify/bulk`), for buyers without an API client: paste or upload a
/// list, see the table, download it as CSV. Works without JavaScript; no sign-in.
struct VerifyBulkPages {
    let pages: Pages
    let bulk: BulkVerificationOperations

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("/verify/bulk") { _, context in
            try pages.render("verify-bulk", model: BulkPageModel(frame: PageFrame(context.session)))
        }
        router.post("/verify/bulk") { request, context -> Response in
            let frame = PageFrame(context.session)
            let contentType = request.headers[.contentType] ?? ""
            var fields: [String: String] = [:]
            var fileText: String? = nil
            if let boundary = MultipartForm.boundary(contentType) {
                let form = try await MultipartForm.read(request, boundary: boundary, maxBytes: VerifyBulkRoutes.bodyLimit)
                for name in ["items", "format"] { fields[name] = form.field(name) }
                if let file = form.file("file"), file.body.readableBytes > 0 {
                    guard let text = String(validating: Data(buffer: file.body), as: UTF8.self) else {
                        return try render(frame, items: "", error: "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it again.")
                    }
                    fileText = text
                }
            } else {
                switch try await FormFields.read(request, context, limit: VerifyBulkRoutes.bodyLimit) {
                case .success(let read): fields = read
                case .failure: return try render(frame, items: "", error: "The form could not be read. Send it again from this page.")
                }
            }
            let typed = fields["items"] ?? ""
            let inputs: [String]
            if let fileText {
                do {
                    inputs = try BulkFormat.inputs(csv: fileText)
                } catch let problem as Problem {
                    return try render(frame, items: typed, error: problem.detail)
                }
            } else {
                // Typed or pasted: one input per line, so a name may hold a comma.
                inputs = typed.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).map(String.init)
                    .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            }
            if let refusal = BulkVerification.sizeRefusal(count: inputs.count) {
                return try render(frame, items: "", error: refusal.message, status: .contentTooLarge)
            }
            if inputs.isEmpty { return try render(frame, items: typed, error: "Paste at least one AS number, mark id or name, or choose a file.") }
            let answers = try await bulk.verify(inputs)
            if fields["format"] == "csv" { return BulkFormat.csvResponse(answers, download: true) }
            return try pages.render(
                "verify-bulk", model: BulkPageModel(frame: frame, items: inputs.joined(separator: "\n"), answers: answers))
        }
    }

    func render(_ frame: PageFrame, items: String, error: String, status: HTTPResponse.Status = .unprocessableContent) throws -> Response {
        try pages.render("verify-bulk", model: BulkPageModel(frame: frame, items: items, error: error), status: status)
    }
}

/// The bulk check page: the form, and after a check its table.
struct BulkPageModel: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let input: String
        let result: String
        let markID: String?
        let holder: String?
        let program: String?
        let tier: String?
        let status: String?
        let validUntil: String?
        let otherMarks: String?
        let readiness: String?
    }

    let csrf: String?
    let links: [NavLink]
    let limit: String
    let items: String
    let error: String?
    let checked: Bool
    let count: Int
    let summary: String
    let rows: [Row]
    let measuredFrom: String?

    init(frame: PageFrame, items: String = "", error: String? = nil, answers: [BulkAnswer]? = nil) {
        csrf = frame.csrf
        links = frame.links
        limit = BulkVerification.maxItems.formatted(.number)
        self.items = items
        self.error = error
        checked = answers != nil
        let answers = answers ?? []
        count = answers.count
        let certified = answers.count(where: \.certified)
        summary = "\(certified) certified, \(answers.count - certified) not certified or not found."
        rows = answers.map { answer in
            let row = BulkFormat.Row(answer)
            let words: String
            switch row.result {
            case "certified": words = "Certified"
            case "not_certified": words = "Not certified"
            default: words = answer.query == .empty ? "Empty line" : "Not found"
            }
            let readiness = answer.readiness.map { measured -> String in
                let metrics = measured.metrics
                var parts = ["\(metrics.announcements) announcements"]
                if let share = metrics.rpkiValidShare { parts.append("\(Self.percent(share)) RPKI-valid") }
                if let share = measured.rpkiInvalidShare { parts.append("\(Self.percent(share)) RPKI-invalid") }
                if let share = measured.irrCoverage { parts.append("\(Self.percent(share)) in the IRR") }
                if metrics.bogonPrefixesOriginated > 0 { parts.append("\(metrics.bogonPrefixesOriginated) bogon prefixes") }
                if let carried = measured.rovInvalidCarried { parts.append("\(carried) invalid routes carried") }
                return parts.joined(separator: ", ")
            }
            return Row(
                input: answer.input, result: words, markID: row.markID, holder: row.holder, program: row.program, tier: row.tier,
                status: row.statusText, validUntil: row.validUntil.map { PageWords.day($0) },
                otherMarks: row.otherMarks.isEmpty ? nil : row.otherMarks.joined(separator: ", "),
                readiness: readiness ?? (answer.query.isASN ? "not seen in the latest routes" : nil))
        }
        let run = answers.lazy.compactMap(\.readiness).first?.run
        measuredFrom = run.map { run in
            "measured from the routes of \(PageWords.day(run.routes.takenAt)) and the RPKI data of \(PageWords.day(run.vrps.takenAt))."
        }
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f %%", share * 100) }
}

extension BulkVerification.Query {
    var isASN: Bool {
        if case .asn = self { return true }
        return false
    }
}
