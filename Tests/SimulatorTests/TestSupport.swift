import Foundation
import SIP
import Logging
import Testing
@testable import Simulator
@testable import Engine
@testable import EngineCore

/// Paths and small tools shared by the end-to-end tests.
enum E2E {
    /// Polls `condition` every 10 ms for at most `seconds`; whether it came true.
    static func until(seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    /// The package root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// ccengine built beside the test bundle (`make test` / `swift build` build it first).
    static var engineBinary: String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent(), URL(fileURLWithPath: root + "/.build/debug")] {
            let p = candidate.appendingPathComponent("ccengine").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return root + "/.build/debug/ccengine"
    }

    static func scenario(_ name: String) -> String { root + "/Scenarios/" + name }

    static func tempDirectory(_ name: String) -> String {
        let d = NSTemporaryDirectory() + "ccengine-tests/\(name)-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// A self-signed certificate and key for 127.0.0.1 made with openssl in `dir` (no private key
    /// is committed to the repository); (certificate, key, both in one file).
    static func selfSignedCertificate(in dir: String) throws -> (certificate: String, key: String, combined: String) {
        let openssl = try #require(which("openssl"), "openssl is not installed: run `make test`")
        let cert = dir + "/cert.pem", key = dir + "/key.pem", both = dir + "/cert-and-key.pem"
        let (status, out) = try run(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                              "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                                              "-addext", "subjectAltName=IP:127.0.0.1"], timeout: 30)
        try #require(status == 0, "openssl req failed: \(out)")
        try (String(contentsOfFile: cert, encoding: .utf8) + String(contentsOfFile: key, encoding: .utf8)).write(toFile: both, atomically: true, encoding: .utf8)
        return (cert, key, both)
    }

    /// A loopback port free right now for both UDP and TCP (an engine serving `sip.tcp` binds
    /// both; a port the kernel picks for UDP may be some TCP connection's ephemeral port). Kept
    /// by neither: the engine binds it next (a race as small as with `RawUDP().port`).
    static func freeUDPAndTCPPort() -> Int {
        for _ in 0..<50 {
            let listener = RawTCPListener()
            let port = listener.port
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = UInt16(port).bigEndian
            let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            close(udp)
            if rc == 0 { return port }
        }
        return RawUDP().port
    }

    static func which(_ tool: String) -> String? {
        for dir in ["/usr/bin", "/usr/sbin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }

    /// One ccsim customer calling queue `support` of an engine already running on `port` (agent
    /// alice is an outside phone), optionally captured; returns the run's result.
    static func oneCustomerCall(name: String, port: Int, rtpPorts: ClosedRange<Int>? = nil, holdTime: String,
                                directory dir: String, pcap: String? = nil, codecs: String = "PCMU",
                                sipExtra: String = "", transport: String = "udp") async throws -> SimulationRun.Result {
        let scenarioPath = dir + "/scenario.yaml"
        let media = rtpPorts.map { "\n  media: {rtp_ports: \($0.lowerBound)-\($0.upperBound)}" } ?? ""
        try """
            name: \(name)
            duration: 30s
            engine:
              sip: {address: 127.0.0.1:\(port)\(sipExtra)}\(media)
              queues: [{name: support}]
              agents: [{login: alice, password: alice-secret}]
            customers:
              - {queue: support, calls: 1, hold_time: \(holdTime), codecs: [\(codecs)], transport: \(transport)}
            """.write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        var options = SimulationRun.Options(reportDirectory: dir + "/report")
        options.engine = Endpoint(host: "127.0.0.1", port: port)
        options.pcapPath = pcap
        options.quiet = true
        return try await SimulationRun(scenario: try ScenarioFile.load(scenarioPath), options: options, logger: Logger(label: "test")).run()
    }

    /// Stops a process this test started: SIGTERM, then SIGKILL after `grace` seconds.
    static func stop(_ p: Process, grace: Double = 3) {
        guard p.isRunning else { return }
        p.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    /// Starts a command in the background (output discarded); the caller stops it with `stop`.
    static func background(_ path: String, _ args: [String], cwd: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs a command to completion (bounded by `timeout` seconds) and returns its exit code and output.
    static func run(_ path: String, _ args: [String], timeout: Double = 60, cwd: String? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Read the output on a helper thread so a chatty process never blocks on a full pipe.
        let collected = OutputCollector()
        let reader = Thread {
            while case let chunk = out.fileHandleForReading.availableData, !chunk.isEmpty { collected.append(chunk) }
        }
        reader.start()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        while !reader.isFinished { usleep(10_000) }
        return (p.terminationStatus, collected.text)
    }
}

final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ d: Data) { lock.lock(); data.append(d); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}

/// A bare UDP socket on loopback for sending hand-made datagrams to the engine.
final class RawUDP {
    let fd: Int32
    init() {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var tv = timeval(tv_sec: 0, tv_usec: 700_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
    deinit { close(fd) }

    var port: Int { boundPort(fd) }

    func send(_ text: String, toPort port: Int) {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let bytes = Array(text.utf8)
        _ = withUnsafePointer(to: &addr) { a in
            a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// The next datagram, or nil after the receive timeout.
    func receive() -> String? {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buf, buf.count, 0)
        return n > 0 ? String(decoding: buf[..<n], as: UTF8.self) : nil
    }
}

/// A blocking TCP connection to an engine on loopback, read through the project's stream framer
/// (receive gives up after 0.7 s, like `RawUDP`).
final class RawTCP {
    let fd: Int32
    private var framer = StreamFramer()

    init(connectingTo port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var tv = timeval(tv_sec: 0, tv_usec: 700_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Wraps a connection accepted by a test's own listener.
    init(accepted fd: Int32) {
        self.fd = fd
        var tv = timeval(tv_sec: 0, tv_usec: 700_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    var port: Int { boundPort(fd) }

    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }

    /// Bytes as they arrive (nil after the timeout or at end of stream), bypassing the framer.
    func receiveRaw() -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buf, buf.count, 0)
        return n > 0 ? Array(buf[..<n]) : nil
    }

    /// The next whole message, or nil when none is complete before the timeout.
    func receive() -> [UInt8]? {
        while true {
            if case .message(let m)? = try? framer.next() { return m }
            guard let bytes = receiveRaw() else { return nil }
            framer.append(bytes)
        }
    }
}

/// A TCP listener on a kernel-chosen loopback port (a test's stand-in for a proxy or a phone).
final class RawTCPListener {
    let fd: Int32
    init() {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 8)
    }
    deinit { close(fd) }

    var port: Int { boundPort(fd) }

    /// The next connection, waiting at most `timeout` seconds (poll, bounded).
    func accept(timeout: Double) -> RawTCP? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(timeout * 1000)) == 1 else { return nil }
        let c = Glibc.accept(fd, nil, nil)
        return c >= 0 ? RawTCP(accepted: c) : nil
    }
}

/// The local port a socket is bound to (getsockname).
func boundPort(_ fd: Int32) -> Int {
    var addr = sockaddr_in()
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}
