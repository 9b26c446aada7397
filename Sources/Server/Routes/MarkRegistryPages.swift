import Credentials
import Domain
import Foundation
import Hummingbird
import Store

/// The public registry of marks (`/registry`), no sign-in, no JavaScript: a GET form, so a search
/// and its filters are a link anyone can share; the same query and store as `GET /api/v1/registry`.
struct MarkRegistryPages {
    let pages: Pages
    let marks: MarkStore

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("/registry") { request, context in
            let frame = PageFrame(context.session)
            let programs = try await marks.registryPrograms()
            let (parameters, read) = MarkRoutes.registryQuery(request, programs: programs)
            switch read {
            case .refused(let refusals):
                return try pages.render(
                    "registry", model: MarkRegistryPageModel(frame: frame, programs: programs, form: parameters, refusals: refusals),
                    status: .unprocessableContent)
            case .query(let query):
                let page = try await marks.registry(query)
                return try pages.render(
                    "registry", model: MarkRegistryPageModel(frame: frame, programs: programs, query: query, page: page))
            }
        }
    }
}
