/// What the relay plays on one leg, one 20 ms frame at a time: announcements in the order asked
/// (each once), and under them the music, looped, which pauses while an announcement plays and
/// goes on where it stopped (Asterisk's queue announcements interrupt the hold music the same way).
/// Pure: the relay thread asks for the next frame on its timer and sends it.
struct LegPlayer {
    struct Announcement {
        var clips: [AudioClip]
        var finished: (@Sendable () -> Void)?
    }

    static let frameSamples = 160

    let law: G711.Law
    let payloadType: UInt8
    private(set) var music: AudioClip?
    private var musicOffset = 0
    private var announcements: [Announcement] = []
    /// Position in the first announcement: which clip, which sample.
    private var clip = 0
    private var offset = 0

    init(law: G711.Law, payloadType: UInt8) {
        self.law = law
        self.payloadType = payloadType
    }

    /// Nothing left to play: no music, no announcement.
    var isIdle: Bool { music == nil && announcements.isEmpty }

    mutating func setMusic(_ clip: AudioClip?) {
        music = clip.flatMap { $0.muLaw.isEmpty ? nil : $0 }
        musicOffset = 0
    }

    mutating func announce(_ clips: [AudioClip], finished: (@Sendable () -> Void)?) {
        announcements.append(Announcement(clips: clips.filter { !$0.muLaw.isEmpty }, finished: finished))
    }

    /// Writes the next frame's 160 bytes into `out`; returns the callbacks of announcements that
    /// ended with it (run by the caller, off the frame path). An announcement's last frame is
    /// padded with silence: the next one (or the music) starts on a frame boundary, so a caller
    /// never hears the end of one prompt mixed into the start of the next.
    mutating func nextFrame(into out: UnsafeMutablePointer<UInt8>) -> [@Sendable () -> Void] {
        var done: [@Sendable () -> Void] = []
        while let first = announcements.first, clip >= first.clips.count {
            announcements.removeFirst()
            clip = 0
            offset = 0
            if let f = first.finished { done.append(f) }
        }
        if let first = announcements.first {
            let bytes = first.clips[clip].bytes(law)
            let n = min(Self.frameSamples, bytes.count - offset)
            bytes.withUnsafeBufferPointer { out.update(from: $0.baseAddress! + offset, count: n) }
            if n < Self.frameSamples { (out + n).update(repeating: law.silence, count: Self.frameSamples - n) }
            offset += n
            if offset >= bytes.count {
                clip += 1
                offset = 0
                // Report an announcement as finished with its last frame, not a frame later.
                if clip >= first.clips.count {
                    announcements.removeFirst()
                    clip = 0
                    if let f = first.finished { done.append(f) }
                }
            }
        } else if let music {
            let bytes = music.bytes(law)
            bytes.withUnsafeBufferPointer { b in
                var filled = 0
                while filled < Self.frameSamples {
                    if musicOffset >= b.count { musicOffset = 0 }
                    let n = min(Self.frameSamples - filled, b.count - musicOffset)
                    (out + filled).update(from: b.baseAddress! + musicOffset, count: n)
                    filled += n
                    musicOffset += n
                }
            }
        } else {
            out.update(repeating: law.silence, count: Self.frameSamples)
        }
        return done
    }

    /// Announcements still to play: their callbacks (the leg is going away).
    mutating func drain() -> [@Sendable () -> Void] {
        defer { announcements = []; clip = 0; offset = 0 }
        return announcements.compactMap(\.finished)
    }
}
