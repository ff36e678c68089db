/// The RTP stream one phone receives from the relay once the relay has played to it: one SSRC,
/// one sequence and one timeline whatever the source (a prompt, the music, the other party),
/// so the phone's jitter buffer never sees a restart (RFC 3550 §5.1, §8: a new SSRC or a
/// sequence jump is a new stream to it). Frames the relay makes are numbered here; packets
/// relayed from the other side afterwards are renumbered onto the same stream, each new source
/// (a different SSRC arriving) starting a talkspurt with the marker bit (RFC 3551 §4.1). A leg
/// the relay never played to has no such stream: its packets pass untouched.
struct OutboundStream {
    let ssrc: UInt32
    /// The next sequence number and the timestamp of the last packet sent, and when (seconds).
    private(set) var nextSequence: UInt16
    private var lastTimestamp: UInt32
    private var lastSentAt: Double?
    /// The relayed source being renumbered: its SSRC and the offsets onto this stream.
    private var source: (ssrc: UInt32, sequence: UInt16, timestamp: UInt32)?

    init(ssrc: UInt32, sequence: UInt16, timestamp: UInt32) {
        self.ssrc = ssrc
        self.nextSequence = sequence
        self.lastTimestamp = timestamp &- 160
    }

    /// The timestamp for something sent at `now` after a gap: the last one plus the time since
    /// (8 kHz), at least one frame on.
    private func timestamp(at now: Double) -> UInt32 {
        guard let last = lastSentAt else { return lastTimestamp &+ 160 }
        let elapsed = max(160, Int(((now - last) * 8000).rounded()))
        return lastTimestamp &+ UInt32(truncatingIfNeeded: elapsed)
    }

    /// Writes the header of a frame the relay plays (12 bytes); `marker` on the first frame
    /// after something else was heard. Consecutive frames are 160 samples apart.
    mutating func writeHeader(into p: UnsafeMutablePointer<UInt8>, payloadType: UInt8, now: Double, marker: Bool) {
        let marker = marker || source != nil  // back from relaying the other party
        let ts = !marker && lastSentAt != nil ? lastTimestamp &+ 160 : timestamp(at: now)
        source = nil
        p[0] = 0x80
        p[1] = (marker ? 0x80 : 0) | (payloadType & 0x7F)
        Self.put16(p + 2, nextSequence)
        Self.put32(p + 4, ts)
        Self.put32(p + 8, ssrc)
        nextSequence &+= 1
        lastTimestamp = ts
        lastSentAt = now
    }

    /// Rewrites a relayed RTP packet in place onto this stream.
    mutating func renumber(_ p: UnsafeMutablePointer<UInt8>, length: Int, now: Double) {
        guard length >= 12, p[0] >> 6 == 2 else { return }
        let ssrc = Self.get32(p + 8), seq = Self.get16(p + 2), ts = Self.get32(p + 4)
        if source?.ssrc != ssrc {
            // A new source: it continues this stream from here, a talkspurt starting now.
            source = (ssrc, nextSequence &- seq, timestamp(at: now) &- ts)
            p[1] |= 0x80
        }
        guard let s = source else { return }
        let newSeq = seq &+ s.sequence, newTs = ts &+ s.timestamp
        Self.put16(p + 2, newSeq)
        Self.put32(p + 4, newTs)
        Self.put32(p + 8, self.ssrc)
        // Reordered packets keep their place; the stream goes on from the newest.
        if Int16(bitPattern: newSeq &- nextSequence) >= 0 {
            nextSequence = newSeq &+ 1
            lastTimestamp = newTs
            lastSentAt = now
        }
    }

    static func put16(_ p: UnsafeMutablePointer<UInt8>, _ v: UInt16) { p[0] = UInt8(v >> 8); p[1] = UInt8(v & 0xFF) }
    static func put32(_ p: UnsafeMutablePointer<UInt8>, _ v: UInt32) {
        p[0] = UInt8(v >> 24); p[1] = UInt8(v >> 16 & 0xFF); p[2] = UInt8(v >> 8 & 0xFF); p[3] = UInt8(v & 0xFF)
    }
    static func get16(_ p: UnsafeMutablePointer<UInt8>) -> UInt16 { UInt16(p[0]) << 8 | UInt16(p[1]) }
    static func get32(_ p: UnsafeMutablePointer<UInt8>) -> UInt32 {
        UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3])
    }
}
