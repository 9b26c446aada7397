import Foundation

/// An RFC 5322 message with a plain-text and an HTML part (multipart/alternative, each part in
/// base64 so any 7-bit SMTP server carries it).
public struct EmailMessage: Sendable, Equatable {
    public let from: String
    public let to: String
    public let subject: String
    public let text: String
    public let html: String
    public let messageID: String
    public let date: Date

    public init(from: String, to: String, subject: String, text: String, html: String, messageID: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
    }

    /// The message with CRLF line ends, as it goes into DATA or a maildir file.
    public func rendered() -> String {
        let boundary = "=_" + messageID.filter { $0.isLetter || $0.isNumber }
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        func lines(_ data: Data) -> String {
            let encoded = data.base64EncodedString()
            var result: [Substring] = []
            var index = encoded.startIndex
            while index < encoded.endIndex {
                let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
                result.append(encoded[index..<end])
                index = end
            }
            return result.joined(separator: "\r\n")
        }
        let header = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(Self.encodedHeader(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID)@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
        ]
        let parts = [
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            lines(Data(text.utf8)),
            "--\(boundary)",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            lines(Data(html.utf8)),
            "--\(boundary)--",
        ]
        return (header + [""] + parts).joined(separator: "\r\n") + "\r\n"
    }

    static func encodedHeader(_ text: String) -> String {
        if text.allSatisfy({ $0.isASCII && !$0.isNewline }) { return text }
        return "=?utf-8?B?" + Data(text.replacingOccurrences(of: "\n", with: " ").utf8).base64EncodedString() + "?="
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
