import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A private PostgreSQL cluster in a folder of its own, reached only through a unix socket.
///
/// `make run` and every CLI command use one under `DATA_DIR` when `DATABASE_URL` is unset; the
/// tests use a throwaway one in a temp folder. `start()` creates the cluster on first use,
/// connects to a server that is already up, or starts one; a file lock makes concurrent callers
/// agree, so a cluster is never started twice. Run as root, the server runs as the `postgres`
/// system user, because PostgreSQL refuses to run as root.
public struct EmbeddedPostgres: Sendable {
    /// The cluster's folder (`PGDATA`).
    public let dataDirectory: String
    /// The database the application uses, created on first start.
    public let databaseName: String
    /// Trade durability for speed (`fsync=off` and friends): for throwaway test clusters only.
    public let durable: Bool
    /// Extra `-c name=value` server settings.
    public let settings: [String: String]

    public init(dataDirectory: String, databaseName: String = "manrs", durable: Bool = true, settings: [String: String] = [:]) {
        self.dataDirectory = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.databaseName = databaseName
        self.durable = durable
        self.settings = settings
    }

    /// The outcome of `start()`.
    public struct Server: Sendable {
        /// A libpq connection string for `databaseName` over the unix socket.
        public let connectionString: String
        /// True when this call started the server, and so should stop it when done.
        public let startedHere: Bool
    }

    /// The folder holding the server's socket. Unix socket paths are limited to about 107 bytes,
    /// so a deep data folder gets a short one under /tmp named after its path.
    public var socketDirectory: String {
        if (dataDirectory + "/.s.PGSQL.5432").utf8.count <= 100 { return dataDirectory }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in dataDirectory.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "/tmp/manrs-pg-" + String(hash, radix: 16)
    }

    public func connectionString(database: String? = nil) -> String {
        "host=\(Self.quoteConninfo(socketDirectory)) port=5432 user=postgres dbname=\(Self.quoteConninfo(database ?? databaseName))"
    }

    /// Creates the cluster if needed, starts the server unless it is already up, and makes sure
    /// `databaseName` exists.
    public func start(logger: Logger) throws -> Server {
        let binaries = try PostgresBinaries.locate()
        let lock = try ClusterLock(path: dataDirectory + ".lock")
        defer { lock.release() }
        let runner = CommandRunner(asPostgresUser: getuid() == 0)

        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            logger.info("Creating an embedded PostgreSQL cluster", metadata: ["db.data_dir": "\(dataDirectory)"])
            try runner.prepareDirectory(dataDirectory)
            var arguments = ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"]
            if !durable { arguments.append("--no-sync") }
            try runner.run(binaries.path("initdb"), arguments)
        }
        if socketDirectory != dataDirectory { try runner.prepareDirectory(socketDirectory) }

