import Capture
import Foundation
import Media
import SIP
import Testing
@testable import Engine
import EngineCore
@testable import Simulator

/// What a caller waiting in a ccengine queue hears, judged from the audio it received: the
/// entry prompt, the music on hold, its position spoken at the configured times, then the
/// agent, all on one RTP stream paced every 20 ms (tshark reads the capture too). The prompts
/// here are tones, one frequency per prompt, so the decoded audio says which prompt played.
@Suite(.serialized) struct QueueMediaEndToEndTests {
    static let music = 440.0, entry = 1000.0, callerNumber = 1800.0, one = 1200.0, two = 1600.0, otherNumber = 2600.0, agent = 2000.0
    static let candidates = [music, entry, callerNumber, one, two, otherNumber, agent]

    static func tone(_ hz: Double, seconds: Double, to path: String, encoding: WAVFile.Encoding = .linear16) throws {
        let samples = (0..<Int(seconds * 8000)).map { Int16(sin(2 * Double.pi * hz * Double($0) / 8000) * 8000) }
        try Data(WAVFile(encoding: encoding, samples: samples).bytes).write(to: URL(fileURLWithPath: path))
    }

    /// A folder of prompts and a prompt set whose words are tones: "caller-number", "1", "2"
    /// each its own, every other number one more.
    static func tonePrompts(in dir: String) throws -> String {
        let words = dir + "/words"
        try FileManager.default.createDirectory(atPath: words, withIntermediateDirectories: true)
        try tone(music, seconds: 3, to: dir + "/music.wav")
        try tone(entry, seconds: 0.6, to: dir + "/entry.wav", encoding: .muLaw)
        try tone(callerNumber, seconds: 0.4, to: words + "/caller-number.wav")
        for word in SpokenPrompts.numberWords {
            try tone(word == "1" ? one : word == "2" ? two : otherNumber, seconds: 0.3, to: words + "/\(word).wav", encoding: .aLaw)
        }
        return words
    }

    /// The recipe operation `announce` plays its prompt to the waiting caller over the queue's
    /// music, judged from what the caller received: the music's tone, then the prompt's, then the
    /// music again.
    @Test func aRecipesAnnouncementIsHeardOverTheMusic() throws {
        let port = E2E.freeUDPAndTCPPort()
        let dir = E2E.tempDirectory("recipe-announce")
        let notice = 1700.0
        try Self.tone(Self.music, seconds: 3, to: dir + "/music.wav")
        try Self.tone(notice, seconds: 0.5, to: dir + "/notice.wav")
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: 33300-33399}
            routing: {tick: 1s, ring_timeout: 10s, wrap_up: 0s}
            queues:
              - name: support
                media: {answer: early, music: \(dir)/music.wav}
                recipe:
                  - conditions: [{ticks: 2}]
                    operations: [{announce: \(dir)/notice.wav}]
                    run: once
            agents: [{login: alice}]
            """, directory: dir, sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { engine.stop() }
        ShutdownAndRestartTests.waitForLog(engine, "ccengine listening")
        let audio = RTPParty()
        defer { audio.stop() }
        let carol = RawPhone("carol", engine: port)
        _ = carol.invite("support", callID: "recipe-announce", rtpPort: audio.port)
        #expect(carol.receive { $0.status == 183 && $0.callID == "recipe-announce" } != nil, "no 183")
        func heard() -> [Double?] { RTPParty.tones(audio.packets, candidates: [Self.music, notice]) }
        #expect(E2E.until(seconds: 10) {
            let tones = heard()
            guard let first = tones.firstIndex(of: notice) else { return false }
            return tones[..<first].filter { $0 == Self.music }.count >= 25 && tones[first...].filter { $0 == notice }.count >= 20
                && tones[first...].drop { $0 == notice }.filter { $0 == Self.music }.count >= 10
        }, "music, the recipe's announcement, music again: heard \(heard().count) frames")
    }

    @Test func aWaitingCallerHearsEntryMusicItsPositionThenTheAgentOnOneStream() throws {
        let port = E2E.freeUDPAndTCPPort()
        let rtp = 29400...29499
        let dir = E2E.tempDirectory("queue-media")
        let words = try Self.tonePrompts(in: dir)
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            priority: realtime
            media: {rtp_ports: \(rtp.lowerBound)-\(rtp.upperBound), prompts: \(words)}
            routing: {ring_timeout: 10s, wrap_up: 0s}
            queues:
              - name: support
                media:
                  answer: early
                  music: \(dir)/music.wav
                  entry: \(dir)/entry.wav
                  position: {every: 2s, first_after: 1s}
            agents: [{login: alice}]
            """, directory: dir, sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { engine.stop() }
        ShutdownAndRestartTests.waitForLog(engine, "ccengine listening")

