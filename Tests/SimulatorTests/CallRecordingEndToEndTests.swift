import Foundation
import Media
import SIP
import Testing
@testable import Engine
import EngineCore
@testable import Simulator

/// Call recording from the relay (`queues[].media.record`), judged from the file: a stereo WAV
/// whose format and duration sox reads as sent, the caller's tone on the left channel and the
/// agent's on the right; a folder that cannot be written fails the recording, not the call.
@Suite(.serialized) struct CallRecordingEndToEndTests {
    struct Call {
        var carol: RawPhone, alice: RawPhone, invite: SIPMessage, ok: SIPMessage
        var callerSide: Int, agentSide: Int
    }

    static func call(_ port: Int, callerAudio: RTPParty, agentAudio: RTPParty, id: String, alice: RawPhone) throws -> Call {
        let carol = RawPhone("carol", engine: port)
        let invite = carol.invite("support", callID: id, rtpPort: callerAudio.port)
        let ring = try #require(alice.anyRequest("INVITE"), "the agent was not rung")
        let agentSide = try #require(try SessionDescription.parse(ring.body).audio?.port)
        alice.respond(200, to: ring, rtpPort: agentAudio.port)
        let ok = try #require(carol.finalResponse(id, method: "INVITE"))
        _ = carol.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        let callerSide = try #require(try SessionDescription.parse(ok.body).audio?.port)
        return Call(carol: carol, alice: alice, invite: invite, ok: ok, callerSide: callerSide, agentSide: agentSide)
    }

    /// A call through agent alice: each side sends its tone (caller 1000 Hz, agent 2000 Hz) until
    /// both have received `packets`, then the caller hangs up. The packets each side sent.
    static func talk(_ port: Int, id: String, packets: Int) throws -> (caller: Int, agent: Int) {
        let callerAudio = RTPParty(), agentAudio = RTPParty()
        defer { callerAudio.stop(); agentAudio.stop() }
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        let c = try call(port, callerAudio: callerAudio, agentAudio: agentAudio, id: id, alice: alice)
        callerAudio.sendTone(1000, to: c.callerSide)
        agentAudio.sendTone(2000, to: c.agentSide)
        #expect(E2E.until(seconds: 10) { callerAudio.packets.count >= packets && agentAudio.packets.count >= packets }, "the call's audio did not flow")
        let sent = (callerAudio.stopSending(), agentAudio.stopSending())
        _ = c.carol.inDialog("BYE", invite: c.invite, answer: c.ok, cseq: 2)
        if let bye = c.alice.anyRequest("BYE") { c.alice.respond(200, to: bye) }
        return sent
    }