        let startedHere: Bool
        if try isRunning(binaries: binaries, runner: runner) {
            startedHere = false
            logger.debug("Embedded PostgreSQL already running", metadata: ["db.data_dir": "\(dataDirectory)"])
        } else {
            try runner.run(
                binaries.path("pg_ctl"),
                [
                    "start", "-D", dataDirectory, "-w", "-t", "60", "-s",
                    "-l", dataDirectory + "/server.log",
                    "-o", serverOptions,
                ])
            startedHere = true
            try? FileManager.default.removeItem(atPath: handOverMarker)
            logger.info("Started embedded PostgreSQL", metadata: ["db.socket_dir": "\(socketDirectory)"])
        }
        try ensureDatabase(binaries: binaries, runner: runner)
        return Server(connectionString: connectionString(), startedHere: startedHere)
    }

    /// Stops the server (fast shutdown: open sessions are ended, data is safe).
    public func stop() throws {
        let binaries = try PostgresBinaries.locate()
        let runner = CommandRunner(asPostgresUser: getuid() == 0)
        guard try isRunning(binaries: binaries, runner: runner) else { return }
        try runner.run(binaries.path("pg_ctl"), ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "-s"])
    }

    /// Stops the server when the last process using it is done. The process that started it
    /// (`startedHere`) stops it unless another process still has a session on it; then it must not
    /// pull it from under the others, and leaves a marker handing the stop over: each later
    /// process that finds the marker at its exit stops the server if it is the last one. A
    /// server someone else started (a `pg_ctl start` by hand) is never stopped. Returns whether
    /// it stopped.
    @discardableResult
    public func stopWhenLastUser(startedHere: Bool) throws -> Bool {
        let binaries = try PostgresBinaries.locate()
        // Under the start lock: a process starting now either finds the server stopped or is counted.
        let lock = try ClusterLock(path: dataDirectory + ".lock")
        defer { lock.release() }
        let runner = CommandRunner(asPostgresUser: getuid() == 0)
        let handedOver = FileManager.default.fileExists(atPath: handOverMarker)
        guard try isRunning(binaries: binaries, runner: runner) else {
            try? FileManager.default.removeItem(atPath: handOverMarker)
            return false
        }
        guard startedHere || handedOver else { return false }
        let others = try runner.output(
            binaries.path("psql"),
            [
                "-X", "-q", "-t", "-A", "-d", connectionString(database: "postgres"),
                "-c", "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
            ])
        guard Int(others.trimmingCharacters(in: .whitespacesAndNewlines)) == 0 else {
            if !handedOver { _ = FileManager.default.createFile(atPath: handOverMarker, contents: Data()) }
            return false
        }
        try runner.run(binaries.path("pg_ctl"), ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "-s"])
        try? FileManager.default.removeItem(atPath: handOverMarker)
        return true
    }

    /// Present while the process that started the server has left, handing the stop to the last user.
    var handOverMarker: String { dataDirectory + ".stop-when-idle" }

    /// Stops the server abruptly, as a crash or `kill -9` would (for recovery tests).
    public func stopImmediately() throws {
        let binaries = try PostgresBinaries.locate()
        let runner = CommandRunner(asPostgresUser: getuid() == 0)
        try runner.run(binaries.path("pg_ctl"), ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-s"])
    }

    public func isRunning() throws -> Bool {
        try isRunning(binaries: PostgresBinaries.locate(), runner: CommandRunner(asPostgresUser: getuid() == 0))
    }

    private func isRunning(binaries: PostgresBinaries, runner: CommandRunner) throws -> Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return false }
        // pg_ctl status: 0 running, 3 not running, 4 no accessible data directory.
        return try runner.status(binaries.path("pg_ctl"), ["status", "-D", dataDirectory]) == 0
    }

    private var serverOptions: String {
        var options: [String: String] = [
            "listen_addresses": "",
            "unix_socket_directories": socketDirectory,
            "unix_socket_permissions": "0700",
            "max_connections": "200",
        ]
        if !durable {
            options["fsync"] = "off"
            options["synchronous_commit"] = "off"
            options["full_page_writes"] = "off"
        }
        options.merge(settings) { _, new in new }
        // pg_ctl hands these to a shell: quote every value.
        return options.sorted { $0.key < $1.key }
            .map { "-c \($0.key)='\($0.value.replacingOccurrences(of: "'", with: "'\\''"))'" }
            .joined(separator: " ")
    }

    private func ensureDatabase(binaries: PostgresBinaries, runner: CommandRunner) throws {
        let exists = try runner.output(
            binaries.path("psql"),
            [
                "-X", "-q", "-t", "-A", "-d", connectionString(database: "postgres"),
                "-c", "SELECT 1 FROM pg_database WHERE datname = '\(databaseName.replacingOccurrences(of: "'", with: "''"))'",
            ])
        if exists.trimmingCharacters(in: .whitespacesAndNewlines) != "1" {
            try runner.run(binaries.path("createdb"), ["-h", socketDirectory, "-p", "5432", "-U", "postgres", databaseName])
        }
    }

    static func quoteConninfo(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}

/// Where the PostgreSQL server programs are: `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/*/bin`, else `PATH`.
public struct PostgresBinaries: Sendable {
    public let directory: String

    public func path(_ program: String) -> String { directory + "/" + program }

