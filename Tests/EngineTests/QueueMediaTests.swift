import CallCenter
import Foundation
import SIP
import Testing
import Media
import YAMLConfig
@testable import Engine
@testable import EngineCore

/// What the core decides a waiting caller hears (`QueueMedia`): answered 183 or 200 on entry
/// with one codec, the music and entry prompt at once, position announcements on their timer
/// (with the wait, Asterisk's way), no 180 or agent early media over it, and at the agent's
/// answer the queue stops and the agent is heard.
@Suite struct QueueMediaTests {
    static func core(_ answer: QueueMedia.Answer, holdTime: QueueMedia.HoldTime = .no, agents: [String] = ["alice"], round: Int = 0) throws -> B2BUA {
        var core = try TestPhones.core(agents: agents)
        var media = QueueMedia()
        media.answer = answer
        media.music = .file("music.wav")
        media.entry = .file("welcome.wav")
        var position = QueueMedia.Position()
        position.every = .seconds(20)
        position.firstAfter = .seconds(5)
        position.holdTime = holdTime
        position.roundSeconds = round
        media.position = position
        core.queueMedia = ["support": media]
        return core
    }

    static func plays(_ out: [B2BUAAction]) -> [MediaPlayback] {
        out.compactMap { if case .playMedia(_, .caller, let p, _) = $0 { p } else { nil } }
    }

    @Test func aCallerWaitingWithEarlyMediaGetsA183WithOneCodecThenMusicEntryAndItsPosition() throws {
        var core = try Self.core(.early)
        let invite = TestPhones.invite(callID: "qm-1", formats: [8, 0])
        let out = core.handle(.received(invite, from: TestPhones.customer), now: .seconds(1))
        let progress = try #require(out.sentResponses(183).first)
        let answer = try SessionDescription.parse(progress.body)
        #expect(answer.audio?.formats == [8], "one codec, the caller's first: the relay plays PCMA")
        #expect(out.sentResponses(200).isEmpty)
        let format = AudioFormat(codec: "PCMA", payloadType: 8)
        #expect(out.contains(.playMedia("qm-1", .caller, .music(.file("music.wav")), format)))
        #expect(Self.plays(out) == [.music(.file("music.wav")), .announce([.file("welcome.wav")])])
        #expect(out.contains(.startTimer(.announcement("qm-1", .position), at: .seconds(6))))

        let said = core.handle(.timerFired(.announcement("qm-1", .position)), now: .seconds(6))
        #expect(Self.plays(said) == [.announce([.word("caller-number"), .word("1")])])
        #expect(said.contains(.startTimer(.announcement("qm-1", .position), at: .seconds(26))))
        // A retransmitted INVITE gets the 183 again.
        let again = core.handle(.received(invite, from: TestPhones.customer), now: .seconds(7))
        #expect(again.sentResponses(183).count == 1)
    }

    @Test func theAgentRingingIsNotHeardAndItsAnswerStopsTheQueueMedia() throws {
        var core = try Self.core(.early)
        _ = core.handle(.received(TestPhones.invite(callID: "qm-2"), from: TestPhones.customer), now: .seconds(1))
        let registered = core.handle(.received(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice), now: .seconds(2))
        let ring = try #require(registered.sentRequests("INVITE").first)
        let offer = try SessionDescription.parse(ring.body)
        #expect(offer.audio?.formats.filter { $0 < 96 } == [0], "the agent is offered only the codec the caller already has")
        let ringing = core.handle(.received(TestPhones.agentResponse(180, to: ring), from: TestPhones.alice), now: .seconds(3))
        #expect(ringing.sentResponses(180).isEmpty, "the caller keeps hearing the queue, not its own ringback")
        let answered = core.handle(.received(TestPhones.agentResponse(200, to: ring), from: TestPhones.alice), now: .seconds(4))
        #expect(answered.contains(.stopMedia("qm-2", .caller)))
        #expect(answered.contains(.cancelTimer(.announcement("qm-2", .position))))
        let ok = try #require(answered.sentResponses(200).first { $0.callID == "qm-2" })
        #expect(try SessionDescription.parse(ok.body).audio?.formats.first == 0)
        // A position timer that was already due does nothing now.
        let late = core.handle(.timerFired(.announcement("qm-2", .position)), now: .seconds(6))
        #expect(Self.plays(late).isEmpty)
    }

