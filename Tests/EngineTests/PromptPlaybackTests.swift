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

/// The relay's recorder: each side placed by its RTP timestamps from the arrival of its first
/// packet, a lost packet left as silence, other payload types left out, the maximum kept.
@Suite struct CallRecorderTests {
    static func packet(pt: UInt8 = 0, seq: UInt16, ts: UInt32, ssrc: UInt32 = 7, byte: UInt8) -> [UInt8] {
        [0x80, pt, UInt8(seq >> 8), UInt8(seq & 0xFF), UInt8(ts >> 24), UInt8(ts >> 16 & 0xFF), UInt8(ts >> 8 & 0xFF), UInt8(ts & 0xFF),
         0, 0, 0, UInt8(ssrc)] + [UInt8](repeating: byte, count: 160)
    }

    @Test func sidesArePlacedByTimestampAndALostPacketIsSilence() {
        let r = CallRecorder(startedAt: 100, maxSeconds: 1)
        // The caller's first packet 40 ms after the start; its second packet is lost.
        Self.packet(seq: 1, ts: 5000, byte: 0x80).withUnsafeBytes { r.add(side: 0, $0, at: 100.04) }
        Self.packet(seq: 3, ts: 5320, byte: 0x80).withUnsafeBytes { r.add(side: 0, $0, at: 100.08) }
        Self.packet(pt: 101, seq: 4, ts: 5480, byte: 0x80).withUnsafeBytes { r.add(side: 0, $0, at: 100.1) }  // telephone-event: left out
        // The agent, A-law, from the start.
        Self.packet(pt: 8, seq: 9, ts: 0, ssrc: 9, byte: 0xD5).withUnsafeBytes { r.add(side: 1, $0, at: 100.0) }
        let rec = r.finish()
        #expect(rec.caller.count == 320 + 480)
        #expect(rec.caller[0..<320].allSatisfy { $0 == 0 }, "before its first packet: silence")
        #expect(rec.caller[320..<480].allSatisfy { $0 == G711.decodeMuLaw(0x80) })
        #expect(rec.caller[480..<640].allSatisfy { $0 == 0 }, "the lost packet")
        #expect(rec.agent.count == 160 && rec.agent.allSatisfy { $0 == G711.decodeALaw(0xD5) })
        let stereo = rec.stereo
        #expect(stereo.channels == 2 && stereo.samples.count == 800 * 2 && stereo.samples[2 * 320] == G711.decodeMuLaw(0x80) && stereo.samples[1] == 8)
        #expect(abs(rec.duration - 0.1) < 0.0001)
    }

    @Test func aRecordingStopsAtItsMaximum() {
        let r = CallRecorder(startedAt: 0, maxSeconds: 0.05)  // 400 samples
        for i in 0..<4 { Self.packet(seq: UInt16(i), ts: UInt32(i * 160), byte: 1).withUnsafeBytes { r.add(side: 0, $0, at: Double(i) * 0.02) } }
        let rec = r.finish()
        #expect(rec.truncated && rec.caller.count == 320)
    }
}
