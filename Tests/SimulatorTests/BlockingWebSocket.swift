import Foundation

/// A WebSocket client (RFC 6455) on a plain loopback TCP socket with its own reader thread: the
/// tests that block their thread while they drive SIP phones must not depend on Swift
/// concurrency's few shared threads (2 on this machine) to receive events. Text frames only;
/// the server's frames are unmasked, ours are masked.
final class BlockingWebSocket: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var texts: [String] = []
    private(set) var status = 0
    private var reader: Thread?

    /// Connects to `path` on 127.0.0.1:`port`; `status` is the HTTP status of the handshake (101 when upgraded).
    init(port: Int, path: String) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard withUnsafePointer(to: &addr, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }) == 0 else { return }
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        write(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8))
        var head = [UInt8]()
        while RawHTTPClient.headEnd(head) == nil, let b = readByte() { head.append(b) }
        status = Int(String(decoding: head, as: UTF8.self).split(separator: " ").dropFirst().first ?? "") ?? 0
        guard status == 101 else { return }
        tv = timeval(tv_sec: 0, tv_usec: 0)  // the reader waits for frames as long as the socket is open
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in readFrames() }
        reader = thread
        thread.start()
    }

    deinit { Glibc.close(fd) }

    var raw: [String] { lock.lock(); defer { lock.unlock() }; return texts }
    var messages: [[String: Any]] { raw.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] } }

    /// Closes the connection (the server sees the stream end).
    func close() { shutdown(fd, Int32(SHUT_RDWR)) }

    private func write(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    private func readByte() -> UInt8? {
        var b: UInt8 = 0
        return recv(fd, &b, 1, 0) == 1 ? b : nil
    }

    private func readExactly(_ n: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = out[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if r <= 0 { return nil }
            got += r
        }
        return out
    }

    private func readFrames() {
        var message = [UInt8]()
        while let h = readExactly(2) {
            let fin = h[0] & 0x80 != 0, opcode = h[0] & 0x0F
            var length = Int(h[1] & 0x7F)
            if length == 126, let e = readExactly(2) { length = Int(e[0]) << 8 | Int(e[1]) }
            else if length == 127, let e = readExactly(8) { length = e.reduce(0) { $0 << 8 | Int($1) } }
            guard let payload = readExactly(length) else { return }
            switch opcode {
            case 0x8: return  // close
            case 0x9:
                // Pong with the ping's data (RFC 6455 §5.5.3; the server closes a connection whose
                // pong does not match), masked with a zero key.
                write([0x8A, 0x80 | UInt8(min(payload.count, 125)), 0, 0, 0, 0] + payload.prefix(125))
            case 0x1, 0x0:
                message += payload
                if fin {
                    lock.lock(); texts.append(String(decoding: message, as: UTF8.self)); lock.unlock()
                    message = []
                }
            default: break
            }
        }
    }
}
