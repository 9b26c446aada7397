import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

extension WorkflowPages {
    /// An application's comments, internal notes only for staff.
    func commentRows(_ application: UUID, includeInternal: Bool) async throws -> [CommentRow] {
        try await applications.comments(of: application, includeInternal: includeInternal).map { comment in
            CommentRow(
                author: comment.authorName, role: comment.authorRole, at: Pages.time(comment.createdAt), body: comment.body,
                internal: comment.isInternal)
        }
    }
}

/// A visitor who asks for a page that needs a session is sent to sign in with the page they
/// asked for as `next`, so that signing in brings them back to it (GET only: a form post
/// cannot be replayed after signing in).
struct SignInRedirect: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if context.session == nil, request.method == .get, response.status == .seeOther, response.headers[.location] == "/login",
            let asked = PageWords.safeNext(request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")),
            let encoded = asked.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-._~")))
        {
            response.headers[.location] = "/login?next=\(encoded)"
        }
        return response
    }
}
