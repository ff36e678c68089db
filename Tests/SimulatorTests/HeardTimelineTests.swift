import Engine
import Foundation
@testable import Media
import Testing
@testable import Simulator

/// What a caller heard, told from its received frames: the relay's own player (`LegPlayer`)
/// plays a queue's entry prompt, music and position announcements; the frames, as a phone
/// receives them, become a timeline of the configuration's prompts, which `queue_media_heard`
/// judges against the queue's settings.
@Suite struct HeardTimelineTests {
    static func tone(_ hz: Double, _ seconds: Double, _ name: String) -> AudioClip {
        AudioClip(name: name, samples: (0..<Int(seconds * 8000)).map { Int16(sin(2 * Double.pi * hz * Double($0) / 8000) * 8000) })
    }

    static let music = MediaPrompt.file("/prompts/music.wav"), entry = MediaPrompt.file("/prompts/entry.wav"), periodic = MediaPrompt.file("/prompts/periodic.wav")
    // Music of 1.01 s: not a whole number of frames, so frames after a loop start mid-frame.
    static let clips: [MediaPrompt: AudioClip] = [
        music: tone(440, 1.01, "music"), entry: tone(1000, 0.5, "entry"), periodic: tone(900, 0.5, "periodic"),
        .word("caller-number"): tone(1800, 0.4, "caller-number"), .word("1"): tone(1200, 0.3, "1"),
        .word("2"): tone(1600, 0.3, "2"), .word("3"): tone(2600, 0.3, "3"), .word("4"): tone(2600, 0.3, "4"),
    ]
    static let catalog = PromptCatalog(prompts: clips, music: [music])

    static func media(every: Double = 2, firstAfter: Double = 1) -> QueueMedia {
        var m = QueueMedia()
        m.answer = .early
        m.music = music
        m.entry = entry
        var p = QueueMedia.Position()
        p.every = .milliseconds(Int(every * 1000))
        p.firstAfter = .milliseconds(Int(firstAfter * 1000))
        m.position = p
        return m
    }

    /// "Caller number 2" at 1 s, "caller number 1" at 3 s (by frame number).
    static let positions: [Int: [MediaPrompt]] = [50: [.word("caller-number"), .word("2")], 150: [.word("caller-number"), .word("1")]]

    /// Plays what the engine plays to a waiting caller for `seconds` (entry and music at once,
    /// then `plays`) and returns what the caller heard; `alter` may change a frame on its way
    /// (frame number, payload).
    static func listen(seconds: Double = 4, plays: [Int: [MediaPrompt]] = positions, alter: (Int, inout [UInt8]) -> Bool = { _, _ in true }) -> [HeardSegment] {
        var player = LegPlayer(law: .muLaw, payloadType: 0)
        player.setMusic(clips[music])
        player.announce([clips[entry]!], finished: nil)
        var timeline = HeardTimeline()
        var frame = [UInt8](repeating: 0, count: 160)
        for n in 0..<Int(seconds / 0.02) {
            if let prompts = plays[n] { player.announce(prompts.compactMap { clips[$0] }, finished: nil) }
            frame.withUnsafeMutableBufferPointer { _ = player.nextFrame(into: $0.baseAddress!) }
            var received = frame
            if alter(n, &received) { timeline.add(received, law: .muLaw, at: Double(n) * 0.02, catalog: catalog) }
        }
        return timeline.segments
    }

    @Test func theFramesAPhoneReceivesBecomeTheQueuesPromptsInOrder() {
        let heard = Self.listen()
        #expect(heard.map(\.what) == ["/prompts/entry.wav", "/prompts/music.wav", "caller-number", "2", "/prompts/music.wav", "caller-number", "1", "/prompts/music.wav"], "\(heard)")
        #expect(abs(heard[2].at - 1.0) < 0.03 && abs(heard[5].at - 3.0) < 0.03, "\(heard)")
        #expect(QueueMediaHeard.problems(heard: heard, media: Self.media(), waitEnd: 4, ahead: { _ in 1 }) == [])
    }

    @Test func aLostPacketDoesNotSplitTheMusic() {
        let heard = Self.listen(alter: { n, _ in n != 120 })
        #expect(heard.filter { $0.is("/prompts/music.wav") }.count == 3, "\(heard)")
    }

    @Test func announcementsAtOtherTimesOrMissingOrWrongNumbersFail() {
        let heard = Self.listen()
        let shifted = QueueMediaHeard.problems(heard: heard, media: Self.media(every: 1.2), waitEnd: 4, ahead: { _ in 1 })
        #expect(shifted.contains("position due at 2.2 s not heard") && shifted.contains("position heard at 3 s, not at a configured time"), "\(shifted)")
        // The first announcement's frames never arrive.
        let silence = [UInt8](repeating: G711.Law.muLaw.silence, count: 160)
        let missing = Self.listen(alter: { n, p in if (50..<85).contains(n) { p = silence }; return true })
        #expect(QueueMediaHeard.problems(heard: missing, media: Self.media(), waitEnd: 4, ahead: { _ in 1 }).contains("position due at 1 s not heard"))
        // Position 2 said with nobody ahead.
        #expect(QueueMediaHeard.problems(heard: heard, media: Self.media(), waitEnd: 4, ahead: { _ in 0 }).contains { $0.hasPrefix("position 2 said at 1 s (due at 1 s)") })
    }

    @Test func soundThatIsNoneOfThePromptsIsReported() {
        let other = Self.tone(700, 0.5, "other").muLaw
        let heard = Self.listen(alter: { n, p in
            if (100..<125).contains(n) { p = Array(other[(n - 100) * 160..<(n - 99) * 160]) }
            return true
        })
        #expect(heard.contains { $0.what == HeardSegment.unknown }, "\(heard)")
        #expect(QueueMediaHeard.problems(heard: heard, media: Self.media(), waitEnd: 4, ahead: { _ in 1 }).contains { $0.contains("none of the queue's prompts") })
    }

    @Test func periodicAnnouncementsAreJudgedAtTheirTimes() {
        var media = QueueMedia()
        media.answer = .early
        media.music = Self.music
        var p = QueueMedia.Periodic(prompt: Self.periodic)
        p.every = .milliseconds(1500)
        p.firstAfter = .milliseconds(1500)
        media.periodic = p
        let heard = Self.listen(plays: [75: [Self.periodic], 150: [Self.periodic]], alter: { n, _ in n >= 25 })  // no entry prompt here
        #expect(heard.filter { $0.is("/prompts/periodic.wav") }.map { ($0.at * 100).rounded() } == [150, 300], "\(heard)")
        #expect(QueueMediaHeard.problems(heard: heard, media: media, waitEnd: 4, ahead: { _ in 0 }) == [])
        p.firstAfter = .milliseconds(800)
        media.periodic = p
        let early = QueueMediaHeard.problems(heard: heard, media: media, waitEnd: 4, ahead: { _ in 0 })
        #expect(early.contains("periodic announcement due at 0.8 s not heard") && early.contains("periodic announcement heard at 1.5 s, not at a configured time"), "\(early)")
    }
}
