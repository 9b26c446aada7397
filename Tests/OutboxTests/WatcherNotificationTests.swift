import Domain
import Foundation
import Operations
import Store
import TestSupport
import Testing

/// Buyers' watchlists against the real PostgreSQL: each entry's current status, and an
/// enforcement transition reaching the watcher's maildir and their signed webhook through the
/// outbox (the receiver verifies the signature with Python's hmac).
@Suite("Watchlists and their notifications")
struct WatcherNotificationTests {

    @Test("a warning on a watched certification reaches the watcher by email and by signed webhook, once, whether watched by mark or ASN")
    func transitionNotifiesWatchers() async throws {
        let folder = try OutboxTestSupport.temporaryDirectory("watch")
        let record = folder + "/received.jsonl"
        try await DeliveryTests.run { world in
            let at = DeliveryTests.at
            try await DeliveryTests.decide(.approve, reasons: "", in: world)
            let certification = try await world.db.pool.query("SELECT id FROM certifications")[0].decode(0, as: UUID.self)
            // The mark the grant issued; the scope the grant would record for a verified AS64496.
            let mark = try await world.db.pool.query("SELECT mark_id FROM certifications WHERE id = \(certification)")[0].decode(0, as: String.self)
            try await world.db.pool.execute("UPDATE certifications SET tier = 'plus' WHERE id = \(certification)")
            try await world.db.pool.execute(
                "INSERT INTO certification_scope (certification_id, kind, value) VALUES (\(certification), 'asn', 'AS64496')")

            let users = UserStore(database: world.db.pool, passwords: Passwords(cost: 4))
            let buyerUser = try await users.create(
                email: "buyer@example.org", displayName: "Buyer", role: .enterprise, password: "a long test password", context: .system(at: at))
            let buyer = try #require(try await users.actor(for: buyerUser.id))
            let bystanderUser = try await users.create(
                email: "bystander@example.org", displayName: "Other buyer", role: .enterprise, password: "a long test password",
                context: .system(at: at))
            let bystander = try #require(try await users.actor(for: bystanderUser.id))
            let operations = WatchlistOperations(
                store: WatchlistStore(database: world.db.pool), notifications: world.store, allowLoopbackHTTP: true)
            let change = ChangeContext(actor: buyer, requestID: nil, at: at)
            // Watched twice (by mark and by ASN, on two lists): told once.
            let suppliers = try await operations.create(name: "Transit", entries: ["as64496", "AS64511"], by: buyer, change: change)
            _ = try await operations.create(name: "Marks", entries: [mark.lowercased()], by: buyer, change: change)
            _ = try await operations.create(name: "Unrelated", entries: ["AS64500"], by: bystander, change: change)
            // Another user's list is not found, and applicants keep none.
            await #expect(throws: StoreError.notFound("You have no watchlist \(suppliers.id.uuidString.lowercased()).")) {
                _ = try await operations.list(suppliers.id, by: bystander)
            }
            await #expect(throws: StoreError.self) { _ = try await operations.lists(by: world.owner) }

            let before = try await operations.list(suppliers.id, by: buyer).entries
            #expect(before.map(\.value) == ["AS64496", "AS64511"])
            #expect(before.map(\.status) == ["netops: valid", "not certified"])
            #expect(before[0].certifications.first?.markID == mark)

            let registered = try await operations.registerWebhook(
                url: "http://127.0.0.1:9/hook", description: "procurement", by: buyer, change: change)
            let receiver = try HelperProcess(python: "/usr/bin/python3", script: "webhook_receiver.py", arguments: [registered.secret, record])
            try await world.db.pool.execute(
                "UPDATE webhook_endpoints SET url = \("http://127.0.0.1:\(receiver.port)/watch") WHERE id = \(registered.endpoint.id)")

            let warnedAt = at.addingTimeInterval(86_400)
            _ = try await EnforcementStore(database: world.db.pool).apply(
                .checkFailed(results: [UUID()]), to: certification, by: .scheduler, context: ChangeContext(actor: nil, requestID: nil, at: warnedAt))
            let rows = try await world.db.pool.query(
                "SELECT channel, email, user_id FROM outbox WHERE event_kind = 'watchlist.status_changed' ORDER BY channel")
            #expect(rows.count == 2)
            #expect(try rows.allSatisfy { try $0.decode("user_id", as: UUID?.self) == buyer.userID })

            let delivery = try DeliveryTests.delivery(world, maildir: folder + "/mail")
            _ = try await delivery.deliverDue(at: warnedAt.addingTimeInterval(1), limit: 50)
            let mails = try FileManager.default.contentsOfDirectory(atPath: folder + "/mail/new").map {
                try String(contentsOfFile: folder + "/mail/new/" + $0, encoding: .utf8)
            }
            let watched = mails.filter { $0.contains("To: buyer@example.org") }
            #expect(watched.count == 1)
            #expect(watched.first?.contains("Subject: A certification you watch has changed") == true)
            let text = try #require(watched.first.flatMap(Self.plainText))
            #expect(text.contains("changed from active to warned"))
            #expect(text.contains("mark \(mark)") && text.contains("AS64496"))
            #expect(!mails.contains { $0.contains("bystander@example.org") })

            let received = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n")
            #expect(received.count == 1)
            let line = try #require(try JSONSerialization.jsonObject(with: Data(received[0].utf8)) as? [String: Any])
            #expect(line["valid"] as? Bool == true)
            let body = try #require(line["body"] as? [String: Any])
            #expect(body["type"] as? String == "watchlist.status_changed")
            let data = try #require(body["data"] as? [String: String])
            #expect(data["to"] == "warned" && data["mark_id"] == mark && data["certification_id"] == certification.uuidString.lowercased())
            let log = try await operations.deliveries(of: registered.endpoint.id, limit: 10, by: buyer)
            #expect(log.count == 1 && log[0].succeeded && log[0].event == .watchlistStatusChanged)

            let after = try await operations.list(suppliers.id, by: buyer).entries
            #expect(after.map(\.status) == ["netops: valid, with a warning", "not certified"])
            _ = receiver
        }
    }