    @Test func aQueueThatAnswersOnEntrySendsA200AndNoSecondOneAtTheBridge() throws {
        var core = try Self.core(.queued)
        let out = core.handle(.received(TestPhones.invite(callID: "qm-3"), from: TestPhones.customer), now: .seconds(1))
        #expect(out.sentResponses(200).count == 1 && out.sentResponses(183).isEmpty)
        let registered = core.handle(.received(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice), now: .seconds(2))
        let ring = try #require(registered.sentRequests("INVITE").first)
        let answered = core.handle(.received(TestPhones.agentResponse(200, to: ring), from: TestPhones.alice), now: .seconds(3))
        #expect(answered.contains(.stopMedia("qm-3", .caller)))
        #expect(answered.sentResponses(200).allSatisfy { $0.callID != "qm-3" }, "the caller was answered on entry")
    }

    @Test func thePositionComesWithTheEstimatedWaitLessWhatTheCallerWaited() {
        #expect(SpokenPrompts.number(7) == [.word("7")])
        #expect(SpokenPrompts.number(42) == [.word("40"), .word("2")])
        #expect(SpokenPrompts.number(60) == [.word("60")])
        #expect(SpokenPrompts.number(105) == [.word("1"), .word("0"), .word("5")])
        #expect(SpokenPrompts.wait(seconds: 61, round: 0) == [.word("estimated-wait"), .word("2"), .word("minutes")])
        #expect(SpokenPrompts.wait(seconds: 20, round: 0) == [.word("estimated-wait"), .word("1"), .word("minute")])
        #expect(SpokenPrompts.wait(seconds: 75, round: 30) == [.word("estimated-wait"), .word("1"), .word("minute"), .word("30"), .word("seconds")])
        #expect(SpokenPrompts.wait(seconds: 12, round: 15) == [.word("estimated-wait"), .word("15"), .word("seconds")])
    }

    /// The queue's estimate is its recent hold times (each answer moves it a quarter of the way,
    /// Asterisk's `(3 * old + new) / 4`), and a caller hears it less what it has waited.
    @Test func theEstimatedWaitIsTheQueuesRecentHoldTimeLessWhatTheCallerWaited() throws {
        var core = try Self.core(.early, holdTime: .yes, agents: ["alice", "bob"], round: 15)
        func answerNextRing(_ agent: String, _ phone: Endpoint, at t: Int) throws {
            let out = core.handle(.received(TestPhones.register(agent, from: phone), from: phone), now: .seconds(t))
            let ring = try #require(out.sentRequests("INVITE").first, "\(agent) was not rung")
            _ = core.handle(.received(TestPhones.agentResponse(200, to: ring), from: phone), now: .seconds(t))
        }
        func positionSaid(_ call: String, at t: Int) -> [MediaPlayback] {
            Self.plays(core.handle(.timerFired(.announcement(call, .position)), now: .seconds(t)))
        }
        _ = core.handle(.received(TestPhones.invite(callID: "a"), from: TestPhones.customer), now: .seconds(1))
        _ = core.handle(.received(TestPhones.invite(callID: "b"), from: TestPhones.customer), now: .seconds(50))
        #expect(positionSaid("b", at: 55) == [.announce([.word("caller-number"), .word("2")])], "no estimate before an answer")
        try answerNextRing("alice", TestPhones.alice, at: 61)  // "a" held 60 s: the estimate is 60 s
        #expect(positionSaid("b", at: 62) == [.announce([.word("caller-number"), .word("1")] + SpokenPrompts.wait(seconds: 48, round: 15))])
        try answerNextRing("bob", TestPhones.bob, at: 80)  // "b" held 30 s: (3 * 60 + 30) / 4 = 52.5 s
        _ = core.handle(.received(TestPhones.invite(callID: "c"), from: TestPhones.customer), now: .seconds(90))
        let expected = SpokenPrompts.wait(seconds: 42, round: 15)  // 52.5 s less the 10 s waited
        #expect(expected != SpokenPrompts.wait(seconds: 50, round: 15), "the check tells the average from the last hold time")
        #expect(positionSaid("c", at: 100) == [.announce([.word("caller-number"), .word("1")] + expected)])
        // Waited longer than the estimate: the position alone.
        #expect(positionSaid("c", at: 150) == [.announce([.word("caller-number"), .word("1")])])
    }