    public static func locate() throws -> PostgresBinaries {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let bindir = try? CommandRunner(asPostgresUser: false).output("/usr/bin/env", ["pg_config", "--bindir"]) {
            candidates.append(bindir.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            candidates.append("/usr/lib/postgresql/\(version)/bin")
        }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in candidates
        where fileManager.isExecutableFile(atPath: directory + "/initdb")
            && fileManager.isExecutableFile(atPath: directory + "/pg_ctl")
        {
            return PostgresBinaries(directory: directory)
        }
        throw EmbeddedPostgresError(
            "PostgreSQL server programs (initdb, pg_ctl) not found; install them with `apt-get install postgresql`, or set DATABASE_URL"
        )
    }
}

public struct EmbeddedPostgresError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// An exclusive `flock` on a file beside the cluster, held while checking and starting it.
final class ClusterLock {
    private let descriptor: Int32

    init(path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw EmbeddedPostgresError("cannot open lock file \(path): errno \(errno)") }
        guard flock(descriptor, LOCK_EX) == 0 else {
            close(descriptor)
            throw EmbeddedPostgresError("cannot lock \(path): errno \(errno)")
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// Runs the PostgreSQL programs, as the `postgres` user when we are root.
struct CommandRunner {
    let asPostgresUser: Bool

    func prepareDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard chmod(path, 0o700) == 0 else { throw EmbeddedPostgresError("cannot set permissions on \(path)") }
        if asPostgresUser {
            guard let user = getpwnam("postgres") else {
                throw EmbeddedPostgresError("running as root needs the `postgres` system user (apt-get install postgresql)")
            }
            guard chown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                throw EmbeddedPostgresError("cannot give \(path) to the postgres user")
            }
        }
    }

    func run(_ program: String, _ arguments: [String]) throws {
        let (status, output) = try execute(program, arguments)
        guard status == 0 else {
            throw EmbeddedPostgresError("\((program as NSString).lastPathComponent) failed (exit \(status)): \(output.suffix(2000))")
        }
    }

    func status(_ program: String, _ arguments: [String]) throws -> Int32 {
        try execute(program, arguments).status
    }

    func output(_ program: String, _ arguments: [String]) throws -> String {
        let (status, output) = try execute(program, arguments)
        guard status == 0 else {
            throw EmbeddedPostgresError("\((program as NSString).lastPathComponent) failed (exit \(status)): \(output.suffix(2000))")
        }
        return output
    }

    private func execute(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        // As root, run as postgres from "/": PostgreSQL's programs complain about a working
        // directory they cannot read.
        let argv =
            asPostgresUser
            ? ["/usr/sbin/runuser", "-u", "postgres", "--", "/bin/sh", "-c", "cd / && exec \"$0\" \"$@\"", program] + arguments
            : [program] + arguments
        return try Subprocess.run(argv)
    }
}

/// Runs a program to completion and returns its exit status and combined output.
public enum Subprocess {
    /// The child closes every descriptor from 3 up. Otherwise a server it starts (`pg_ctl
    /// start`'s postmaster) inherits this process's descriptors and keeps them after this process
    /// has exited: a parent that learns of its child's end when a descriptor closes, as
    /// Foundation's `Process` does, then waits forever for a `serve` that started the embedded
    /// cluster. glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, looked up at run time
    /// (the headers declare it only under `_GNU_SOURCE`).
    static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        #if canImport(Glibc)
            typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        #endif
    }

    /// Output goes to a temp file rather than a pipe: `pg_ctl start` leaves the server holding
    /// its output, and a pipe would never reach end-of-file. The child starts with no blocked
    /// signals: Swift's threads block them, and pgbench's `-T` timer (SIGALRM) would never fire.
    public static func run(_ argv: [String]) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("manrs-run-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
        guard spawned == 0 else { throw EmbeddedPostgresError("cannot run \(argv[0]): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw EmbeddedPostgresError("cannot wait for \(argv[0]): errno \(errno)") }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS, spelled out: the macros are not imported.
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, output)
    }
}
