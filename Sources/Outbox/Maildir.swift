import Foundation

/// Email written into a maildir (`tmp/`, `new/`, `cur/`) instead of sent: each message is
/// written whole under `tmp/` and renamed into `new/`, so a reader never sees half a message.
public struct Maildir: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// Writes one message; returns the path of its file in `new/`.
    @discardableResult
    public func deliver(_ message: [UInt8], uniqueName: String) throws -> String {
        let manager = FileManager.default
        for folder in ["tmp", "new", "cur"] {
            try manager.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let name = uniqueName.filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
        let temporary = root + "/tmp/" + name
        let final = root + "/new/" + name
        guard manager.createFile(atPath: temporary, contents: Data(message)) else {
            throw MailError.permanent("Could not write the message into the maildir at \(root).")
        }
        guard rename(temporary, final) == 0 else {
            try? manager.removeItem(atPath: temporary)
            throw MailError.permanent("Could not move the message into \(root)/new.")
        }
        return final
    }
}

/// Why an email was not delivered: `transient` failures are retried, `permanent` ones are not.
public enum MailError: Error, Sendable, Equatable, CustomStringConvertible {
    case transient(String)
    case permanent(String)

    public var description: String {
        switch self {
        case .transient(let text), .permanent(let text): text
        }
    }
}
