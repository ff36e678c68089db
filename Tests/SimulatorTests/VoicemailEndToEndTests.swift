import Foundation
import Media
import SIP
import Testing
@testable import Engine
import EngineCore
@testable import Simulator

/// Voicemail end to end: a caller nobody answers within the queue's max_wait is answered by the
/// voicemail box, hears the greeting then the beep (decoded from what it received), speaks (a
/// tone), presses # and is hung up; the message is a mono WAV whose format, duration (within
/// 0.1 s of what was sent) and content (the tone) are checked with soxi and Goertzel, with its
/// `voicemails` row; the call is recorded `voicemail`.
@Suite(.serialized) struct VoicemailEndToEndTests {
    static let greeting = 700.0, beep = 1000.0, voice = 1500.0

    @Test func aCallerLeavesAMessageAfterTheGreetingAndTheBeep() throws {
        let port = E2E.freeUDPAndTCPPort()
        let rtp = 30300...30399
        let dir = E2E.tempDirectory("voicemail")
        try QueueMediaEndToEndTests.tone(Self.greeting, seconds: 0.5, to: dir + "/greeting.wav")
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: \(rtp.lowerBound)-\(rtp.upperBound)}
            routing: {ring_timeout: 10s, wrap_up: 0s}
            queues:
              - name: support
                max_wait: 1s
                on_max_wait: voicemail
                media:
                  voicemail: {greeting: \(dir)/greeting.wav, max: 20s}
            agents: [{login: alice}]
            """, directory: dir, sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { engine.stop() }
        ShutdownAndRestartTests.waitForLog(engine, "ccengine listening")

        let audio = RTPParty()
        defer { audio.stop() }
        let carol = RawPhone("carol", engine: port)
        let invite = carol.invite("support", callID: "vm-1", rtpPort: audio.port)
        let ok = try #require(carol.finalResponse("vm-1", method: "INVITE", timeout: 15), "the voicemail box answers")
        #expect(ok.status == 200)
        _ = carol.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        let relay = try #require(try SessionDescription.parse(ok.body).audio)

        func count(_ hz: Double) -> Int { RTPParty.tones(audio.packets, candidates: [Self.greeting, Self.beep, Self.voice]).filter { $0 == hz }.count }
        _ = E2E.until(seconds: 10) { count(Self.beep) >= 11 }
        #expect(count(Self.greeting) >= 20, "the greeting was not heard")
        #expect(count(Self.beep) >= 11, "the beep was not heard")
        let tones = RTPParty.tones(audio.packets, candidates: [Self.greeting, Self.beep, Self.voice]).compactMap { $0 }
        #expect(tones.firstIndex(of: Self.greeting).map { g in tones.firstIndex(of: Self.beep).map { $0 > g } ?? false } ?? false, "greeting, then beep")

        // The message, once the beep is over (nothing more arrives): two seconds of a tone, then #.
        _ = E2E.until(seconds: 5) { (audio.packets.last?.arrival).map { Date().timeIntervalSince1970 - $0 > 0.1 } ?? false }
        audio.sendTone(Self.voice, to: relay.port)
        _ = E2E.until(seconds: 5) { audio.stopSendingIfSent(100) != nil }
        let sent = audio.stopSending()
        audio.sendDigit("#", to: relay.port)
        let bye = try #require(carol.receive { $0.method == "BYE" && $0.callID == "vm-1" }, "# ends the message: the engine hangs up")
        carol.send(bye.response(200))

        let store = try CallRecordStore(directory: dir + "/engine-state")
        _ = E2E.until(seconds: 10) { (try? store.voicemail(of: "vm-1")) != nil }
        let row = try #require(try store.voicemail(of: "vm-1"), "no voicemails row")
        #expect(row.status == "ok" && row.caller == "carol" && row.queue == "support")
        let soxi = try #require(E2E.which("soxi"), "sox is not installed: run `make test`")
        func info(_ flag: String) throws -> String { try E2E.run(soxi, [flag, row.file]).output.trimmingCharacters(in: .whitespacesAndNewlines) }
        let (channels, rate, bits) = (try info("-c"), try info("-r"), try info("-b"))
        #expect(channels == "1" && rate == "8000" && bits == "16", "soxi: \(channels) ch, \(rate) Hz, \(bits) bits")
        let seconds = try #require(Double(try info("-D")))
        #expect(abs(seconds - Double(sent) * 0.02) <= 0.1, "message \(seconds) s, sent \(Double(sent) * 0.02) s")
        let wav = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: row.file))), name: row.file)
        var d = ToneDetector(frequencies: [Self.greeting, Self.beep, Self.voice])
        d.add(linear: Array(wav.samples[wav.samples.count / 4..<wav.samples.count * 3 / 4]))
        #expect(d.dominantFrequency == Self.voice)
        #expect((try store.all().first { $0.callID == "vm-1" })?.disposition == "voicemail")
    }
}
