import Domain
import Foundation
import Testing

@Suite("Authorisation rules")
struct AccessTests {
    static let own = UUID()
    static let other = UUID()

    static func actor(_ role: UserRole, _ memberships: [UUID: MembershipRole] = [:], scopes: Set<Scope> = [.read, .write]) -> Actor {
        Actor(userID: UUID(), role: role, memberships: memberships, scopes: scopes)
    }

    @Test("every permission for every role, on one's own participant and on another's")
    func table() {
        let owner = Self.actor(.applicant, [Self.own: .owner])
        let member = Self.actor(.applicant, [Self.own: .member])
        // (permission, anonymous, admin, auditor, owner on own, member on own, applicant on other, enterprise)
        let expected: [(Permission, [Bool])] = [
            (.readCatalog, [true, true, true, true, true, true, true]),
            (.readCatalogDrafts, [false, true, false, false, false, false, false]),
            (.writeCatalog, [false, true, false, false, false, false, false]),
            (.listParticipants, [false, true, true, true, true, true, false]),
            (.createParticipant, [false, true, false, true, true, true, false]),
            (.readParticipant, [false, true, true, true, true, false, false]),
            (.editParticipant, [false, true, false, true, true, false, false]),
            (.changeParticipantStatus, [false, true, false, false, false, false, false]),
            (.manageMembers, [false, true, false, true, false, false, false]),
            (.searchResources, [false, true, true, false, false, false, false]),
            (.readSnapshots, [false, true, true, false, false, false, false]),
            // Verifying a resource decides who holds address space: the secretariat's call.
            (.verifyResources, [false, true, false, false, false, false, false]),
            (.readOwnAccount, [false, true, true, true, true, true, true]),
            (.manageOwnTokens, [false, true, true, true, true, true, true]),
            (.manageUsers, [false, true, false, false, false, false, false]),
            (.readAuditHead, [false, true, true, true, true, true, true]),
            (.readApplication, [false, true, true, true, true, false, false]),
            (.editApplication, [false, true, false, true, true, false, false]),
            (.commentOnApplication, [false, true, true, true, true, false, false]),
            (.applyForCertification, [false, true, false, true, true, true, false]),
            (.reviewApplications, [false, true, true, false, false, false, false]),
            (.assignReviews, [false, true, false, false, false, false, false]),
            (.declareAffiliations, [false, true, true, false, false, false, false]),
            (.readConflicts, [false, true, false, false, false, false, false]),
            (.manageWebhooks, [false, true, false, true, false, false, false]),
            (.readJobs, [false, true, false, false, false, false, false]),
            (.disputeResults, [false, true, false, true, true, false, false]),
            (.appealEnforcement, [false, true, false, true, true, false, false]),
            (.overrideEnforcement, [false, true, false, false, false, false, false]),
            (.readWatchlists, [false, true, false, false, false, false, true]),
            (.manageWatchlists, [false, true, false, false, false, false, true]),
            (.withdrawCertification, [false, true, false, true, false, false, false]),
        ]
        #expect(Set(expected.map(\.0)) == Set(Permission.allCases))
        for (permission, allowed) in expected {
            let cases: [(Actor?, UUID)] = [
                (nil, Self.own), (Self.actor(.admin), Self.own), (Self.actor(.auditor), Self.own), (owner, Self.own), (member, Self.own),
                (owner, Self.other), (Self.actor(.enterprise), Self.own),
            ]
            for (index, (actor, participant)) in cases.enumerated() {
                let decision = Access.decide(permission, actor: actor, participant: participant)
                #expect((decision == .allowed) == allowed[index], "\(permission) case \(index): \(decision)")
                if actor == nil && !allowed[index] { #expect(decision == .unauthenticated) }
            }
        }
    }

    @Test("a read-only token can read but change nothing, whatever the role")
    func readOnlyTokens() {
        let admin = Self.actor(.admin, scopes: [.read])
        #expect(Access.decide(.readParticipant, actor: admin, participant: Self.own) == .allowed)
        for permission in Permission.allCases where permission.writes {
            guard case .forbidden(let rule) = Access.decide(permission, actor: admin, participant: Self.own) else {
                Issue.record("\(permission) allowed with a read-only token")
                continue
            }
            #expect(rule.contains("read-only"))
        }
    }
}