        let carolAudio = RTPParty(), daveAudio = RTPParty(), aliceAudio = RTPParty()
        defer { carolAudio.stop(); daveAudio.stop(); aliceAudio.stop() }
        let capture = try PacketCapture(path: dir + "/caller.pcap", filter: "udp and dst port \(carolAudio.port)")
        capture.start()

        // Two callers wait (no agent is logged in): each gets a 183 with the relay's SDP.
        let carol = RawPhone("carol", engine: port), dave = RawPhone("dave", engine: port)
        let carolInvite = carol.invite("support", callID: "qm-carol", rtpPort: carolAudio.port)
        let carolProgress = try #require(carol.receive { $0.status == 183 && $0.callID == "qm-carol" }, "no 183 for the first caller")
        #expect(carolProgress.contentType == "application/sdp")
        #expect(carol.receive(timeout: 0.3) { $0.status == 180 } == nil, "no 180: the caller's phone would play its own ringback over the queue")
        let daveInvite = dave.invite("support", callID: "qm-dave", rtpPort: daveAudio.port)
        _ = try #require(dave.receive { $0.status == 183 && $0.callID == "qm-dave" }, "no 183 for the second caller")

        // Each hears its own position (a bounded wait: the first comes after 1 s).
        func heard(_ party: RTPParty, _ hz: Double, frames: Int = 5) -> Bool {
            RTPParty.tones(party.packets, candidates: Self.candidates).filter { $0 == hz }.count >= frames
        }
        #expect(E2E.until(seconds: 10) { heard(carolAudio, Self.one) && heard(daveAudio, Self.two) }, "positions 1 and 2 were not both heard")

        // An agent logs in: the first caller is put through; the agent's phone sends its tone.
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        let ring = try #require(alice.anyRequest("INVITE"), "the agent was not rung")
        #expect(ring.callID != "qm-dave")
        let offer = try SessionDescription.parse(ring.body)
        let agentSide = try #require(offer.audio?.port)
        alice.respond(200, to: ring, rtpPort: aliceAudio.port)
        aliceAudio.sendTone(Self.agent, to: agentSide)
        let ok = try #require(carol.finalResponse("qm-carol", method: "INVITE"), "the caller got no 200 once the agent answered")
        #expect(ok.status == 200)
        _ = carol.inDialog("ACK", invite: carolInvite, answer: ok, cseq: 1)
        #expect(E2E.until(seconds: 10) { heard(carolAudio, Self.agent, frames: 50) }, "the caller did not hear the agent")

