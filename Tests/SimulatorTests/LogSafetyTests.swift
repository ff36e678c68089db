import Bench
import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// Nothing from the network reaches the engine's log raw: a fuzzed flood plus hand-made requests
/// carrying ESC, NUL, DEL and C1 bytes in the Request-URI, Call-ID, From and bodies leave a log in
/// which no line holds a control character and none is longer than the cap allows.
@Suite(.serialized) struct LogSafetyTests {
    @Test func noLogLineHoldsAControlCharacter() throws {
        let port = RawUDP().port
        let dir = E2E.tempDirectory("logsafety")
        let config = """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: 26400-26499}
            queues: [{name: support}]
            agents: [{login: alice}]
            """
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: config, directory: dir,
                                       sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "debug")
        defer { engine.stop() }
        let udp = RawUDP()
        try #require(FloodEndToEndTests.answersOptions(udp, port: port, tries: 50), "engine did not start; \(engine.logPath)")

        let nasty = "\u{1B}[31mred\u{7}\u{7F}\u{9B}2J"
        let hostile = [
            // An unknown queue named with an escape sequence (logged as the 404's reason).
            "INVITE sip:\(nasty)@127.0.0.1:\(port) SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(udp.port);branch=z9hG4bK-n1\r\nFrom: \"\(nasty)\" <sip:\(nasty)@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: \(nasty)-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
            // A queued call whose caller id and Call-ID carry control bytes (logged when queued).
            "INVITE sip:support@127.0.0.1:\(port) SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(udp.port);branch=z9hG4bK-n2\r\nFrom: \"\(nasty)\" <sip:caller\u{1B}x@127.0.0.1>;tag=2\r\nTo: <sip:support@127.0.0.1>\r\nCall-ID: esc\u{1B}call\u{0}-2\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 0\r\n\r\n",
            // An agent-control MESSAGE whose body is an escape sequence.
            "MESSAGE sip:127.0.0.1:\(port) SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(udp.port);branch=z9hG4bK-n3\r\nFrom: <sip:alice@127.0.0.1>;tag=3\r\nTo: <sip:127.0.0.1>\r\nCall-ID: m-3\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n\u{1B}]0;owned\u{7}\r\n",
            // Garbage with NULs and a huge header (logged as a refusal).
            "\u{0}\u{1B}[2J" + String(repeating: "A\u{1B}", count: 3000) + "\r\n\r\n",
            "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(udp.port);branch=z9hG4bK-n5\r\nFrom: <sip:a@127.0.0.1>;tag=5\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: \u{1B}[1;1H\r\nCSeq: x OPTIONS\r\nContent-Length: 0\r\n\r\n",
        ]
        for text in hostile {
            udp.send(text, toPort: port)
            while udp.receive() != nil {}
        }
        let flood = try SIPFlood(port: port, count: 20_000, rate: 10_000, seed: 7).run()
        #expect(flood.sent == 20_000)
        #expect(FloodEndToEndTests.answersOptions(udp, port: port, tries: 20))
        engine.stop()

        let log = try #require(FileManager.default.contents(atPath: engine.logPath))
        #expect(log.count > 0)
        var lines = 0, longest = 0
        for line in log.split(separator: UInt8(ascii: "\n")) {
            lines += 1
            longest = max(longest, line.count)
            let bad = line.first { $0 < 0x20 || $0 == 0x7F }
            #expect(bad == nil, "control byte \(bad ?? 0) in: \(String(decoding: line.prefix(200), as: UTF8.self))")
            // C1 controls (U+0080-U+009F) are escaped too: their UTF-8 is C2 80...C2 9F.
            let c1 = zip(line, line.dropFirst()).contains { $0.0 == 0xC2 && (0x80...0x9F).contains($0.1) }
            #expect(!c1, "C1 control in: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        let text = String(decoding: log, as: UTF8.self)
        #expect(text.contains("\\x1B"), "the hostile bytes were logged escaped")
        // A message and each metadata value are cut at 1,024 characters (escapes count as one).
        #expect(longest < 8 * 4 * EscapingLogHandler.maxLength, "longest line \(longest) bytes")
        print("log safety: \(lines) lines, longest \(longest) bytes, flood \(flood.sent) datagrams")
    }
}

/// The escaping itself.
struct EscapingLogHandlerTests {
    @Test func controlCharactersBecomeHexAndLongTextIsCut() {
        #expect(EscapingLogHandler.escape("a\u{1B}b\u{0}c\u{7F}\u{9B}é") == "a\\x1Bb\\x00c\\x7F\\x9Bé")
        #expect(EscapingLogHandler.escape("tab\there\r\n") == "tab\\x09here\\x0D\\x0A")
        let long = EscapingLogHandler.escape(String(repeating: "x", count: 5000))
        #expect(long.hasPrefix(String(repeating: "x", count: EscapingLogHandler.maxLength)))
        #expect(long.hasSuffix("…(+\(5000 - EscapingLogHandler.maxLength))"))
    }
}
