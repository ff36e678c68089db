import Glibc
import Logging

/// What the relay thread checks about the packets it receives, besides relaying them: who sent
/// them (a leg's peer is latched once and then kept: RTP from anyone else is dropped, the "RTP
/// bleed" protection), in which payload type, and whether the phone has gone quiet.
extension RelayWorker {
    /// Symmetric RTP with a latch that holds: the first source a socket hears becomes its peer,
    /// and so does the peer the SDP declares whenever it sends; packets from any other source are
    /// dropped (an ended call's phone still sending to a port now given to another call, or a
    /// stranger guessing ports), logged once per call. Returns how many packets are kept, moved
    /// to the front of the batch.
    func screen(_ bridge: Bridge, index: Int, batch: DatagramBatch, count n: Int) -> Int {
        var strangers = 0
        for i in 0..<n {
            let source = batch.source(i)
            if Self.same(bridge.latched[index], source) { continue }
            if bridge.latched[index] == nil || Self.same(bridge.declared[index], source) {
                bridge.latched[index] = source
                continue
            }
            strangers += 1
        }
        guard strangers > 0 else { return n }
        if !bridge.strangersLogged {
            bridge.strangersLogged = true
            let side = index & 1 == 0 ? "caller" : "agent"
            let peer = bridge.latched[index].map(Self.text) ?? "-"
            let stranger = (0..<n).map(batch.source).first { !Self.same(bridge.latched[index], $0) }.map(Self.text) ?? "-"
            logger.notice("dropped \(index < 2 ? "RTP" : "RTCP") from \(stranger) on the \(side) side: the side's peer is \(peer) (logged once per call)",
                          metadata: ["call.id": "\(bridge.call)"])
        }
        return batch.compact(n) { Self.same(bridge.latched[index], batch.source($0)) }
    }

    /// RTP in a payload type the SDP did not agree (RFC 3264 §5.1: a phone sends only what was
    /// answered): relayed untouched (the relay does not transcode; a recording leaves it out),
    /// logged once per call and side.
    func unexpected(_ bridge: Bridge, side: Int, payloadType: UInt8) {
        guard !bridge.unexpectedLogged[side] else { return }
        bridge.unexpectedLogged[side] = true
        let agreed = (bridge.expected[side] ?? []).indices.filter { bridge.expected[side]?[$0] == true }
        logger.notice("the \(side == 0 ? "caller" : "agent") sent RTP payload type \(payloadType), not one agreed in SDP \(agreed); relayed untouched (logged once per call)",
                      metadata: ["call.id": "\(bridge.call)"])
    }

    /// Sound from a watched side: any G.711 sample at or above the threshold, or any other
    /// payload (a key press, another codec) counts.
    func heard(_ bridge: Bridge, side: Int, batch: DatagramBatch, count n: Int) {
        guard var watch = bridge.quiet[side] else { return }
        for i in 0..<n {
            let p = UnsafeRawBufferPointer(start: batch.slot(i), count: batch.length(i))
            guard p.count > 12, !RTCPPacket.looksLikeRTCP(p) else { continue }
            let pt = p[1] & 0x7F
            let start = 12 + Int(p[0] & 0x0F) * 4
            guard start < p.count else { continue }
            let loud: Bool
            switch pt {
            case 0: loud = p[start...].contains { abs(Int(G711.decodeMuLaw($0))) >= Self.soundThreshold }
            case 8: loud = p[start...].contains { abs(Int(G711.decodeALaw($0))) >= Self.soundThreshold }
            default: loud = true
            }
            if loud { watch.lastSound = Self.monotonicNow() }
        }
        bridge.quiet[side] = watch
    }

    /// A sample this loud is sound (Asterisk's silence threshold, 128 of 8-bit, is about 500 of 16).
    static let soundThreshold = 500

    /// Reports the watched sides that have been quiet long enough (once each).
    func checkQuiet() {
        let now = Self.monotonicNow()
        var reports: [@Sendable () -> Void] = []
        for bridge in watching {
            for side in 0..<2 {
                guard let w = bridge.quiet[side], now - w.lastSound >= w.seconds else { continue }
                bridge.quiet[side] = nil
                reports.append(w.report)
            }
        }
        watching.removeAll { $0.quiet[0] == nil && $0.quiet[1] == nil }
        reports.forEach { $0() }
    }

    /// Reads and discards whatever is queued on the sockets.
    static func drain(_ fds: [Int32]) {
        var scratch = [UInt8](repeating: 0, count: 2048)
        for fd in fds {
            while recv(fd, &scratch, scratch.count, LinuxABI.msgDontWait) >= 0 {}
        }
    }

    static func text(_ a: sockaddr_in) -> String {
        "\(String(cString: inet_ntoa(a.sin_addr))):\(UInt16(bigEndian: a.sin_port))"
    }
}