    @Test func theRecipeAnnouncementPlaysOverTheMusicOnlyWhenTheCallerHearsTheQueue() throws {
        var core = try Self.core(.early)
        _ = core.handle(.received(TestPhones.invite(callID: "qm-4"), from: TestPhones.customer), now: .seconds(1))
        var out: [B2BUAAction] = []
        core.recipeAnnouncement("qm-4", prompt: "thank-you", into: &out)
        #expect(Self.plays(out) == [.announce([.word("thank-you")])])
        var silent = try TestPhones.core()
        _ = silent.handle(.received(TestPhones.invite(callID: "qm-5"), from: TestPhones.customer), now: .seconds(1))
        var none: [B2BUAAction] = []
        silent.recipeAnnouncement("qm-5", prompt: "thank-you", into: &none)
        #expect(Self.plays(none).isEmpty)
        #expect(none.contains { if case .log(.notice, let t, _) = $0 { t.contains("hears no queue media") } else { false } })
    }

    // MARK: configuration

    func error(_ yaml: String) -> ConfigError? {
        let path = NSTemporaryDirectory() + "engine-config-\(UUID().uuidString).yaml"
        try? yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { _ = try EngineConfig.load(file: path); return nil } catch { return error }
    }

    @Test func aBadPromptIsAConfigurationErrorAtItsLineWithTheFix() throws {
        let dir = NSTemporaryDirectory() + "qm-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let samples = [Int16](repeating: 100, count: 800)
        FileManager.default.createFile(atPath: dir + "/wide.wav", contents: Data(WAVFile(sampleRate: 44100, samples: samples).bytes))
        FileManager.default.createFile(atPath: dir + "/ok.wav", contents: Data(WAVFile(samples: samples).bytes))
        let wide = error("queues:\n  - name: support\n    media:\n      music: \(dir)/ok.wav\n      entry: \(dir)/wide.wav\n")
        #expect(wide?.line == 5 && wide?.problem.contains("44100 Hz") == true && wide?.problem.contains("sox") == true, "\(String(describing: wide))")
        let missing = error("queues:\n  - name: support\n    media: {music: \(dir)/none.wav}\n")
        #expect(missing?.line == 3 && missing?.problem.contains("cannot read") == true, "\(String(describing: missing))")
        let silent = error("queues:\n  - name: support\n    media:\n      answer: agent\n      music: \(dir)/ok.wav\n")
        #expect(silent?.line == 4 && silent?.problem.contains("would never be heard") == true, "\(String(describing: silent))")
        let noWord = error("media: {prompts: \(dir)}\nqueues:\n  - name: support\n    media:\n      position: {every: 30s}\n")
        #expect(noWord?.line == 5 && noWord?.problem.contains("has no 0.wav") == true, "\(String(describing: noWord))")
        let good = try EngineConfig.load(file: {
            let p = dir + "/good.yaml"
            try "queues:\n  - name: support\n    media: {answer: queued, music: \(dir)/ok.wav, position: {every: 30s, holdtime: once}}\n"
                .write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }())
        #expect(good.queueMedia["support"]?.answer == .queued && good.queueMedia["support"]?.position?.holdTime == .once)
        #expect(good.prompts[.word("caller-number")] != nil, "the shipped prompt set is found for the words")
    }

    @Test func aMenuOptionIntoAVoicemailNeedsAQueueWithABox() throws {
        let dir = NSTemporaryDirectory() + "qm-menu-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/ok.wav", contents: Data(WAVFile(samples: [Int16](repeating: 100, count: 800)).bytes))
        let menu = "menus:\n  - name: main\n    prompt: \(dir)/ok.wav\n    options: {\"1\": {voicemail: support}}\n"
        let noBox = error("queues:\n  - name: support\n" + menu)
        #expect(noBox?.line == 4 && noBox?.problem.contains("has no voicemail box") == true && noBox?.fix?.contains("queues[].media.voicemail") == true,
                "\(String(describing: noBox))")
        let path = dir + "/good.yaml"
        try ("queues:\n  - name: support\n    media: {voicemail: {greeting: \(dir)/ok.wav}}\n" + menu).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try EngineConfig.load(file: path).menus.first?.options["1"] == .voicemail("support"))
    }

    /// Checked at start: the range must hold every agent on a call (two legs each) and a caller.
    @Test func aRangeTooSmallForTheAgentsIsRefusedAtItsLine() {
        let small = error("media: {rtp_ports: 20000-20007}\nqueues: [{name: support}]\nagents: [{login: a1}, {login: a2}]\nsip: {require_auth: false}\n")
        #expect(small?.line == 1 && small?.problem.contains("holds 4 call legs") == true && small?.fix?.contains("at least 10 ports") == true,
                "\(String(describing: small))")
        #expect(error("media: {rtp_ports: 20000-20009}\nqueues: [{name: support}]\nagents: [{login: a1}, {login: a2}]\nsip: {require_auth: false}\n") == nil)
    }
}
