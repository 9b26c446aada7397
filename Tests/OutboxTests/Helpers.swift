import Foundation
import Outbox
import Store
import TestSupport
import Testing

/// A Python helper from Tests/Fixtures/outbox, started by a test and stopped when it ends.
final class HelperProcess: @unchecked Sendable {
    let process = Process()
    let port: Int

    /// Starts `script` with `python` and waits (generously) for the port it prints.
    init(python: String, script: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestDatabase.repositoryRoot + "/Tests/Fixtures/outbox/" + script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw HelperError(description: "\(script) did not start")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child started from a thread that blocks SIGTERM inherits the block, and
        // would never stop on terminate().
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    struct HelperError: Error, CustomStringConvertible {
        let description: String
    }
}

enum OutboxTestSupport {
    /// A fixed sealing key for tests.
    static let sealer = try! SecretSealer(key: Array(repeating: 7, count: 32))

    static func temporaryDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "/manrs-outbox-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A Python with aiosmtpd: a venv under `.build/`, created (from PyPI) the first time.
    static func pythonWithAiosmtpd() throws -> String {
        let venv = TestDatabase.repositoryRoot + "/.build/outbox-venv"
        let python = venv + "/bin/python"
        if run(python, ["-c", "import aiosmtpd"]) { return python }
        guard run("/usr/bin/env", ["python3", "-m", "venv", venv]) || ensureVenvPackage() && run("/usr/bin/env", ["python3", "-m", "venv", venv]),
            run(venv + "/bin/pip", ["install", "--quiet", "aiosmtpd"])
        else { throw HelperProcess.HelperError(description: "could not install aiosmtpd into \(venv)") }
        return python
    }

    /// On a clean Debian machine (CI as root), python3-venv may be missing.
    static func ensureVenvPackage() -> Bool {
        run("/usr/bin/env", ["apt-get", "install", "-y", "-q", "python3-venv"])
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
