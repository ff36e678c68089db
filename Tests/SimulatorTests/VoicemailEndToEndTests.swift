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
/// `voicemails` row; the call is recorded `voicemail`. A saved message then waits in its queue as
/// an item the routing core dispatches to an agent with the queue's skill, whose phone hears it.
@Suite(.serialized) struct VoicemailEndToEndTests {
    static let greeting = 700.0, beep = 1000.0, voice = 1500.0

    /// An engine whose queue `support` sends callers to its voicemail box after 1 s.
    static func start(_ dir: String, port: Int, rtp: ClosedRange<Int>, skills: String = "[]", agents: String, silence: String = "10s",
                      max: String = "20s") throws -> EngineProcess {
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: \(rtp.lowerBound)-\(rtp.upperBound)}
            routing: {ring_timeout: 10s, wrap_up: 0s}
            queues:
              - name: support
                skills: \(skills)
                max_wait: 1s
                on_max_wait: voicemail
                media:
                  voicemail: {greeting: \(dir)/greeting.wav, max: \(max), silence: \(silence)}
            agents: \(agents)
            """, directory: dir, sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        ShutdownAndRestartTests.waitForLog(engine, "ccengine listening")
        return engine
    }

    /// Once the greeting and beep are over, the caller's tone for about `frames` packets; how many went.
    static func speakAfterTheBeep(_ audio: RTPParty, to relay: Int, frames: Int) -> Int {
        _ = E2E.until(seconds: 10) { RTPParty.tones(audio.packets, candidates: [greeting, beep]).contains(beep) }
        _ = E2E.until(seconds: 5) { (audio.packets.last?.arrival).map { Date().timeIntervalSince1970 - $0 > 0.1 } ?? false }
        audio.sendTone(voice, to: relay)
        _ = E2E.until(seconds: 5) { audio.stopSendingIfSent(frames) != nil }
        return audio.stopSending()
    }

    /// The caller's INVITE, the box's 200 (ACKed) and the relay port to speak to.
    static func callTheBox(_ caller: RawPhone, _ callID: String, _ audio: RTPParty) throws -> (SIPMessage, SIPMessage, Int) {
        let invite = caller.invite("support", callID: callID, rtpPort: audio.port)
        let ok = try #require(caller.finalResponse(callID, method: "INVITE", timeout: 15), "the voicemail box answers")
        _ = caller.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        return (invite, ok, try #require(try SessionDescription.parse(ok.body).audio).port)
    }

    @Test func aCallerLeavesAMessageAfterTheGreetingAndTheBeep() throws {
        let port = E2E.freeUDPAndTCPPort()
        let rtp = 30300...30399
        let dir = E2E.tempDirectory("voicemail")
        try QueueMediaEndToEndTests.tone(Self.greeting, seconds: 0.5, to: dir + "/greeting.wav")
        let engine = try Self.start(dir, port: port, rtp: rtp, agents: "[{login: alice}]")
        defer { engine.stop() }

        let audio = RTPParty()
        defer { audio.stop() }
        let carol = RawPhone("carol", engine: port)
        let (_, ok, relay) = try Self.callTheBox(carol, "vm-1", audio)
        #expect(ok.status == 200)

        func count(_ hz: Double) -> Int { RTPParty.tones(audio.packets, candidates: [Self.greeting, Self.beep, Self.voice]).filter { $0 == hz }.count }
        _ = E2E.until(seconds: 10) { count(Self.beep) >= 11 }
        #expect(count(Self.greeting) >= 20, "the greeting was not heard")
        #expect(count(Self.beep) >= 11, "the beep was not heard")
        let tones = RTPParty.tones(audio.packets, candidates: [Self.greeting, Self.beep, Self.voice]).compactMap { $0 }
        #expect(tones.firstIndex(of: Self.greeting).map { g in tones.firstIndex(of: Self.beep).map { $0 > g } ?? false } ?? false, "greeting, then beep")

        // The message, once the beep is over (nothing more arrives): two seconds of a tone, then #.
        _ = E2E.until(seconds: 5) { (audio.packets.last?.arrival).map { Date().timeIntervalSince1970 - $0 > 0.1 } ?? false }
        audio.sendTone(Self.voice, to: relay)
        _ = E2E.until(seconds: 5) { audio.stopSendingIfSent(100) != nil }
        let sent = audio.stopSending()
        audio.sendDigit("#", to: relay)
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

    /// OpenACD's stateless media: the message is an item of its queue. An agent without the
    /// queue's skill is never offered it; one with the skill is rung (`X-CC-Media: voicemail`),
    /// answers, and hears the caller's tone for as long as the caller spoke, then the engine's BYE.
    /// The message waits across a `kill -9` and restart. Its row names the agent and the item; the
    /// item has its own record (media `voicemail`, answered, `message-played`).
    @Test func aMessageWaitsInItsQueueAndPlaysOnThePhoneOfAnAgentWithTheSkill() throws {
        let port = E2E.freeUDPAndTCPPort()
        let rtp = 30500...30599
        let dir = E2E.tempDirectory("voicemail-item")
        try QueueMediaEndToEndTests.tone(Self.greeting, seconds: 0.5, to: dir + "/greeting.wav")
        func start() throws -> EngineProcess {
            try Self.start(dir, port: port, rtp: rtp, skills: "[english]", agents: "[{login: alice, skills: [french]}, {login: bob, skills: [english]}]")
        }
        var engine = try start()
        defer { engine.stop() }

        // Carol leaves a message (nobody is logged in) and hangs up.
        let audio = RTPParty()
        defer { audio.stop() }
        let carol = RawPhone("carol", engine: port)
        let (invite, ok, relay) = try Self.callTheBox(carol, "vm-2", audio)
        let sent = Self.speakAfterTheBeep(audio, to: relay, frames: 75)
        _ = carol.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        let store = try CallRecordStore(directory: dir + "/engine-state")
        _ = E2E.until(seconds: 10) { (try? store.voicemail(of: "vm-2")) != nil }
        let saved = try #require(try store.voicemail(of: "vm-2"), "no voicemails row")
        #expect(saved.deliveredTo == nil)
        // The message outlives the engine: killed, restarted on the same state, it offers it again.
        kill(engine.process.processIdentifier, SIGKILL)
        engine.process.waitUntilExit()
        engine = try start()

        // Alice (french) logs in first: were she eligible she would be rung at once. Then Bob.
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        let bob = RawPhone("bob", engine: port)
        #expect(bob.register())
        let offer = try #require(bob.anyRequest("INVITE", timeout: 10), "the message is offered to bob")
        #expect(offer.header("X-CC-Media") == "voicemail")
        #expect(offer.header("X-CC-Voicemail") == "vm-2")
        #expect(offer.header("X-CC-Queue") == "support")
        let item = try #require(offer.header("X-CC-Call"))
        let ears = RTPParty()
        defer { ears.stop() }
        bob.respond(200, to: offer, rtpPort: ears.port)
        let bye = try #require(bob.receive(timeout: 15) { $0.method == "BYE" && $0.callID == offer.callID }, "the engine hangs up once the message has played")
        bob.respond(200, to: bye)
        #expect(alice.receive(timeout: 0.5) { $0.method == "INVITE" } == nil, "alice lacks the queue's skill")

        // Bob heard the caller's tone, for as long as she spoke.
        let heard = RTPParty.tones(ears.packets, candidates: [Self.greeting, Self.beep, Self.voice])
        #expect(heard.filter { $0 == Self.voice }.count >= sent * 8 / 10, "bob heard \(heard.filter { $0 == Self.voice }.count) frames of the message of \(sent)")
        #expect(abs(Double(ears.packets.count - sent)) <= 5 + Double(sent) / 10, "\(ears.packets.count) packets for a message of \(sent) frames")
        #expect(!heard.contains(Self.greeting) && !heard.contains(Self.beep))

        _ = E2E.until(seconds: 10) { (try? store.voicemail(of: "vm-2"))?.deliveredTo != nil && (try? store.all())?.contains { $0.callID == item && $0.disposition != "pending" } == true }
        let delivered = try #require(try store.voicemail(of: "vm-2"))
        #expect(delivered.deliveredTo == "bob" && delivered.item == item && delivered.deliveredAt != nil)
        let rows = try store.all()
        let itemRow = try #require(rows.first { $0.callID == item }, "the item has its own record")
        #expect(itemRow.media == "voicemail" && itemRow.agent == "bob" && itemRow.disposition == "answered" && itemRow.endReason == "message-played",
                "\(itemRow)")
        #expect(itemRow.callerID == "carol" && itemRow.queue == "support")
        #expect(rows.first { $0.callID == "vm-2" }?.disposition == "voicemail")
        #expect(rows.first { $0.callID == "vm-2" }?.media == "voice")
    }

    /// The box's `silence`: a caller who stops talking (and neither hangs up nor presses #) is
    /// hung up after that long; the message keeps what was said, not the silence after it.
    /// A caller who goes on talking is cut at the box's maximum length (2 s here): the engine
    /// hangs up while the caller still sends, and the message holds at most that much of its tone.
    @Test func aMessageEndsAtTheBoxsMaximumLength() throws {
        let port = E2E.freeUDPAndTCPPort()
        let dir = E2E.tempDirectory("voicemail-max")
        try QueueMediaEndToEndTests.tone(Self.greeting, seconds: 0.5, to: dir + "/greeting.wav")
        let engine = try Self.start(dir, port: port, rtp: 33400...33499, agents: "[{login: alice}]", max: "2s")
        defer { engine.stop() }
        let audio = RTPParty()
        defer { audio.stop() }
        let carol = RawPhone("carol", engine: port)
        let (_, _, relay) = try Self.callTheBox(carol, "vm-max", audio)
        let sent = Self.speakAfterTheBeep(audio, to: relay, frames: 200)  // 4 s
        let bye = try #require(carol.receive(timeout: 10) { $0.method == "BYE" && $0.callID == "vm-max" }, "the maximum length ends the message")
        carol.send(bye.response(200))
        let store = try CallRecordStore(directory: dir + "/engine-state")
        _ = E2E.until(seconds: 10) { (try? store.voicemail(of: "vm-max")) != nil }
        let row = try #require(try store.voicemail(of: "vm-max"), "no voicemails row")
        #expect(row.seconds <= 2.1 && row.seconds >= 1.5, "message \(row.seconds) s with a 2 s maximum, \(Double(sent) * 0.02) s spoken")
        let wav = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: row.file))), name: row.file)
        #expect(abs(wav.duration - row.seconds) <= 0.05, "file \(wav.duration) s, row \(row.seconds) s")
        var d = ToneDetector(frequencies: [Self.greeting, Self.beep, Self.voice])
        d.add(linear: Array(wav.samples[wav.samples.count / 4..<wav.samples.count * 3 / 4]))
        #expect(d.dominantFrequency == Self.voice)
    }

    @Test func aMessageEndsAfterTheBoxsSilence() throws {
        let port = E2E.freeUDPAndTCPPort()
        let dir = E2E.tempDirectory("voicemail-silence")
        try QueueMediaEndToEndTests.tone(Self.greeting, seconds: 0.5, to: dir + "/greeting.wav")
        let engine = try Self.start(dir, port: port, rtp: 31000...31099, agents: "[{login: alice}]", silence: "2s")
        defer { engine.stop() }
        let audio = RTPParty()
        defer { audio.stop() }
        let carol = RawPhone("carol", engine: port)
        let (_, _, relay) = try Self.callTheBox(carol, "vm-3", audio)
        let sent = Self.speakAfterTheBeep(audio, to: relay, frames: 50)
        let stopped = Date()
        let bye = try #require(carol.receive(timeout: 10) { $0.method == "BYE" && $0.callID == "vm-3" }, "2 s of silence end the message")
        let after = Date().timeIntervalSince(stopped)
        carol.send(bye.response(200))
        #expect(after >= 1.5, "hung up \(after) s after the caller stopped")  // the watch is checked about once a second
        let store = try CallRecordStore(directory: dir + "/engine-state")
        _ = E2E.until(seconds: 10) { (try? store.voicemail(of: "vm-3")) != nil }
        let row = try #require(try store.voicemail(of: "vm-3"), "no voicemails row")
        #expect(abs(row.seconds - Double(sent) * 0.02) <= 0.1, "message \(row.seconds) s, spoken \(Double(sent) * 0.02) s")
        engine.stop()
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("voicemail ends: 2 s of silence"))
    }
}
