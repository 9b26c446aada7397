import Foundation
import Outbox
import Testing

/// The SMTP client against a real SMTP server (aiosmtpd, in a venv the test creates under
/// `.build/`), not a mock.
@Suite("SMTP client", .serialized)
struct SMTPClientTests {
    static let date = Date(timeIntervalSince1970: 1_795_000_000)

    static func message(to: String) -> EmailMessage {
        EmailMessage(
            from: "manrs-plus@example.org", to: to, subject: "Your application is certified",
            text: "Hello,\n.a line that starts with a dot\n.\nthe end", html: "<p>Hello</p>", messageID: "msg_test1", date: date)
    }

    @Test("delivers a message: envelope, headers, and lines that start with a dot arrive as written")
    func delivers() async throws {
        let folder = NSTemporaryDirectory() + "/manrs-smtp-\(UUID().uuidString)"
        let server = try HelperProcess(python: try OutboxTestSupport.pythonWithAiosmtpd(), script: "smtp_server.py", arguments: [folder])
        let client = try #require(SMTPClient(url: "smtp://127.0.0.1:\(server.port)", timeout: .seconds(60)))
        let message = Self.message(to: "owner@example.org")
        try await client.send(from: message.from, to: [message.to], message: message.rendered())
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files.count == 1)
        let stored = try String(contentsOfFile: folder + "/" + files[0], encoding: .utf8)
        #expect(stored.contains("X-Envelope-From: manrs-plus@example.org"))
        #expect(stored.contains("X-Envelope-To: owner@example.org"))
        #expect(stored.contains("Subject: Your application is certified"))
        // The body went through base64, so check the text part decodes to what was written.
        let textPart = try #require(stored.components(separatedBy: "Content-Transfer-Encoding: base64\r\n\r\n").dropFirst().first)
        let encoded = textPart.components(separatedBy: "\r\n--").first!.replacingOccurrences(of: "\r\n", with: "")
        #expect(String(decoding: Data(base64Encoded: encoded) ?? Data(), as: UTF8.self) == "Hello,\n.a line that starts with a dot\n.\nthe end")
        _ = server
    }

    @Test("a 5xx reply is a permanent failure, a 4xx reply a transient one; a closed port is transient")
    func failures() async throws {
        let folder = NSTemporaryDirectory() + "/manrs-smtp-\(UUID().uuidString)"
        let server = try HelperProcess(python: try OutboxTestSupport.pythonWithAiosmtpd(), script: "smtp_server.py", arguments: [folder])
        let client = try #require(SMTPClient(url: "smtp://127.0.0.1:\(server.port)", timeout: .seconds(60)))
        for (address, permanent) in [("x@refuse-permanent.example", true), ("x@refuse-later.example", false)] {
            do {
                try await client.send(from: "manrs-plus@example.org", to: [address], message: Self.message(to: address).rendered())
                Issue.record("\(address) was accepted")
            } catch let error as MailError {
                if case .permanent = error { #expect(permanent, "\(error)") } else { #expect(!permanent, "\(error)") }
            }
        }
        let closed = try #require(SMTPClient(url: "smtp://127.0.0.1:9", timeout: .seconds(30)))
        await #expect(throws: MailError.self) { try await closed.send(from: "a@example.org", to: ["b@example.org"], message: "x") }
        _ = server
    }

    @Test("dot-stuffing doubles a leading dot and ends every line in CRLF")
    func dotStuffing() {
        #expect(SMTPClient.dotStuffed(".\nab\r\n..c\n") == "..\r\nab\r\n...c\r\n")
    }
}
