import Domain
import Foundation
import Store

/// The commands people give, each authorised once (`Access.decide`), validated once
/// (`Domain.InputRules`) and carried out by a store, for the API and the pages alike. Nothing
/// here knows HTTP: a refusal is a `StoreError` (`.refused` for who may not, `.invalid` for what
/// is wrong with the input, the store's own for the state), which the server maps to a status.
public struct Operations: Sendable {
    public let applications: ApplicationOperations
    public let reviews: ReviewOperations
    public let registry: RegistryOperations
    public let accounts: AccountOperations
    public let catalogs: CatalogOperations

    /// The operations over these stores; `claimLimits`: the shortest prefixes a participant may claim.
    public init(
        applications: ApplicationStore, reviews: ReviewStore, catalogs: CatalogStore, users: UserStore, participants: ParticipantStore,
        claimLimits: ClaimLimits = .standard
    ) {
        let applicationOperations = ApplicationOperations(applications: applications, catalogs: catalogs)
        self.applications = applicationOperations
        self.reviews = ReviewOperations(reviews: reviews, applications: applicationOperations, users: users)
        self.registry = RegistryOperations(participants: participants, claimLimits: claimLimits)
        self.accounts = AccountOperations(users: users)
        self.catalogs = CatalogOperations(catalogs: catalogs)
    }
}

/// Who may do what, as the operations ask it.
enum Authorise {
    /// Refuses (`.refused("forbidden", rule)`) unless `actor` may perform `permission` on
    /// `participant`.
    static func check(_ permission: Permission, _ actor: Actor, participant: UUID?) throws(StoreError) {
        switch Access.decide(permission, actor: actor, participant: participant) {
        case .allowed: return
        case .forbidden(let rule): throw StoreError.refused(slug: "forbidden", detail: rule)
        // Not reachable with an actor; said the same way should it ever be.
        case .unauthenticated: throw StoreError.refused(slug: "forbidden", detail: "Sign in first.")
        }
    }
}

/// Refuses with every field refusal at once, so a form is corrected in one pass.
func refuse(_ refusals: [FieldRefusal]) throws(StoreError) {
    if !refusals.isEmpty { throw StoreError.invalid(refusals) }
}
