import Foundation
import NIOCore
import NIOPosix

/// A small SMTP client on SwiftNIO (RFC 5321): EHLO (HELO when refused), MAIL FROM, RCPT TO,
/// DATA with dot-stuffing, QUIT. Multi-line replies are read whole. A 4xx reply or a lost
/// connection is `MailError.transient` (retried), a 5xx reply `MailError.permanent`. No
/// STARTTLS or AUTH: it talks to a relay on a trusted network (`SMTP_URL=smtp://host:port`).
public struct SMTPClient: Sendable {
    public let host: String
    public let port: Int
    /// The name this client gives in EHLO.
    public let clientName: String
    /// The whole conversation must finish within this time.
    public let timeout: Duration

    public init(host: String, port: Int, clientName: String = "localhost", timeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.clientName = clientName
        self.timeout = timeout
    }

    /// The client for `smtp://host[:port]`, or nil when the URL is not one.
    public init?(url: String, clientName: String = "localhost", timeout: Duration = .seconds(30)) {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "smtp", let host = components.host, !host.isEmpty
        else { return nil }
        self.init(host: host, port: components.port ?? 25, clientName: clientName, timeout: timeout)
    }

    /// Sends `message` (headers and body, any line ends) from `from` to `recipients`.
    public func send(from: String, to recipients: [String], message: String) async throws {
        let timeout = self.timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.converse(from: from, to: recipients, message: message) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw MailError.transient("The mail server did not finish within \(timeout).")
            }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    func converse(from: String, to recipients: [String], message: String) async throws {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
        } catch {
            throw MailError.transient("Could not connect to the mail server \(host):\(port): \(error)")
        }
        try await channel.executeThenClose { inbound, outbound in
            var replies = ReplyReader(iterator: inbound.makeAsyncIterator())
            func command(_ line: String?, expect accepted: Set<Int>) async throws -> SMTPReply {
                if let line {
                    try await outbound.write(ByteBuffer(string: line + "\r\n"))
                }
                let reply = try await replies.next()
                guard accepted.contains(reply.code) else { throw reply.failure(after: line ?? "connecting") }
                return reply
            }
            _ = try await command(nil, expect: [220])
            do {
                _ = try await command("EHLO \(clientName)", expect: [250])
            } catch MailError.permanent {
                _ = try await command("HELO \(clientName)", expect: [250])
            }
            _ = try await command("MAIL FROM:<\(from)>", expect: [250])
            for recipient in recipients {
                _ = try await command("RCPT TO:<\(recipient)>", expect: [250, 251])
            }
            _ = try await command("DATA", expect: [354])
            try await outbound.write(ByteBuffer(string: Self.dotStuffed(message)))
            _ = try await command(".", expect: [250])
            _ = try? await command("QUIT", expect: [221])
        }
    }

    /// The message with CRLF line ends and every line that starts with a dot given a second one
    /// (RFC 5321 §4.5.2), ending in CRLF so the terminating "." is on its own line.
    public static func dotStuffed(_ message: String) -> String {
        var lines = message.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n") + "\r\n"
    }
}

/// One SMTP reply: its code and its text (the lines of a multi-line reply joined).
struct SMTPReply: Sendable {
    let code: Int
    let text: String

    func failure(after command: String) -> MailError {
        let verb = command.split(separator: " ").first.map(String.init) ?? command
        let detail = "The mail server answered \(code) \(text) to \(verb)."
        return (400..<500).contains(code) ? .transient(detail) : .permanent(detail)
    }
}

/// Reads replies from the connection: lines end in CRLF; `250-` continues a reply, `250 ` ends it.
struct ReplyReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending: [UInt8] = []

    mutating func line() async throws -> String {
        while true {
            if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var bytes = pending[..<end]
                if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
                pending.removeSubrange(...end)
                return String(decoding: bytes, as: UTF8.self)
            }
            guard var buffer = try await iterator.next() else {
                throw MailError.transient("The mail server closed the connection.")
            }
            pending.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
            if pending.count > 64 * 1024 { throw MailError.transient("The mail server sent a line too long to be a reply.") }
        }
    }

    mutating func next() async throws -> SMTPReply {
        var texts: [String] = []
        while true {
            let line = try await line()
            let characters = Array(line.utf8)
            guard characters.count >= 3, let code = Int(String(decoding: characters[0..<3], as: UTF8.self)) else {
                throw MailError.transient("The mail server sent something that is not an SMTP reply.")
            }
            texts.append(String(decoding: characters.dropFirst(4), as: UTF8.self))
            if characters.count < 4 || characters[3] != UInt8(ascii: "-") {
                return SMTPReply(code: code, text: texts.joined(separator: " "))
            }
        }
    }
}
