import Foundation
import Store

/// `GET /api/v1/applications/{id}`: the application's detail with the reviewers' decisions of
/// every round (their per-action comments and reasons), so the applicant reads the feedback
/// where they read the application. Internal notes are not decisions and stay staff-only.
struct ApplicationReadout: Encodable {
    let detail: ApplicationDetail
    let decisions: [DecisionRecord]

    enum CodingKeys: String, CodingKey { case decisions }

    func encode(to encoder: any Encoder) throws {
        try detail.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(decisions, forKey: .decisions)
    }
}