        // The second caller gives up; the first hangs up.
        var cancel = daveInvite
        cancel.startLine = .request(method: "CANCEL", uri: daveInvite.requestURI!)
        cancel.cseq = CSeq(1, "CANCEL")
        cancel.contentType = nil
        cancel.body = []
        dave.send(cancel)
        _ = dave.finalResponse("qm-dave", method: "INVITE")
        _ = carol.inDialog("BYE", invite: carolInvite, answer: ok, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        _ = capture.stop()

        // What the first caller heard, in order: entry, music, "caller number" "1", ..., the agent.
        let packets = carolAudio.packets
        let tones = RTPParty.tones(packets, candidates: Self.candidates)
        var story: [Double] = []
        for t in tones.compactMap({ $0 }) where story.last != t { story.append(t) }
        #expect(story.first == Self.entry, "first heard \(story.prefix(3))")
        #expect(story.dropFirst().first == Self.music, "after the entry prompt: \(story.prefix(4))")
        #expect(story.last == Self.agent)
        let said = story.indices.filter { story[$0] == Self.callerNumber && $0 + 1 < story.count && story[$0 + 1] == Self.one }
        #expect(said.count >= 1, "position 1 never said: \(story)")
        #expect(story.firstIndex(of: Self.music).map { m in said.allSatisfy { $0 > m } } ?? false)

        // The first position announcement after `first_after` (1 s) and before a second period.
        // Measured on the stream's own clock (RTP timestamps, 8 kHz): arrival times carry the
        // scheduling jitter of the first packet, which once put a frame paced at 1 s at 0.89995 s.
        let firstSaid = try #require(tones.firstIndex(of: Self.callerNumber))
        let at = Double(packets[firstSaid].timestamp &- packets[0].timestamp) / 8000
        #expect(at >= 0.9 && at < 3.0, "first position announcement at \(at) s of the stream")

        // One stream: one SSRC, consecutive sequence numbers, no restart at the bridge.
        #expect(Set(packets.map(\.ssrc)).count == 1, "SSRCs \(Set(packets.map(\.ssrc)))")
        let gaps = zip(packets, packets.dropFirst()).filter { $1.sequence != $0.sequence &+ 1 }
        #expect(gaps.isEmpty, "sequence breaks: \(gaps.prefix(5).map { ($0.sequence, $1.sequence) })")
        let forward = zip(packets, packets.dropFirst()).allSatisfy { Int32(bitPattern: $1.timestamp &- $0.timestamp) > 0 }
        #expect(forward, "timestamps go back")
        let bridgeAt = try #require(tones.firstIndex(of: Self.agent))
        #expect(packets[bridgeAt...].prefix(3).contains { $0.marker }, "the agent's first packet starts a talkspurt (marker)")

        // Paced by the relay's frame clock while queued: no gap over 25 ms (kernel stamps). The
        // engine runs its relay thread SCHED_RR (`priority: realtime`, as production should) so
        // the other tests running meanwhile on this 2-core machine cannot delay a frame; where
        // that priority cannot be had (the engine says so), 99 % of the gaps are held to 25 ms.
        // Loopback delivery itself runs in the kernel's softirq, which no thread priority
        // preempts: when the full parallel run's traffic keeps a CPU in softirq, even the relay's
        // realtime thread wakes late (it logs the latest at stop). A gap over 25 ms is then the
        // kernel's when the relay was never a period late and the gap is within its latest
        // wake-up (plus 1.5 ms); otherwise 99 % of the gaps must still be within 25 ms.
        let queued = packets[..<bridgeAt]
        let deltas = zip(queued, queued.dropFirst()).map { $1.arrival - $0.arrival }.sorted()
        let maxDelta = deltas.last ?? 0
        let p99 = deltas.isEmpty ? 0 : deltas[deltas.count * 99 / 100]
        engine.stop()
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        if log.contains("keep normal priority") {
            #expect(p99 <= 0.025, "p99 delta while queued \(p99 * 1000) ms (normal priority)")
        } else if maxDelta > 0.025 {
            let pacing = log.split(separator: "\n").first { $0.contains("ticks late") }.map(String.init) ?? "no figure"
            let woke = pacing.firstMatch(of: /woke at most ([0-9.]+) ms late/).flatMap { Double($0.1) }.map { $0 / 1000 } ?? 0
            #expect(pacing.contains(" 0 ticks late") && (p99 <= 0.025 || maxDelta <= 0.020 + woke + 0.0015),
                    "max delta while queued \(maxDelta * 1000) ms, p99 \(p99 * 1000) ms; relay: \(pacing)")
        }

        // tshark's view of the capture agrees: one stream, no loss, no sequence error.
        let tshark = try #require(E2E.which("tshark"), "tshark is not installed: run `make test`")
        let (status, out) = try E2E.run(tshark, ["-r", dir + "/caller.pcap", "-o", "rtp.heuristic_rtp:TRUE", "-q", "-z", "rtp,streams"])
        #expect(status == 0)
        let rows = out.split(separator: "\n").filter { $0.contains("g711U") }
        #expect(rows.count == 1, "tshark streams:\n\(out)")
        if let row = rows.first {
            // Columns: ... Pkts, Lost (n%), deltas, jitter, Problems? ("X" for a sequence error).
            #expect(row.contains(" 0 (0.0%)"), "tshark sees loss: \(row)")
            #expect(!row.trimmingCharacters(in: .whitespaces).hasSuffix("X"), "tshark flags a problem: \(row)")
        }
    }
}
