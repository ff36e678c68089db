import Foundation
import SIP
import Logging
import Media
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// baresip (Debian's baresip-core, headless) as a real agent phone: it registers with digest,
/// the engine rings it for a ccsim customer's call, it answers by itself, and audio flows both
/// ways through the relay: the customer hears baresip's 1240 Hz sine, and baresip's recording of
/// what it received is the customer's 440 Hz tone. Once with PCMU, once with a caller and a phone
/// that take PCMA only (RFC 3264: the answer and every packet both ways in PCMA), and once with
/// baresip and the caller over TLS (baresip registers over TLS and gets its INVITE on that
/// connection; the engine's certificate is made by the test).
@Suite(.serialized) struct BaresipInteropTests {
    @Test(arguments: [("PCMU", "udp"), ("PCMA", "udp"), ("PCMU", "tls")])
    func baresipRegistersWithDigestAndTalksBothWays(codec: String, transport: String) async throws {
        guard let baresip = E2E.which("baresip") else {
            Issue.record("baresip is not installed: run `make test`, which installs baresip-core")
            return
        }
        let port = 25320
        let dir = E2E.tempDirectory("baresip")
        let tlsPort = E2E.freeUDPAndTCPPort()
        var sipExtra = "", phoneTLS = "", accountTransport = ""
        if transport == "tls" {
            let cert = try E2E.selfSignedCertificate(in: dir)
            sipExtra = ", tcp: true, tls: {port: \(tlsPort), certificate: \(cert.certificate), key: \(cert.key)}"
            phoneTLS = "sip_certificate \(cert.combined)\n"
            accountTransport = ";transport=tls"
        }
        // libre 1.1 (baresip 1.0's SIP stack) answers a 401 only when every challenge is MD5.
        let engineYAML = """
            sip: {address: 127.0.0.1:\(port), digest_algorithms: [MD5]\(sipExtra)}
            media: {rtp_ports: 24400-24499}
            queues: [{name: support}]
            agents: [{login: alice, password: alice-secret}]
            """
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: engineYAML, directory: dir,
                                       sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { engine.stop() }
        // Serving before baresip starts: a refused TLS connection would make it wait its whole regint.
        try #require(FloodEndToEndTests.answersOptions(RawUDP(), port: port, tries: 50), "the engine did not start; see \(engine.logPath)")

        let phoneDir = dir + "/baresip", recordings = dir + "/recordings"
        try FileManager.default.createDirectory(atPath: phoneDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: recordings, withIntermediateDirectories: true)
        try """
            sip_listen 127.0.0.1:25330
            net_interface 127.0.0.1
            dns_server 127.0.0.1:53
            rtp_ports 24500-24599
            module_path /usr/lib/baresip/modules
            module g711.so
            module ausine.so
            module sndfile.so
            module_app account.so
            audio_source ausine,1240
            ausrc_srate 48000
            ausrc_channels 2
            snd_path \(recordings)
            \(phoneTLS)
            """.write(toFile: phoneDir + "/config", atomically: true, encoding: .utf8)
        try "<sip:alice@127.0.0.1:\(transport == "tls" ? tlsPort : port)\(accountTransport)>;auth_pass=alice-secret;answermode=auto;audio_codecs=\(codec);regint=60\n"
            .write(toFile: phoneDir + "/accounts", atomically: true, encoding: .utf8)
        // Quits by itself after 240 s at the latest (the test stops it sooner); generous because a loaded
        // machine running the other end-to-end suites in parallel can delay this test's call by a minute.
        let phoneLog = dir + "/baresip.log"
        let phone = try Self.start(baresip, config: phoneDir, log: phoneLog, seconds: 240)
        defer { E2E.stop(phone) }

        var registered = false
        for _ in 0..<100 where !registered {
            registered = ((try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? "").contains("agent alice registered")
            if !registered { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(registered, "baresip did not register: \((try? String(contentsOfFile: phoneLog, encoding: .utf8)) ?? "")")
        guard registered else { return }

        let result = try await E2E.oneCustomerCall(name: "baresip", port: port, holdTime: "4s", directory: dir, codecs: codec,
                                                   sipExtra: sipExtra, transport: transport)
        let call = try #require(result.calls.first)
        #expect(call.outcome == .answered)
        #expect(call.answerMismatch == nil, "\(call.answerMismatch ?? "")")
        #expect(call.customerHeard?.codec == codec && call.customerHeard?.otherCodecPackets == 0)
        // The customer heard baresip's tone.
        #expect(call.customerHeard?.verified == true, "customer heard \(String(describing: call.customerHeard))")

        // baresip closes its recording when the call ends (the customer's BYE).
        var ended = false
        for _ in 0..<50 where !ended {
            ended = ((try? String(contentsOfFile: phoneLog, encoding: .utf8)) ?? "").contains("terminated")
            if !ended { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ended, "baresip never saw the call end")
        E2E.stop(phone)
        let received = try FileManager.default.contentsOfDirectory(atPath: recordings).filter { $0.hasSuffix("-dec.wav") }
        let wav = try #require(received.first.flatMap { FileManager.default.contents(atPath: recordings + "/" + $0) })
        let samples = Self.pcm16(wav)
        #expect(samples.count > 8000, "baresip recorded \(samples.count) samples")  // over a second of audio
        var detector = ToneDetector(frequencies: MediaEngine.frequencies)
        stride(from: 0, to: samples.count, by: 160).forEach { detector.add(linear: Array(samples[$0..<min($0 + 160, samples.count)])) }
        #expect(detector.dominantFrequency == 440, "baresip heard \(String(describing: detector.dominantFrequency)) Hz")

        engine.stop()
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("bridged to agent alice"))
    }

    /// Starts baresip on a configuration folder, its output in `log`; it quits by itself after `seconds`.
    static func start(_ baresip: String, config: String, log: String, seconds: Int) throws -> Process {
        let phone = Process()
        phone.executableURL = URL(fileURLWithPath: baresip)
        phone.arguments = ["-f", config, "-t", String(seconds)]
        phone.standardInput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        phone.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        phone.standardError = phone.standardOutput
        try phone.run()
        return phone
    }

    /// The samples of a 16-bit PCM WAV file (the "data" chunk).
    static func pcm16(_ wav: Data) -> [Int16] {
        let bytes = [UInt8](wav)
        var i = 12
        while i + 8 <= bytes.count {
            let id = String(decoding: bytes[i..<i + 4], as: UTF8.self)
            let size = Int(bytes[i + 4]) | Int(bytes[i + 5]) << 8 | Int(bytes[i + 6]) << 16 | Int(bytes[i + 7]) << 24
            if id == "data" {
                let end = min(bytes.count, i + 8 + size)
                return stride(from: i + 8, to: end - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
            }
            i += 8 + size + (size & 1)
        }
        return []
    }
}
