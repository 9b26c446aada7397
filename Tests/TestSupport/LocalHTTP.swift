import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Plain HTTP/1.1 over a socket to a server a test started on 127.0.0.1 (a `manrs-plus serve`
/// process): one request per connection, `Connection: close`. For the tests that run the binary,
/// which have no HTTP client among their dependencies.
public enum LocalHTTP {
    /// The status of one request, from the status line alone; nil when nothing answers within
    /// `timeout` seconds. A non-empty `token` is sent as a bearer token.
    public static func status(_ method: String, port: Int, path: String, token: String = "", timeout: Int = 5) -> Int? {
        guard let socket = send(method, port: port, path: path, headers: token.isEmpty ? [:] : ["Authorization": "Bearer \(token)"], timeout: timeout)
        else { return nil }
        defer { close(socket) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let read = recv(socket, &buffer, buffer.count, 0)
        guard read >= 12 else { return nil }
        // "HTTP/1.1 200 OK"
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }

    /// One GET with `headers`: the status and the whole body (a chunked one joined); nil when
    /// nothing answers within `timeout` seconds.
    public static func get(port: Int, _ path: String, headers: [String: String] = [:], timeout: Int = 30) -> (status: Int, body: String)? {
        guard let socket = send("GET", port: port, path: path, headers: headers, timeout: timeout) else { return nil }
        defer { close(socket) }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let read = recv(socket, &buffer, buffer.count, 0)
            guard read > 0 else { break }
            response += buffer[0..<read]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.count >= 12, let status = Int(text.dropFirst(9).prefix(3)) else { return nil }
        guard let split = text.range(of: "\r\n\r\n") else { return (status, "") }
        var body = String(text[split.upperBound...])
        if text[..<split.lowerBound].lowercased().contains("transfer-encoding: chunked") { body = unchunk(body) }
        return (status, body)
    }

    /// A port on 127.0.0.1 that nothing listens on now (the kernel's choice).
    public static func freePort() -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A new connection to 127.0.0.1:`port` with the request written, its reads giving up after
    /// `timeout` seconds; nil when nothing listens or the write fails. The caller closes it.
    static func send(_ method: String, port: Int, path: String, headers: [String: String], timeout: Int) -> Int32? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        let extra = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(extra)Connection: close\r\n\r\n"
        guard connected == 0,
            request.utf8CString.withUnsafeBufferPointer({ Glibc.send(socket, $0.baseAddress, $0.count - 1, 0) }) == request.utf8.count
        else {
            close(socket)
            return nil
        }
        return socket
    }

    /// A chunked body's data.
    static func unchunk(_ body: String) -> String {
        var rest = Substring(body)
        var out = ""
        while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
            let start = line.upperBound
            let bytes = Array(rest[start...].utf8)
            out += String(decoding: bytes.prefix(size), as: UTF8.self)
            rest = Substring(String(decoding: bytes.dropFirst(size + 2), as: UTF8.self))
        }
        return out
    }
}
