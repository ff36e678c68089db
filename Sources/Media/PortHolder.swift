import Foundation

/// Who holds a local port, read from `/proc` (Linux): a startup error can then say what to stop
/// instead of a bare "Address already in use".
public enum PortHolder {
    public enum Transport: String, Sendable { case udp, tcp }

    /// "pid 1234 (ccengine)" for the process whose socket is bound to `port`, or the socket's owner
    /// uid when the process is not visible to us; nil when no socket on the port is found.
    public static func describe(port: Int, transport: Transport = .udp) -> String? {
        let sockets = ["", "6"].flatMap { boundSockets(file: "/proc/net/\(transport.rawValue)\($0)", port: port) }
        guard let first = sockets.first else { return nil }
        let inodes = Set(sockets.map(\.inode))
        if let owner = process(holdingAnyOf: inodes) { return "pid \(owner.pid) (\(owner.name))" }
        return "a socket of uid \(first.uid) (its process is not visible here)"
    }

    /// The message for a failed bind: the address, the reason, and who holds it when known.
    /// `lookUp: false` skips the `/proc` scan (a relay bind fails on the SIP loop, mid-call).
    public static func bindFailure(_ what: String, host: String, port: Int, transport: Transport = .udp, errno e: Int32, lookUp: Bool = true) -> String {
        var text = "cannot bind \(what) to \(transport.rawValue) \(host):\(port): \(String(cString: strerror(e)))"
        if e == EADDRINUSE {
            text += (lookUp ? describe(port: port, transport: transport).map { "; held by \($0)" } : nil) ?? "; held by another socket (see ss -\(transport == .udp ? "u" : "t")lpn)"
            text += "; stop that program or choose another port"
        }
        return text
    }

    struct BoundSocket { let inode: UInt64; let uid: Int }

    /// The whole of a `/proc` file: they report size 0 and are generated as they are read, so
    /// read until EOF (a whole-file read of the size found by stat gets a page or nothing).
    static func procText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Sockets in a `/proc/net/{udp,tcp}[6]` table whose local port is `port` (listening ones for TCP).
    static func boundSockets(file: String, port: Int) -> [BoundSocket] {
        guard let text = procText(file) else { return [] }
        var found: [BoundSocket] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count > 9, let colon = f[1].lastIndex(of: ":"),
                  Int(f[1][f[1].index(after: colon)...], radix: 16) == port,
                  !file.contains("tcp") || f[3] == "0A",  // TCP_LISTEN
                  let inode = UInt64(f[9]), inode != 0 else { continue }
            found.append(BoundSocket(inode: inode, uid: Int(f[7]) ?? -1))
        }
        return found
    }

    /// The first process with an open descriptor on one of `inodes` (`/proc/PID/fd/* -> socket:[inode]`).
    static func process(holdingAnyOf inodes: Set<UInt64>) -> (pid: Int, name: String)? {
        let fm = FileManager.default
        guard let pids = try? fm.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in pids.compactMap(Int.init).sorted() {
            guard let fds = try? fm.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            for fd in fds {
                guard let target = try? fm.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                      target.hasPrefix("socket:["), let inode = UInt64(target.dropFirst(8).dropLast()),
                      inodes.contains(inode) else { continue }
                let comm = procText("/proc/\(pid)/comm")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
                return (pid, comm)
            }
        }
        return nil
    }
}
