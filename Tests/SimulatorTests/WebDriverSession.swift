import Bench
import Foundation
import Testing

/// A headless Chromium driven through chromedriver's W3C WebDriver protocol (the protocol
/// selenium speaks, over HTTP on loopback): started on a kernel-chosen port, stopped by PID.
final class WebDriverSession {
    let driver: Process
    let client: RawHTTPClient
    private(set) var session = ""

    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    init(chromedriver: String, chromium: String, profile: String) throws {
        let port = LoopbackPort.freeTCP()
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: chromedriver)
        driver.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1", "--log-path=\(profile).log"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        client = RawHTTPClient(port: port)
        var ready = false
        var last = ""
        for _ in 0..<250 where !ready {
            let a = client("GET", "/status")
            last = "\(a.status) \(a.text.prefix(200))"
            ready = a.object["value"] != nil
            if !ready { usleep(20_000) }
        }
        guard ready else { E2E.stop(driver); throw WebDriverError(text: "chromedriver did not start on port \(port) (\(last)); see \(profile).log") }
        let caps = """
            {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {"binary": "\(chromium)",
             "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900", "--user-data-dir=\(profile)"]}}}}
            """
        let answer = client("POST", "/session", body: caps)
        guard let value = answer.object["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            E2E.stop(driver)
            throw WebDriverError(text: "no WebDriver session: \(answer.text.prefix(500))")
        }
        session = id
    }

    struct WebDriverError: Error, CustomStringConvertible { let text: String; var description: String { text } }

    func open(_ url: String) { _ = client("POST", "/session/\(session)/url", body: json(["url": url])) }

    func element(_ css: String) -> String? {
        let v = client("POST", "/session/\(session)/element", body: json(["using": "css selector", "value": css])).object["value"] as? [String: Any]
        return v?[Self.elementKey] as? String
    }

    /// Clicks in one step in the page (find and click together): the wallboard re-renders its rows
    /// every second, so an element found by one WebDriver request can be gone at the next.
    func click(_ css: String) {
        let done = eval("const e = document.querySelector(\(quoted(css))); if (!e) return 'missing'; e.click(); return 'clicked'")
        if done != "clicked" { Issue.record("no element \(css) to click") }
    }

    func type(_ css: String, _ text: String) {
        guard let e = element(css) else { Issue.record("no element \(css)"); return }
        _ = client("POST", "/session/\(session)/element/\(e)/clear", body: "{}")
        _ = client("POST", "/session/\(session)/element/\(e)/value", body: json(["text": text]))
    }

    /// Runs JavaScript in the page; its return value as text.
    func eval(_ script: String) -> String {
        let v = client("POST", "/session/\(session)/execute/sync", body: json(["script": script, "args": [String]()])).object["value"]
        return v.map { "\($0)" } ?? ""
    }

    func text(_ css: String) -> String { eval("const e = document.querySelector(\(quoted(css))); return e ? e.textContent : ''") }
    func visible(_ css: String) -> Bool { eval("const e = document.querySelector(\(quoted(css))); return (!!e && !e.closest('.hidden')) ? 'yes' : 'no'") == "yes" }

    /// Polls (bounded) until `condition` holds; returns the seconds it took, or nil.
    func waitFor(_ timeout: Double = 5, _ condition: () -> Bool) -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if condition() { return Date().timeIntervalSince(start) }
            usleep(25_000)
        }
        return condition() ? Date().timeIntervalSince(start) : nil
    }

    func screenshot(to path: String) throws {
        guard let b64 = client("GET", "/session/\(session)/screenshot").object["value"] as? String, let png = Data(base64Encoded: b64) else {
            throw WebDriverError(text: "no screenshot")
        }
        try png.write(to: URL(fileURLWithPath: path))
    }

    func quit() {
        if !session.isEmpty { _ = client("DELETE", "/session/\(session)") }
        E2E.stop(driver)
    }

    private func json(_ object: [String: Any]) -> String { (try? JSONSerialization.data(withJSONObject: object)).map { String(decoding: $0, as: UTF8.self) } ?? "{}" }
    private func quoted(_ s: String) -> String { json(["s": s]).dropFirst(5).dropLast().description }
}

/// HTTP/1.1 over a plain loopback TCP socket, one request per connection. chromedriver writes
/// `Content-Length:252` with no space, which FoundationNetworking's URLSession refuses ("Failed
/// writing header"), so WebDriver gets this small client instead.
struct RawHTTPClient {
    let port: Int

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
        return nil
    }

    func callAsFunction(_ method: String, _ path: String, body: String? = nil) -> HTTPTestClient.Answer {
        let none = HTTPTestClient.Answer(status: 0, headers: [:], body: Data())
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return none }
        defer { close(fd) }
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { return none }
        let payload = Array((body ?? "").utf8)
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if body != nil { request += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(payload.count)\r\n" }
        let bytes = Array((request + "\r\n").utf8) + payload
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return none }
            sent += n
        }
        // Read the head, then exactly Content-Length bytes (chromedriver may keep the connection open).
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var expected: Int?
        while expected.map({ response.count < $0 }) ?? true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[..<n]
            if expected == nil, let end = Self.headEnd(response) {
                let head = String(decoding: response[..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
                expected = end + 4 + (length ?? 0)
            }
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return none }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPTestClient.Answer(status: status, headers: headers, body: Data(text[split.upperBound...].utf8))
    }
}