    static func start(_ name: String, rtp: ClosedRange<Int>, format: String = "stereo") throws -> (EngineProcess, Int, String) {
        let port = E2E.freeUDPAndTCPPort()
        let dir = E2E.tempDirectory(name)
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: \(rtp.lowerBound)-\(rtp.upperBound)}
            routing: {ring_timeout: 10s, wrap_up: 0s}
            queues:
              - name: support
                media: {record: \(format)}
            agents: [{login: alice}]
            """, directory: dir, sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        ShutdownAndRestartTests.waitForLog(engine, "ccengine listening")
        return (engine, port, dir)
    }

    @Test func aBridgedCallIsRecordedToOneStereoFileCallerLeftAgentRight() throws {
        let (engine, port, dir) = try Self.start("recording", rtp: 29500...29599)
        defer { engine.stop() }
        let (sentByCaller, sentByAgent) = try Self.talk(port, id: "rec-1", packets: 100)

        // The file appears once the call's ports are closed (written off the SIP loop).
        let file = (dir + "/engine-state") + "/recordings/rec-1.wav"
        #expect(E2E.until(seconds: 10) { FileManager.default.fileExists(atPath: file) }, "no \(file)")
        let soxi = try #require(E2E.which("soxi"), "sox is not installed: run `make test`")
        func info(_ flag: String) throws -> String {
            try E2E.run(soxi, [flag, file]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let (channels, rate, bits) = (try info("-c"), try info("-r"), try info("-b"))
        #expect(channels == "2" && rate == "8000" && bits == "16", "soxi: \(channels) ch, \(rate) Hz, \(bits) bits")
        let seconds = try #require(Double(try info("-D")))
        let sent = Double(max(sentByCaller, sentByAgent)) * 0.02
        #expect(abs(seconds - sent) <= 0.1, "recorded \(seconds) s, sent \(sent) s")

        // Per channel: the caller's tone left, the agent's right (Goertzel on the file's samples).
        let wav = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))), name: file)
        let frames = wav.samples.count / 2
        let middle = frames / 4..<frames * 3 / 4
        for (channel, hz) in [(0, 1000.0), (1, 2000.0)] {
            var d = ToneDetector(frequencies: [1000, 2000])
            d.add(linear: middle.map { wav.samples[2 * $0 + channel] })
            #expect(d.dominantFrequency == hz, "channel \(channel) is \(String(describing: d.dominantFrequency)) Hz")
        }
        // sox agrees on each channel's pitch (its "rough frequency" counts zero crossings: within 15 %).
        let sox = try #require(E2E.which("sox"))
        for (channel, hz) in [(1, 1000.0), (2, 2000.0)] {
            let out = try E2E.run(sox, [file, "-n", "remix", "\(channel)", "trim", "0.5", "1", "stat"]).output
            let rough = out.split(separator: "\n").first { $0.hasPrefix("Rough   frequency") }.flatMap { Double($0.split(separator: " ").last ?? "") }
            #expect(rough.map { abs($0 - hz) / hz < 0.15 } == true, "sox stat channel \(channel): \(out)")
        }

        let store = try CallRecordStore(directory: (dir + "/engine-state"))
        #expect(E2E.until(seconds: 5) { (try? store.recording(of: "rec-1"))?.status == "ok" })
        let row = try #require(try store.recording(of: "rec-1"))
        #expect(row.files == file && row.format == "stereo" && abs(row.seconds - seconds) < 0.01)
    }

    @Test func aFolderThatCannotBeWrittenFailsTheRecordingNotTheCall() throws {
        let (engine, port, dir) = try Self.start("recording-fails", rtp: 29600...29699, format: "split")
        defer { engine.stop() }
        // A file where the recordings folder would be: the folder cannot be made (even as root).
        FileManager.default.createFile(atPath: (dir + "/engine-state") + "/recordings", contents: Data("x".utf8))
        _ = try Self.talk(port, id: "rec-2", packets: 25)
        let store = try CallRecordStore(directory: (dir + "/engine-state"))
        #expect(E2E.until(seconds: 10) { (try? store.recording(of: "rec-2"))?.status == "failed" })
        let row = try #require(try store.recording(of: "rec-2"))
        #expect(row.files.isEmpty && row.error?.isEmpty == false)
        #expect(E2E.until(seconds: 5) { (try? store.all().first { $0.callID == "rec-2" })?.disposition == "answered" }, "the call itself is recorded answered")
        engine.stop()
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.components(separatedBy: "recording not saved (the call went on)").count == 2, "one log line")
    }

    @Test func theRecordsAPIShowsTheRecording() throws {
        let (engine, api, port) = try OperationsAPITests.start("recording-api", rtp: "30100-30199", routing: "{wrap_up: 0s}",
                                                              queue: "{name: support, media: {record: split}}")
        defer { engine.stop() }
        _ = try Self.talk(port, id: "rec-3", packets: 25)
        var recording: [String: Any]?
        _ = E2E.until(seconds: 10) {
            let items = api("GET", "/v1/records", token: OperationsAPITests.tokens["sup"]).object["items"] as? [[String: Any]]
            recording = items?.first { $0["call_id"] as? String == "rec-3" }?["recording"] as? [String: Any]
            return recording?["status"] as? String == "ok"
        }
        let files = try #require(recording?["files"] as? [String], "no recording in GET /v1/records: \(String(describing: recording))")
        #expect(recording?["format"] as? String == "split")
        #expect(files.count == 2 && files[0].hasSuffix("/recordings/rec-3-caller.wav") && files[1].hasSuffix("/recordings/rec-3-agent.wav"))
        #expect(files.allSatisfy { FileManager.default.fileExists(atPath: $0) })
        // Each file mono 8 kHz with its own side's tone only (Goertzel on the file's samples).
        for (file, hz) in zip(files, [1000.0, 2000.0]) {
            let wav = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))), name: file)
            #expect(wav.channels == 1 && wav.sampleRate == 8000, "\(file): \(wav.channels) ch, \(wav.sampleRate) Hz")
            let middle = wav.samples[wav.samples.count / 4..<wav.samples.count * 3 / 4]
            var d = ToneDetector(frequencies: [1000, 2000])
            d.add(linear: Array(middle))
            #expect(d.dominantFrequency == hz, "\(file) holds \(String(describing: d.dominantFrequency)) Hz")
        }
    }

    /// Per-agent recording (`agents[].record`) and pausing it: alice's calls are recorded although
    /// the queue does not record; her own token pauses the recording while both sides keep talking
    /// (bob's token may not; an unknown call is 404), her phone's SIP MESSAGE resumes it. In the
    /// file the paused stretch is silence on both channels, in the middle of each side's tone.
    @Test func anAgentsCallIsRecordedAndItsRecordingPausedAndResumed() throws {
        let (engine, api, port) = try OperationsAPITests.start("recording-pause", rtp: "30800-30899", routing: "{wrap_up: 0s}",
                                                              agents: "[{login: alice, record: stereo}, {login: bob}]")
        defer { engine.stop() }
        let callerAudio = RTPParty(), agentAudio = RTPParty()
        defer { callerAudio.stop(); agentAudio.stop() }
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        let c = try Self.call(port, callerAudio: callerAudio, agentAudio: agentAudio, id: "rec-p", alice: alice)
        callerAudio.sendTone(1000, to: c.callerSide)
        agentAudio.sendTone(2000, to: c.agentSide)
        func heard(_ more: Int) -> Bool {
            let start = callerAudio.packets.count
            return E2E.until(seconds: 10) { callerAudio.packets.count >= start + more }
        }
        #expect(heard(50), "the call's audio did not flow")
        let aliceAPI = HTTPTestClient(base: api.base, token: OperationsAPITests.tokens["alice"])
        let bobAPI = HTTPTestClient(base: api.base, token: OperationsAPITests.tokens["bob"])
        let sup = HTTPTestClient(base: api.base, token: OperationsAPITests.tokens["sup"])
        #expect(bobAPI("PUT", "/v1/calls/rec-p/recording", body: #"{"state": "paused"}"#).status == 403, "not bob's call")
        #expect(sup("PUT", "/v1/calls/none/recording", body: #"{"state": "paused"}"#).status == 404)
        #expect(sup("PUT", "/v1/calls/rec-p/recording", body: #"{"state": "stopped"}"#).status == 422)
        let paused = aliceAPI("PUT", "/v1/calls/rec-p/recording", body: #"{"state": "paused"}"#)
        #expect(paused.status == 200, "\(paused.text)")
        #expect(heard(50))
        #expect(aliceAPI("PUT", "/v1/calls/rec-p/recording", body: #"{"state": "paused"}"#).text.contains("already paused"))
        #expect(alice.control("resume-recording") == 200, "her phone resumes it")
        #expect(heard(50))
        _ = (callerAudio.stopSending(), agentAudio.stopSending())
        _ = c.carol.inDialog("BYE", invite: c.invite, answer: c.ok, cseq: 2)
        if let bye = c.alice.anyRequest("BYE") { c.alice.respond(200, to: bye) }

        let file = (engine.recordsPath as NSString).deletingLastPathComponent + "/recordings/rec-p.wav"
        #expect(E2E.until(seconds: 10) { FileManager.default.fileExists(atPath: file) }, "no \(file)")
        let wav = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))), name: file)
        #expect(wav.channels == 2)
        // Each 20 ms frame of the file: silent on both channels, or carrying both tones. Between
        // the first and last frames where both sides talk, one stretch of silence: the pause.
        let frames = wav.samples.count / 2 / 160
        func loud(_ f: Int, _ channel: Int) -> Bool { (0..<160).contains { abs(Int(wav.samples[2 * (f * 160 + $0) + channel])) >= 50 } }
        let both = (0..<frames).map { loud($0, 0) && loud($0, 1) }
        let silent = (0..<frames).map { !loud($0, 0) && !loud($0, 1) }
        let talk = try #require(both.firstIndex(of: true).flatMap { a in both.lastIndex(of: true).map { a...$0 } }, "no talk in the file")
        let quiet = talk.filter { silent[$0] }
        #expect((30...90).contains(quiet.count), "\(quiet.count) silent frames for a pause of about 50 (of \(frames))")
        let firstQuiet = quiet.first ?? 0, lastQuiet = quiet.last ?? 0
        #expect(firstQuiet - talk.lowerBound >= 30 && talk.upperBound - lastQuiet >= 30, "the pause is in the middle: frames \(firstQuiet)-\(lastQuiet) of \(talk)")
        #expect(lastQuiet - firstQuiet + 1 == quiet.count, "one stretch of silence")
        for (channel, hz) in [(0, 1000.0), (1, 2000.0)] {
            var d = ToneDetector(frequencies: [1000, 2000])
            d.add(linear: ((talk.lowerBound * 160)..<(firstQuiet * 160)).map { wav.samples[2 * $0 + channel] })
            #expect(d.dominantFrequency == hz, "channel \(channel) before the pause")
        }
    }
}
