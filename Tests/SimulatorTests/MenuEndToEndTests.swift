import Foundation
import Media
import SIP
import Testing
@testable import Engine
import EngineCore
@testable import Simulator

/// IVR menus end to end: the caller is answered, hears the menu's prompt (a tone, decoded from
/// what it received), presses keys the RFC 4733 way through the relay (a hand-made phone, and
/// SIPp playing Debian's `dtmf_2833_1.pcap`) or by SIP INFO; an invalid key plays the invalid
/// prompt and the menu again; the option's skills route the call to the one agent who has them;
/// the path is saved.
@Suite(.serialized) struct MenuEndToEndTests {
    static let menuTone = 1400.0, invalidTone = 900.0, greetingTone = 700.0

    static func start(_ name: String, rtp: ClosedRange<Int>) throws -> (EngineProcess, Int, String) {
        let port = E2E.freeUDPAndTCPPort()
        let dir = E2E.tempDirectory(name)
        try QueueMediaEndToEndTests.tone(menuTone, seconds: 0.5, to: dir + "/menu.wav")
        try QueueMediaEndToEndTests.tone(invalidTone, seconds: 0.4, to: dir + "/invalid.wav")
        try QueueMediaEndToEndTests.tone(greetingTone, seconds: 0.4, to: dir + "/greeting.wav")
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: \(rtp.lowerBound)-\(rtp.upperBound)}
            routing: {ring_timeout: 10s, wrap_up: 0s}
            queues:
              - {name: support, media: {voicemail: {greeting: \(dir)/greeting.wav, max: 20s}}}
              - {name: sales}
            agents:
              - {login: alice, skills: [english]}
              - {login: bob, skills: [spanish]}
            menus:
              - name: main
                prompt: \(dir)/menu.wav
                invalid: \(dir)/invalid.wav
                timeout: 3s
                retries: 2
                options:
                  "1": {queue: support}
                  "2": {queue: sales, skills: [spanish], priority: 2}
                  "8": {voicemail: support}
                  "9": hangup
                  "3": {menu: loop}
              - name: loop
                prompt: \(dir)/menu.wav
                timeout: 3s
                options:
                  "3": {menu: main}
            numbers:
              - {number: "+4930123456", to: main}
              - {number: "0800", to: sales}
            """, directory: dir, sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        ShutdownAndRestartTests.waitForLog(engine, "ccengine listening")
        return (engine, port, dir)
    }

    static func heard(_ party: RTPParty, _ hz: Double) -> Int {
        RTPParty.tones(party.packets, candidates: [menuTone, invalidTone, 2000]).filter { $0 == hz }.count
    }

    /// A DID (`numbers:`) leads to its menu or queue: the caller of +4930123456 hears the main
    /// menu's prompt; the caller of 0800 waits in sales and rings an agent; the rows name the queue.
    @Test func aNumberLeadsToItsMenuOrItsQueue() throws {
        let (engine, port, _) = try Self.start("menu-numbers", rtp: 31300...31399)
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        let audio = RTPParty()
        defer { audio.stop() }
        let carol = RawPhone("carol", engine: port)
        let invite = carol.invite("+4930123456", callID: "did-menu", rtpPort: audio.port)
        let ok = try #require(carol.finalResponse("did-menu", method: "INVITE"), "the number's menu answers the caller")
        #expect(ok.status == 200)
        _ = carol.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        #expect(E2E.until(seconds: 5) { Self.heard(audio, Self.menuTone) >= 10 }, "the main menu's prompt was not heard")
        _ = carol.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        #expect(carol.finalResponse("did-menu", method: "BYE")?.status == 200)

        let dave = RawPhone("dave", engine: port)
        let (call, answered) = try ShutdownAndRestartTests.bridge(dave, alice, callID: "did-queue", queue: "0800")
        _ = dave.inDialog("BYE", invite: call, answer: answered, cseq: 2)
        if let bye = alice.anyRequest("BYE") { alice.respond(200, to: bye) }
        #expect(dave.finalResponse("did-queue", method: "BYE")?.status == 200)
        let rows = try ShutdownAndRestartTests.rows(engine)
        #expect(rows.first { $0.callID == "did-queue" }?.queue == "sales")
        #expect(rows.first { $0.callID == "did-menu" }?.queue == "main")
    }

    /// Bad media from a caller in a menu is harmless and logged once: RTP in a codec the SDP did
    /// not agree (PCMA against PCMU), then a flood of 70 keys between two menus that lead to each
    /// other. The keys stop counting at the cap, 64 (the path ends with "…"), the caller is still
    /// answered and hears the menu, and the engine keeps answering.
    @Test func anotherCodecAndAFloodOfKeysInAMenuAreHarmlessAndLoggedOnce() throws {
        let (engine, port, dir) = try Self.start("menu-flood", rtp: 33200...33299)
        defer { engine.stop() }
        let audio = RTPParty()
        defer { audio.stop() }
        let carol = RawPhone("carol", engine: port)
        let invite = carol.invite("main", callID: "ivr-flood", rtpPort: audio.port)
        let ok = try #require(carol.finalResponse("ivr-flood", method: "INVITE"))
        _ = carol.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        let relay = try #require(try SessionDescription.parse(ok.body).audio)
        #expect(E2E.until(seconds: 5) { Self.heard(audio, Self.menuTone) >= 10 }, "the menu's prompt was not heard")
        audio.sendPackets(25, payloadType: 8, to: relay.port)
        for _ in 0..<70 { audio.sendDigit("3", to: relay.port) }
        let before = Self.heard(audio, Self.menuTone)
        #expect(E2E.until(seconds: 5) { Self.heard(audio, Self.menuTone) >= before + 10 }, "the caller no longer hears the menu")
        #expect(FloodEndToEndTests.answersOptions(RawUDP(), port: port, tries: 20))
        _ = carol.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        #expect(carol.finalResponse("ivr-flood", method: "BYE")?.status == 200)

        let store = try CallRecordStore(directory: dir + "/engine-state")
        #expect(E2E.until(seconds: 5) { (try? store.menuPath(of: "ivr-flood")) != nil })
        let path = try #require(try store.menuPath(of: "ivr-flood"))
        let keys = path.split(separator: " ").filter { $0 == "3" }.count
        #expect(path.hasSuffix("…") && keys == 64, "\(keys) keys in the path: \(path)")
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.components(separatedBy: "further keys are ignored").count == 2, "the key cap is logged once")
        #expect(log.components(separatedBy: "sent RTP payload type 8").count == 2, "the other codec is logged once")
    }

    @Test func keysThroughTheRelayChooseTheBranchAndItsSkillsChooseTheAgent() throws {
        let (engine, port, dir) = try Self.start("menu", rtp: 29700...29799)
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port), bob = RawPhone("bob", engine: port)
        #expect(alice.register() && bob.register())
        let audio = RTPParty()
        defer { audio.stop() }
        let carol = RawPhone("carol", engine: port)
        let invite = carol.invite("main", callID: "ivr-1", rtpPort: audio.port)
        let ok = try #require(carol.finalResponse("ivr-1", method: "INVITE"), "a menu answers the caller")
        #expect(ok.status == 200)
        _ = carol.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        let relay = try #require(try SessionDescription.parse(ok.body).audio)
        #expect(relay.telephoneEvent == 101, "telephone-event kept in the answer")
        #expect(E2E.until(seconds: 5) { Self.heard(audio, Self.menuTone) >= 10 }, "the menu's prompt was not heard")

        // A key with no option: the invalid prompt, then the menu again.
        let before = Self.heard(audio, Self.menuTone)
        audio.sendDigit("7", to: relay.port)
        #expect(E2E.until(seconds: 5) { Self.heard(audio, Self.invalidTone) >= 10 && Self.heard(audio, Self.menuTone) >= before + 10 },
                "invalid prompt then the menu again")
        // "2": sales with the spanish skill: only bob has it.
        audio.sendDigit("2", to: relay.port)
        let ring = try #require(bob.anyRequest("INVITE"), "bob (spanish) was not rung")
        #expect(alice.receive(timeout: 0.5) { $0.method == "INVITE" } == nil, "alice has no spanish")
        bob.respond(200, to: ring)
        _ = bob.request("ACK", ring.callID)
        _ = carol.inDialog("BYE", invite: invite, answer: ok, cseq: 2)
        if let bye = bob.anyRequest("BYE") { bob.respond(200, to: bye) }

        let store = try CallRecordStore(directory: dir + "/engine-state")
        #expect(E2E.until(seconds: 5) { (try? store.menuPath(of: "ivr-1")) == "main 7 2" }, "path \(String(describing: try? store.menuPath(of: "ivr-1")))")
        #expect(E2E.until(seconds: 5) { (try? store.all().first { $0.callID == "ivr-1" })?.disposition == "answered" })
        let row = try #require(try store.all().first { $0.callID == "ivr-1" })
        #expect(row.queue == "sales" && row.agent == "bob")
    }

    @Test func anINFOKeyAndATimeoutFollowTheConfiguration() throws {
        let (engine, port, dir) = try Self.start("menu-info", rtp: 29800...29899)
        defer { engine.stop() }
        let audio = RTPParty()
        defer { audio.stop() }
        // SIP INFO "9": hangup; the caller gets our BYE.
        let carol = RawPhone("carol", engine: port)
        let invite = carol.invite("main", callID: "ivr-2", rtpPort: audio.port)
        let ok = try #require(carol.finalResponse("ivr-2", method: "INVITE"))
        _ = carol.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        var info = carol.inDialog("INFO", invite: invite, answer: ok, cseq: 2)
        info.contentType = "application/dtmf-relay"
        info.body = Array("Signal=9\r\nDuration=160\r\n".utf8)
        info.via = [carol.via()]
        carol.send(info)
        #expect(carol.receive { $0.method == "BYE" && $0.callID == "ivr-2" } != nil, "hangup option: the engine hangs up")

        // No key at all: the prompt again after each timeout (2 retries), then hangup.
        let dave = RawPhone("dave", engine: port)
        let daveAudio = RTPParty()
        defer { daveAudio.stop() }
        let davesInvite = dave.invite("main", callID: "ivr-3", rtpPort: daveAudio.port)
        let davesOk = try #require(dave.finalResponse("ivr-3", method: "INVITE"))
        _ = dave.inDialog("ACK", invite: davesInvite, answer: davesOk, cseq: 1)
        #expect(dave.receive(timeout: 20) { $0.method == "BYE" && $0.callID == "ivr-3" } != nil, "hung up after the retries")
        // Between prompts the relay sends nothing (silence suppressed): a prompt is a run of
        // packets without a gap over 100 ms.
        let packets = daveAudio.packets
        let prompts = RTPParty.tones(packets, candidates: [Self.menuTone, Self.invalidTone])
        var runs = 0
        for i in prompts.indices where prompts[i] == Self.menuTone && (i == 0 || packets[i].arrival - packets[i - 1].arrival > 0.1) { runs += 1 }
        #expect(runs == 3, "the prompt three times (once and two retries): \(runs)")
        #expect(!prompts.contains(Self.invalidTone), "a timeout is not an invalid key")

        let store = try CallRecordStore(directory: dir + "/engine-state")
        #expect(E2E.until(seconds: 5) { (try? store.menuPath(of: "ivr-2")) == "main 9" })
        #expect(E2E.until(seconds: 5) { (try? store.all().first { $0.callID == "ivr-3" })?.disposition == "failed" })
    }

    @Test func sippPlayingARecordedRFC4733KeyChoosesTheBranch() throws {
        guard let sipp = E2E.which("sipp") else {
            Issue.record("sipp is not installed: run `make test`, which installs sip-tester")
            return
        }
        let pcap = "/usr/share/sip-tester/dtmf_2833_1.pcap"
        try #require(FileManager.default.fileExists(atPath: pcap), "\(pcap) comes with sip-tester")
        let (engine, port, dir) = try Self.start("menu-sipp", rtp: 29900...29999)
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        try Self.uacXML.write(toFile: dir + "/uac.xml", atomically: true, encoding: .utf8)
        let media = RawUDP().port
        let phone = try E2E.background(sipp, ["127.0.0.1:\(port)", "-sf", "uac.xml", "-s", "main", "-i", "127.0.0.1", "-p", "\(RawUDP().port)",
                                              "-mi", "127.0.0.1", "-mp", "\(media)", "-cid_str", "sipp-ivr-%u", "-m", "1", "-nostdin", "-timeout", "30s"], cwd: dir)
        defer { E2E.stop(phone) }
        let ring = try #require(alice.anyRequest("INVITE", timeout: 15), "key 1 (support) did not ring alice")
        alice.respond(200, to: ring)
        _ = alice.request("ACK", ring.callID)
        if let bye = alice.anyRequest("BYE", timeout: 15) { alice.respond(200, to: bye) }
        let store = try CallRecordStore(directory: dir + "/engine-state")
        #expect(E2E.until(seconds: 5) { (try? store.menuPath(of: "sipp-ivr-1"))?.hasPrefix("main 1") == true },
                "path \(String(describing: try? store.menuPath(of: "sipp-ivr-1")))")
    }

    @Test func baresipPressingAKeyChoosesTheBranch() throws {
        guard let baresip = E2E.which("baresip") else {
            Issue.record("baresip is not installed: run `make test`, which installs baresip-core")
            return
        }
        let (engine, port, dir) = try Self.start("menu-baresip", rtp: 30400...30499)
        defer { engine.stop() }
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        // baresip as the caller, driven through its UDP console (cons module: `/dial`, then a key).
        let phoneDir = dir + "/baresip", console = RawUDP().port
        try FileManager.default.createDirectory(atPath: phoneDir, withIntermediateDirectories: true)
        try """
            sip_listen 127.0.0.1:\(E2E.freeUDPAndTCPPort())
            net_interface 127.0.0.1
            dns_server 127.0.0.1:53
            rtp_ports 30200-30299
            module_path /usr/lib/baresip/modules
            module g711.so
            module ausine.so
            module cons.so
            module menu.so
            module_app account.so
            audio_source ausine,1240
            ausrc_srate 48000
            ausrc_channels 2
            cons_listen 127.0.0.1:\(console)
            """.write(toFile: phoneDir + "/config", atomically: true, encoding: .utf8)
        try "<sip:carol@127.0.0.1:\(port)>;regint=0;audio_codecs=PCMU\n".write(toFile: phoneDir + "/accounts", atomically: true, encoding: .utf8)
        let phoneLog = dir + "/baresip.log"
        let phone = try BaresipInteropTests.start(baresip, config: phoneDir, log: phoneLog, seconds: 60)
        defer { E2E.stop(phone) }
        func phoneSays(_ text: String) -> Bool { ((try? String(contentsOfFile: phoneLog, encoding: .utf8)) ?? "").contains(text) }
        #expect(E2E.until(seconds: 10) { phoneSays("baresip is ready") })
        let control = RawUDP()
        control.send("/dial sip:main@127.0.0.1:\(port)\n", toPort: console)
        #expect(E2E.until(seconds: 10) { phoneSays("Call established") }, "baresip's call to the menu was not answered")
        #expect(E2E.until(seconds: 10) { ((try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? "").contains("caller in menu main") })
        control.send("1", toPort: console)
        let ring = try #require(alice.anyRequest("INVITE", timeout: 15), "baresip's key 1 did not put the call through to alice")
        #expect(ring.header("X-CC-Queue").map { $0 == "support" } ?? true)
        alice.respond(200, to: ring)
        _ = alice.request("ACK", ring.callID)
        let store = try CallRecordStore(directory: dir + "/engine-state")
        #expect(E2E.until(seconds: 5) { (try? store.all().first { $0.queue == "main" || $0.queue == "support" }).map { (try? store.menuPath(of: $0.callID)) == "main 1" } ?? false },
                "baresip's path through the menu")
    }

    static let uacXML = """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="caller presses 1 (RFC 4733 from a pcap) in the main menu">
          <send retrans="500"><![CDATA[
        INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
        To: <sip:[service]@[remote_ip]:[remote_port]>
        Call-ID: [call_id]
        CSeq: 1 INVITE
        Contact: <sip:sipp@[local_ip]:[local_port]>
        Max-Forwards: 70
        Content-Type: application/sdp
        Content-Length: [len]

        v=0
        o=- 1 1 IN IP[local_ip_type] [local_ip]
        s=-
        c=IN IP[media_ip_type] [media_ip]
        t=0 0
        m=audio [media_port] RTP/AVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        ]]></send>
          <recv response="100" optional="true"/>
          <recv response="200" rtd="true"/>
          <send><![CDATA[
        ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
        To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
        Call-ID: [call_id]
        CSeq: 1 ACK
        Max-Forwards: 70
        Content-Length: 0

        ]]></send>
          <nop><action><exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_1.pcap"/></action></nop>
          <pause milliseconds="4000"/>
          <send retrans="500"><![CDATA[
        BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
        To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
        Call-ID: [call_id]
        CSeq: 2 BYE
        Max-Forwards: 70
        Content-Length: 0

        ]]></send>
          <recv response="200"/>
        </scenario>
        """

    /// A menu option into a queue's voicemail box: the greeting and the beep, the caller's message
    /// (a tone) until `#`, a `voicemails` row for that queue and the call recorded `voicemail`
    /// there, with its path through the menu.
    @Test func aKeyLeadsToTheVoicemailOfAQueue() throws {
        let (engine, port, dir) = try Self.start("menu-voicemail", rtp: 30600...30699)
        defer { engine.stop() }
        let audio = RTPParty()
        defer { audio.stop() }
        let carol = RawPhone("carol", engine: port)
        let invite = carol.invite("main", callID: "ivr-vm", rtpPort: audio.port)
        let ok = try #require(carol.finalResponse("ivr-vm", method: "INVITE"), "a menu answers the caller")
        _ = carol.inDialog("ACK", invite: invite, answer: ok, cseq: 1)
        let relay = try #require(try SessionDescription.parse(ok.body).audio)
        #expect(E2E.until(seconds: 5) { Self.heard(audio, Self.menuTone) >= 10 }, "the menu's prompt was not heard")
        audio.sendDigit("8", to: relay.port)
        let tones = [Self.menuTone, Self.greetingTone, 1000.0]
        func count(_ hz: Double) -> Int { RTPParty.tones(audio.packets, candidates: tones).filter { $0 == hz }.count }
        #expect(E2E.until(seconds: 10) { count(Self.greetingTone) >= 15 && count(1000) >= 10 }, "the greeting and the beep were not heard")
        _ = E2E.until(seconds: 5) { (audio.packets.last?.arrival).map { Date().timeIntervalSince1970 - $0 > 0.1 } ?? false }
        audio.sendTone(1500, to: relay.port)
        _ = E2E.until(seconds: 5) { audio.stopSendingIfSent(50) != nil }
        _ = audio.stopSending()
        audio.sendDigit("#", to: relay.port)
        let bye = try #require(carol.receive { $0.method == "BYE" && $0.callID == "ivr-vm" }, "# ends the message")
        carol.send(bye.response(200))

        let store = try CallRecordStore(directory: dir + "/engine-state")
        #expect(E2E.until(seconds: 10) { (try? store.voicemail(of: "ivr-vm")) != nil }, "no voicemails row")
        let row = try #require(try store.voicemail(of: "ivr-vm"))
        #expect(row.queue == "support" && row.status == "ok" && row.seconds >= 0.8, "\(row)")
        let record = try #require(try store.all().first { $0.callID == "ivr-vm" })
        #expect(record.disposition == "voicemail" && record.queue == "support" && record.originalQueue == "main", "\(record)")
        #expect(try store.menuPath(of: "ivr-vm") == "main 8")
    }
}
