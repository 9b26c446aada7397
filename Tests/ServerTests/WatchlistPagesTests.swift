import Foundation
import Store
import TestSupport
import Testing

/// The buyer's pages without JavaScript: the watchlists page with each entry's status, and the
/// sign-up form with its double-submit CSRF token.
@Suite("Watchlist and sign-up pages")
struct WatchlistPagesTests {
    @Test("a buyer starts a watchlist from the page and sees each entry's status; other roles are refused")
    func watchlistsPage() async throws {
        try await APIFixture.run { fixture, api in
            let buyer = try await PagesTests.cookie(fixture, .enterprise)
            let empty = try await api.call(.get, "/watchlists", headers: buyer)
            #expect(empty.status == 200 && empty.text.contains("New watchlist"))
            let csrf = try #require(PagesTests.csrf(in: empty.text))
            let created = try await PagesTests.post(
                api, "/watchlists", buyer, ["csrf": csrf, "name": "Transit suppliers", "entries": "AS3333, 64500\nMP-BAD"])
            // One bad entry refuses the form, naming it; nothing is created.
            #expect(created.status == 422 && created.text.contains("MP-BAD"))
            let fixed = try await PagesTests.post(api, "/watchlists", buyer, ["csrf": csrf, "name": "Transit suppliers", "entries": "AS3333, 64500"])
            #expect(fixed.status == 303 && fixed.headers[.location] == "/watchlists?notice=watchlist-created")
            let page = try await api.call(.get, "/watchlists?notice=watchlist-created", headers: buyer)
            #expect(page.text.contains("Watchlist created.") && page.text.contains("Transit suppliers"))
            #expect(page.text.contains("netops: valid") && page.text.contains("not certified"))
            #expect(page.text.contains("/csv\">Download as CSV"))
            let forged = try await PagesTests.post(api, "/watchlists", buyer, ["csrf": "guess", "name": "Other"])
            #expect(forged.status == 403)
            #expect(try await api.call(.get, "/watchlists", headers: try await PagesTests.cookie(fixture, .applicant)).status == 403)
            #expect(try await api.call(.get, "/watchlists").status == 303)
        }
    }

    @Test("the sign-up form needs its CSRF cookie and answers the same sentence for any address")
    func signUpPage() async throws {
        try await APIFixture.run { fixture, api in
            let page = try await api.call(.get, "/signup")
            #expect(page.status == 200 && page.text.contains("Sign up to watch your suppliers"))
            let cookie = try #require(WebTests.cookie("manrs_account_csrf", in: page))
            #expect(cookie.attributes.contains("HttpOnly") && cookie.attributes.contains("SameSite=Strict"))
            let headers = ["Cookie": "manrs_account_csrf=\(cookie.value)"]
            let fields = ["email": "page-buyer@example.com", "display_name": "Page Buyer", "password": "a long enough password"]
            #expect(try await PagesTests.post(api, "/signup", [:], fields.merging(["csrf": cookie.value]) { $1 }).status == 403)
            let fresh = try await PagesTests.post(api, "/signup", headers, fields.merging(["csrf": cookie.value]) { $1 })
            #expect(fresh.status == 202 && fresh.text.contains("a link to confirm it is on its way"))
            let known = try await PagesTests.post(
                api, "/signup", headers, fields.merging(["csrf": cookie.value, "email": "applicant@example.org"]) { $1 })
            #expect(known.status == 202 && known.text.contains("a link to confirm it is on its way"))
            let weak = try await PagesTests.post(
                api, "/signup", headers, fields.merging(["csrf": cookie.value, "email": "x@example.com", "password": "short"]) { $1 })
            #expect(weak.status == 422 && weak.text.contains("at least 12 characters"))
            let login = try await api.call(.get, "/login?notice=password-reset")
            #expect(login.text.contains("Your new password is set") && login.text.contains("/password/forgot"))
        }
    }
}