    @Test("the CSV export shows each entry's status and neutralises cells a spreadsheet would run as formulas")
    func csvExport() async throws {
        try await DeliveryTests.run { world in
            let users = UserStore(database: world.db.pool, passwords: Passwords(cost: 4))
            let user = try await users.create(
                email: "buyer@example.org", displayName: "Buyer", role: .enterprise, password: "a long test password",
                context: .system(at: DeliveryTests.at))
            let buyer = try #require(try await users.actor(for: user.id))
            let operations = WatchlistOperations(
                store: WatchlistStore(database: world.db.pool), notifications: world.store, allowLoopbackHTTP: false)
            let change = ChangeContext(actor: buyer, requestID: nil, at: DeliveryTests.at)
            let list = try await operations.create(name: "Suppliers", entries: [], by: buyer, change: change)
            #expect(try await operations.add(["AS64496"], note: "=HYPERLINK(\"http://evil\")", to: list.id, by: buyer, change: change) == 1)
            #expect(try await operations.add(["64496", "AS64497"], note: "@SUM(1)", to: list.id, by: buyer, change: change) == 1)
            do {
                _ = try await operations.add(["AS0", "not-a-mark"], note: nil, to: list.id, by: buyer, change: change)
                Issue.record("bad entries were accepted")
            } catch StoreError.invalid(let fields) {
                #expect(fields.map(\.refusal.code) == ["invalid_asn", "invalid_mark_id"])
            }
            let csv = try await operations.csv(list.id, by: buyer).body
            #expect(
                csv
                    == "kind,entry,status,marks,valid_until,note\r\nasn,AS64496,not certified,,,\"'=HYPERLINK(\"\"http://evil\"\")\"\r\n"
                    + "asn,AS64497,not certified,,,'@SUM(1)\r\n")
            #expect(CSV.neutralised("-1+2") == "'-1+2" && CSV.neutralised("+31") == "'+31" && CSV.neutralised("AS1") == "AS1")
        }
    }

    /// The text part of a maildir message (base64, as `EmailMessage` writes it).
    static func plainText(_ message: String) -> String? {
        guard let start = message.range(of: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n") else {
            return nil
        }
        let rest = message[start.upperBound...]
        let encoded = rest[..<(rest.range(of: "\r\n--")?.lowerBound ?? rest.endIndex)].replacingOccurrences(of: "\r\n", with: "")
        return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) }
    }
}
