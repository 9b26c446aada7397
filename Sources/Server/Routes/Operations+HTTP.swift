import Domain
import Foundation
import Hummingbird

extension AppRequestContext {
    /// The signed-in actor, for the operations (which decide what they may do); 401 otherwise.
    func signedIn() throws(Problem) -> Actor {
        guard let actor else { throw Problem.unauthenticated() }
        return actor
    }
}
