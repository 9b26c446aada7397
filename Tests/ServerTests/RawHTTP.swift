import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A client of bare bytes, for what an HTTP client will not send: CR or LF inside a header value,
/// invalid UTF-8 in the request line, a header given twice, a body without a content type.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A connection to 127.0.0.1:`port` whose reads give up after `timeout` seconds; the caller closes it.
    static func connect(port: Int, timeout: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure(description: "connect: \(errno)")
        }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        return socket
    }

    /// Connects and sends nothing: the seconds until the server hangs up.
    static func secondsUntilClosed(port: Int, limit: Int) throws -> Double {
        let socket = try connect(port: port, timeout: limit)
        defer { close(socket) }
        let start = Date()
        var byte: UInt8 = 0
        // 0 is the server's end of the stream; -1 is our own time limit.
        guard recv(socket, &byte, 1, 0) == 0 else { throw Failure(description: "still open after \(limit) s") }
        return Date().timeIntervalSince(start)
    }

    /// Sends `bytes` on a new connection to 127.0.0.1:`port` and reads one response: up to its
    /// `Content-Length`, or until the server closes the connection, or `timeout` seconds of
    /// silence. `status` is nil when the server closed without an answer; `headers` is the
    /// status line and header block as received.
    static func send(port: Int, bytes: Data, timeout: Int = 10) throws -> (status: Int?, headers: String, body: Data) {
        let socket = try connect(port: port, timeout: timeout)
        defer { close(socket) }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        // The server may answer and close before the whole request is written (a body over the
        // limit): a failed write is not an error here, the answer is what counts.
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { break }
                offset += sent
            }
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = received.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
                let length = head.split(separator: "\r\n").dropFirst().compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first
                if let length, received.count - end.upperBound >= length { break }
            }
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }  // closed, reset, or silent for `timeout` seconds
            received.append(contentsOf: buffer[0..<count])
        }
        guard let end = received.range(of: Data("\r\n\r\n".utf8)) else { return (nil, String(decoding: received, as: UTF8.self), Data()) }
        let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
        let parts = statusLine.split(separator: " ")
        let status = parts.count >= 2 && parts[0].hasPrefix("HTTP/") ? Int(parts[1]) : nil
        return (status, head, Data(received[end.upperBound...]))
    }

    /// The value of the first header `name` in a header block, nil when absent.
    static func header(_ name: String, in head: String) -> String? {
        for line in head.split(separator: "\r\n").dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == name.lowercased() { return parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
