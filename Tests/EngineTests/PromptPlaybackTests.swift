import Foundation
import Testing
@testable import Media

/// The pieces the relay plays with: WAV prompts (read, refused with the fix), the leg player's
/// frames (announcements over looped music), and the one RTP stream a played-to phone hears.
@Suite struct PromptPlaybackTests {
    static func tone(_ hz: Double, seconds: Double) -> [Int16] {
        (0..<Int(seconds * 8000)).map { Int16(sin(2 * Double.pi * hz * Double($0) / 8000) * 8000) }
    }

    @Test(arguments: [WAVFile.Encoding.linear16, .muLaw, .aLaw])
    func aWAVFileRoundTripsInEachEncoding(encoding: WAVFile.Encoding) throws {
        let samples = Self.tone(1000, seconds: 0.5)
        let back = try WAVFile.parse(WAVFile(encoding: encoding, samples: samples).bytes, name: "t.wav")
        #expect(back.encoding == encoding && back.channels == 1 && back.sampleRate == 8000 && back.samples.count == 4000)
        #expect(abs(back.duration - 0.5) < 0.001)
        var d = ToneDetector(frequencies: [500, 1000, 2000])
        d.add(linear: back.samples)
        #expect(d.dominantFrequency == 1000)
    }

    @Test func theShippedPromptsAreTelephoneWAV() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Prompts").standardizedFileURL.path
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".wav") }
        #expect(names.count >= 35)
        for name in ["caller-number", "estimated-wait", "minutes", "seconds", "music", "beep", "welcome", "voicemail-greeting", "invalid-option", "20", "90"] {
            let clip = try AudioClip(prompt: "\(dir)/\(name).wav")
            #expect(clip.duration > 0.2, "\(name) is \(clip.duration) s")
        }
    }

    @Test func aPromptOfTheWrongRateChannelsOrEncodingIsRefusedWithTheFix() throws {
        let dir = NSTemporaryDirectory() + "prompts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func refusal(_ bytes: [UInt8]) -> String {
            let path = dir + "/p.wav"
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do { _ = try WAVFile.readPrompt(path); return "" } catch { return error.description }
        }
        let wide = refusal(WAVFile(sampleRate: 16000, samples: Self.tone(440, seconds: 0.1)).bytes)
        #expect(wide.contains("16000 Hz") && wide.contains("sox IN.wav -r 8000 -c 1"), "\(wide)")
        let stereo = refusal(WAVFile(channels: 2, samples: Self.tone(440, seconds: 0.1)).bytes)
        #expect(stereo.contains("2 channel(s)"), "\(stereo)")
        var eightBit = WAVFile(encoding: .muLaw, samples: Self.tone(440, seconds: 0.1)).bytes
        eightBit[20] = 1  // format tag PCM with 8 bits
        #expect(refusal(eightBit).contains("format 1 with 8 bits"))
        #expect(refusal(Array("not a wav at all".utf8)).contains("not a WAV file"))
        #expect(refusal(WAVFile(samples: []).bytes).contains("no audio"))
    }

    @Test func announcementsPlayInOrderOverTheMusicWhichGoesOnWhereItPaused() {
        let music = AudioClip(name: "music", samples: Self.tone(440, seconds: 1))
        let hello = AudioClip(name: "hello", samples: Self.tone(1000, seconds: 0.05))  // 400 samples: 2.5 frames
        let bye = AudioClip(name: "bye", samples: Self.tone(2000, seconds: 0.02))
        var player = LegPlayer(law: .muLaw, payloadType: 0)
        player.setMusic(music)
        let frame = UnsafeMutablePointer<UInt8>.allocate(capacity: 160)
        defer { frame.deallocate() }
        func next() -> (hz: Double?, finished: Int, bytes: [UInt8]) {
            let done = player.nextFrame(into: frame)
            let bytes = Array(UnsafeBufferPointer(start: frame, count: 160))
            var d = ToneDetector(frequencies: [440, 1000, 2000])
            d.add(bytes, law: .muLaw)
            return (bytes.allSatisfy { $0 == G711.Law.muLaw.silence } ? nil : d.dominantFrequency, done.count, bytes)
        }
        let first = next()
        #expect(first.hz == 440)
        let finished = Counter()
        player.announce([hello, bye], finished: { finished.add() })
        #expect(next().hz == 1000)
        #expect(next().hz == 1000)
        let padded = next()  // the last half frame of hello, then silence: bye starts on a frame
        #expect(padded.hz == 1000 && padded.bytes.suffix(80).allSatisfy { $0 == G711.Law.muLaw.silence })
        let done = player.nextFrame(into: frame)
        var d = ToneDetector(frequencies: [440, 1000, 2000])
        d.add(Array(UnsafeBufferPointer(start: frame, count: 160)), law: .muLaw)
        #expect(d.dominantFrequency == 2000 && done.count == 1, "the callback comes with the last frame")
        done.forEach { $0() }
        #expect(finished.value == 1)
        // The music resumes where it paused: its second frame.
        #expect(next().bytes == Array(music.muLaw[160..<320]))
        #expect(!player.isIdle)
        player.setMusic(nil)
        #expect(player.isIdle)
    }

    @Test func relayedPacketsContinueThePlayedStreamWithOneSSRCAndAMarker() {
        var stream = OutboundStream(ssrc: 0xCAFE_F00D, sequence: 65534, timestamp: 1000)
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 172)
        defer { p.deallocate() }
        func header() -> (seq: UInt16, ts: UInt32, ssrc: UInt32, marker: Bool) {
            (OutboundStream.get16(p + 2), OutboundStream.get32(p + 4), OutboundStream.get32(p + 8), p[1] & 0x80 != 0)
        }
        stream.writeHeader(into: p, payloadType: 0, now: 10.0, marker: true)
        #expect(header() == (65534, 1000, 0xCAFE_F00D, true))
        stream.writeHeader(into: p, payloadType: 0, now: 10.02, marker: false)
        #expect(header() == (65535, 1160, 0xCAFE_F00D, false))
        // The agent's packets (their own SSRC, numbers, clock) 100 ms later: renumbered on.
        func agent(_ seq: UInt16, _ ts: UInt32) {
            p[0] = 0x80; p[1] = 0
            OutboundStream.put16(p + 2, seq); OutboundStream.put32(p + 4, ts); OutboundStream.put32(p + 8, 0x1234_5678)
        }
        agent(500, 90_000)
        stream.renumber(p, length: 172, now: 10.12)
        #expect(header() == (0, 1160 + 800, 0xCAFE_F00D, true), "sequence wraps on, the timeline follows the 100 ms")
        agent(501, 90_160)
        stream.renumber(p, length: 172, now: 10.14)
        #expect(header() == (1, 1160 + 960, 0xCAFE_F00D, false))
        // Back to a prompt: the next number, a new talkspurt.
        stream.writeHeader(into: p, payloadType: 0, now: 10.16, marker: false)
        #expect(header().seq == 2 && header().marker && header().ts == 1160 + 1120)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
