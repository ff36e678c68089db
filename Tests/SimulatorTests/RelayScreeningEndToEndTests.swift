import Foundation
import Media
import SIP
import Testing
@testable import Engine
import EngineCore
@testable import Simulator

/// Bad media input is harmless and logged once: a phone whose call ended keeps sending RTP to a
/// port the next call now uses (its packets are dropped once the new caller is latched: the new
/// agent hears only the new caller), and a phone sending a payload type the SDP did not agree is
/// relayed untouched but named in one log line.
@Suite(.serialized) struct RelayScreeningEndToEndTests {
    @Test func rtpToAPortOfAnEndedCallAndAnotherCodecAreHarmlessAndLoggedOnce() throws {
        let port = E2E.freeUDPAndTCPPort()
        let dir = E2E.tempDirectory("relay-screening")
        // Two calls' ports (the least the engine takes): pairs are handed out in turn, so the
        // third call gets the first call's ports again.
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: 30900-30907}
            routing: {ring_timeout: 10s, wrap_up: 0s}
            queues: [{name: support}]
            agents: [{login: alice}]
            """, directory: dir, sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { engine.stop() }
        ShutdownAndRestartTests.waitForLog(engine, "ccengine listening")
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())

        // Call 1: carol (1000 Hz) to alice, then carol hangs up but her phone keeps sending.
        let carolAudio = RTPParty(), aliceFirst = RTPParty()
        defer { carolAudio.stop(); aliceFirst.stop() }
        let c1 = try CallRecordingEndToEndTests.call(port, callerAudio: carolAudio, agentAudio: aliceFirst, id: "screen-1", alice: alice)
        carolAudio.sendTone(1000, to: c1.callerSide)
        #expect(E2E.until(seconds: 10) { aliceFirst.packets.count >= 25 }, "call 1's audio did not flow")
        _ = c1.carol.inDialog("BYE", invite: c1.invite, answer: c1.ok, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        let store = try CallRecordStore(directory: dir + "/engine-state")
        #expect(E2E.until(seconds: 10) { (try? store.all().first { $0.callID == "screen-1" })?.disposition == "answered" })

        // Call 2, short, takes the other pair.
        let fillerAudio = RTPParty(), aliceFiller = RTPParty()
        defer { fillerAudio.stop(); aliceFiller.stop() }
        let filler = try CallRecordingEndToEndTests.call(port, callerAudio: fillerAudio, agentAudio: aliceFiller, id: "screen-filler", alice: alice)
        _ = filler.carol.inDialog("BYE", invite: filler.invite, answer: filler.ok, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        #expect(E2E.until(seconds: 10) { (try? store.all().first { $0.callID == "screen-filler" })?.disposition == "answered" })

        // Call 3: dave (1500 Hz) gets the first call's relay ports while carol's stream still arrives.
        let daveAudio = RTPParty(), aliceSecond = RTPParty()
        defer { daveAudio.stop(); aliceSecond.stop() }
        let dave = RawPhone("dave", engine: port)
        let invite = dave.invite("support", callID: "screen-2", rtpPort: daveAudio.port)
        let ring = try #require(alice.anyRequest("INVITE"), "alice was not rung for call 2")
        let agentSide = try #require(try SessionDescription.parse(ring.body).audio?.port)
        alice.respond(200, to: ring, tag: "second", rtpPort: aliceSecond.port)
        let ok = try #require(dave.finalResponse("screen-2", method: "INVITE"))
        _ = dave.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        let callerSide = try #require(try SessionDescription.parse(ok.body).audio?.port)
        #expect(callerSide == c1.callerSide, "the second call did not get the first call's ports (\(callerSide), \(c1.callerSide))")
        daveAudio.sendTone(1500, to: callerSide)
        #expect(E2E.until(seconds: 10) { aliceSecond.packets.count >= 75 }, "call 2's audio did not flow")
        let tones = RTPParty.tones(aliceSecond.packets, candidates: [1000, 1500])
        #expect(tones.suffix(50).allSatisfy { $0 == 1500 }, "alice hears only dave once he is latched: \(tones.suffix(50))")
        #expect(tones.filter { $0 == 1000 }.count <= 10, "carol's stray stream reached the new call: \(tones.filter { $0 == 1000 }.count) frames")

        // Alice's phone sends a few packets in PCMA (payload type 8), which the SDP did not agree.
        aliceSecond.sendPackets(10, payloadType: 8, to: agentSide)
        #expect(E2E.until(seconds: 5) { daveAudio.packets.contains { $0.payloadType == 8 } }, "relayed untouched")
        _ = (carolAudio.stopSending(), daveAudio.stopSending())
        _ = dave.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        #expect(E2E.until(seconds: 10) { (try? store.all().first { $0.callID == "screen-2" })?.disposition == "answered" })

        engine.stop()
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        let strays = log.split(separator: "\n").filter { $0.contains("dropped RTP from") }
        #expect(strays.count == 1 && strays.first?.contains("screen-2") == true, "one line for the stray stream: \(strays)")
        let codec = log.split(separator: "\n").filter { $0.contains("sent RTP payload type 8") }
        #expect(codec.count == 1 && codec.first?.contains("the agent") == true, "one line for the other codec: \(codec)")
    }
}
