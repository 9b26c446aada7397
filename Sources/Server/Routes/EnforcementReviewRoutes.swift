import Domain
import Foundation
import Hummingbird
import Operations
import Store

/// Disputes, appeals, revocation for cause and overrides over HTTP (issue 12 §3, §4): thin
/// adapters over `ReviewOperations`, the same commands the page forms call.
extension WorkflowRoutes {
    func registerEnforcementReviews(on api: RouterGroup<AppRequestContext>) {
        api.post("participants/:participant/results/:result/disputes") { request, context in
            let actor = try context.signedIn()
            let participant = try context.participant(requiring: .disputeResults)
            let input = try await request.strictJSON(as: ReasonInput.self, context: context).value
            let dispute = try await operations.reviews.dispute(
                result: try context.parameters.uuid("result"), participant: participant, reason: input.reason, by: actor, change: context.change)
            return try JSONResponse(dispute, status: .created)
        }
        api.get("participants/:participant/disputes") { _, context in
            let actor = try context.signedIn()
            let participant = try context.participant(requiring: .readParticipant)
            return try JSONResponse(Items(items: try await operations.reviews.disputes(participant: participant, by: actor)))
        }
        api.post("certifications/:certification/appeals") { request, context in
            let actor = try context.signedIn()
            if case .unauthenticated = Access.decide(.appealEnforcement, actor: context.actor, participant: nil) { throw Problem.unauthenticated() }
            let certification = try await reviews.certification(try context.parameters.uuid("certification"))
            try context.require(.appealEnforcement, participant: certification.participantID)
            let input = try await request.strictJSON(as: ReasonInput.self, context: context).value
            let item = try await operations.reviews.appeal(
                certification: certification.id, participant: certification.participantID, reason: input.reason, by: actor, change: context.change)
            return try JSONResponse(item, status: .created)
        }
        api.post("certifications/:certification/renewals") { request, context in
            let actor = try context.signedIn()
            if case .unauthenticated = Access.decide(.editApplication, actor: context.actor, participant: nil) { throw Problem.unauthenticated() }
            let certification = try await reviews.certification(try context.parameters.uuid("certification"))
            try context.require(.editApplication, participant: certification.participantID)
            let input = try await request.strictJSON(as: RenewalInput.self, context: context).value
            try await operations.reviews.confirmRenewal(
                input.kind, certification: certification.id, participant: certification.participantID, statement: input.statement, by: actor,
                change: context.change)
            return Response(status: .noContent)
        }
        api.post("certifications/:certification/revocation") { request, context in
            let actor = try context.require(.reviewApplications)
            let input = try await request.strictJSON(as: ReasonInput.self, context: context).value
            let certification = try await operations.reviews.revokeForCause(
                certification: try context.parameters.uuid("certification"), reason: input.reason, by: actor, change: context.change)
            return try JSONResponse(certification, version: certification.version)
        }
        api.post("certifications/:certification/withdrawal") { request, context in
            let actor = try context.signedIn()
            if case .unauthenticated = Access.decide(.withdrawCertification, actor: context.actor, participant: nil) {
                throw Problem.unauthenticated()
            }
            let certification = try await reviews.certification(try context.parameters.uuid("certification"))
            try context.require(.withdrawCertification, participant: certification.participantID)
            let input = try await request.strictJSON(as: ReasonInput.self, context: context).value
            let withdrawn = try await operations.reviews.withdraw(
                certification: certification.id, participant: certification.participantID, reason: input.reason, by: actor, change: context.change)
            return try JSONResponse(withdrawn, version: withdrawn.version)
        }
        api.post("certifications/:certification/override") { request, context in
            let actor = try context.require(.overrideEnforcement)
            let input = try await request.strictJSON(as: OverrideInput.self, context: context).value
            let certification = try await operations.reviews.override(
                certification: try context.parameters.uuid("certification"), to: input.status, reason: input.reason, by: actor, change: context.change
            )
            return try JSONResponse(certification, version: certification.version)
        }
    }
}
