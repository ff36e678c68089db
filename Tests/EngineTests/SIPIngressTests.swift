import SIP
import Testing
@testable import Engine
@testable import EngineCore

struct SIPIngressTests {
    let source = Endpoint(host: "127.0.0.1", port: 9999)

    @Test func garbageIsDroppedWithOneLogLine() {
        var ingress = SIPIngress()
        guard case .drop(let line) = ingress.accept(Array("GET / HTTP/1.1\r\n\r\n".utf8), from: source, now: .zero) else {
            Issue.record("expected a drop")
            return
        }
        #expect(line?.contains("not a SIP message") == true)
    }

    @Test func truncatedInviteGets400() {
        var ingress = SIPIngress()
        let text = "INVITE sip:support@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:7000;branch=z9hG4bK1\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:support@127.0.0.1>\r\nCall-ID: t1\r\nCSeq: 1 INVITE\r\nContent-Length: 300\r\n\r\nv=0\r\n"
        guard case .reply(let bytes, let line) = ingress.accept(Array(text.utf8), from: source, now: .zero) else {
            Issue.record("expected a 400 reply")
            return
        }
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("SIP/2.0 400"))
        #expect(line?.contains("truncated") == true)
    }

    @Test func logLinesAreRateLimited() {
        var ingress = SIPIngress()
        var lines = 0
        for i in 0..<1000 {
            if case .drop(let line) = ingress.accept(Array("junk \(i)\r\n".utf8), from: source, now: .milliseconds(i / 10)), line != nil { lines += 1 }
        }
        #expect(lines == ingress.logLinesPerSecond)
        #expect(ingress.rejected == 1000)
    }

    @Test func keepAliveIsSilentlyDropped() {
        var ingress = SIPIngress()
        guard case .drop(let line) = ingress.accept(Array("\r\n\r\n".utf8), from: source, now: .zero) else {
            Issue.record("expected a drop")
            return
        }
        #expect(line == nil)
    }
}
