import CNIOLinux
import Glibc

/// The relay thread's players: the 20 ms frame clock, the legs it plays to, and the renumbering
/// of the other side's audio onto the stream a played-to leg hears.
extension RelayWorker {
    /// RTP to a side the relay has played to: dropped while it still plays (the prompt or music
    /// has the leg), else renumbered onto the stream that side hears. RTCP multiplexed on the
    /// RTP socket passes as it is.
    func forwardToPlayedLeg(_ bridge: Bridge, from index: Int, batch: DatagramBatch, count n: Int) -> Int {
        let other = index ^ 1
        guard let to = bridge.peer(other) else { return 0 }
        let now = Self.monotonicNow()
        var kept = 0
        for i in 0..<n {
            let bytes = UnsafeRawBufferPointer(start: batch.slot(i), count: batch.length(i))
            if RTCPPacket.looksLikeRTCP(bytes) {
                kept += Self.sendOne(bridge.fds[other], batch.slot(i), batch.length(i), to: to)
            } else if bridge.players[other] == nil {
                bridge.outbound[other]?.renumber(batch.slot(i).assumingMemoryBound(to: UInt8.self), length: batch.length(i), now: now)
                kept += Self.sendOne(bridge.fds[other], batch.slot(i), batch.length(i), to: to)
            }
        }
        return kept
    }

    /// Frame clock sub-ticks (`ticks` > 1: the thread was late): every playing leg of the slots
    /// that came due sends its next frame, or frames when its slot came round again meanwhile (at
    /// most `FrameSlots.catchUp`; beyond that the timeline jumps rather than flood the phone).
    /// Announcements that ended report after all are sent.
    func tick(_ ticks: Int) {
        let now = Self.monotonicNow()
        var finished: [@Sendable () -> Void] = []
        var sent = 0, late = false
        for (slot, frames) in slots.advance(ticks) {
            late = late || frames > 1
            sent += tick(slot: slot, frames: frames, now: now, finished: &finished)
        }
        // How long after its due time this sub-tick ran (the thread's wake-up: a CPU busy in the
        // kernel, e.g. softirq work for other sockets, delays even a realtime thread).
        ticksSinceArmed += ticks
        let lateness = now - (armedAt + Double(ticksSinceArmed) * Double(FrameSlots.nanoseconds) / 1e9)
        playedBox.withLockedValue {
            $0.frames += sent
            if late { $0.late += 1 }
            $0.maxLateness = max($0.maxLateness, lateness)
        }
        if playing.allSatisfy(\.isEmpty) { armFrameTimer(false) }
        finished.forEach { $0() }
    }

    private func tick(slot: Int, frames: Int, now: Double, finished: inout [@Sendable () -> Void]) -> Int {
        var sent = 0
        var i = 0
        while i < playing[slot].count {
            let bridge = playing[slot][i]
            // Players and streams are mutated in place (no copy of their state per frame).
            for leg in 0..<2 where !bridge.removed && bridge.players[leg] != nil {
                let to = bridge.peer(leg)
                for f in 0..<frames {
                    guard let pt = bridge.players[leg]?.payloadType else { break }
                    bridge.outbound[leg]?.writeHeader(into: frame, payloadType: pt, now: now + Double(f - frames + 1) * 0.02, marker: false)
                    if let done = bridge.players[leg]?.nextFrame(into: frame + 12), !done.isEmpty { finished += done }
                    if let to { sent += Self.sendOne(bridge.fds[leg], frame, 12 + LegPlayer.frameSamples, to: to) }
                }
                if bridge.players[leg]?.isIdle == true { bridge.players[leg] = nil }
            }
            if bridge.removed || (bridge.players[0] == nil && bridge.players[1] == nil) {
                bridge.inPlaying = false
                playing[slot].swapAt(i, playing[slot].count - 1)  // order changes for one stream only
                playing[slot].removeLast()
                slots.leave(slot)
            } else {
                i += 1
            }
        }
        return sent
    }

    func armFrameTimer(_ on: Bool) {
        guard on != timerArmed else { return }
        timerArmed = on
        // A sub-tick from now, then every sub-tick (the kernel keeps the period: no drift).
        var spec = itimerspec()
        if on {
            spec.it_value = timespec(tv_sec: 0, tv_nsec: FrameSlots.nanoseconds)
            spec.it_interval = timespec(tv_sec: 0, tv_nsec: FrameSlots.nanoseconds)
            armedAt = Self.monotonicNow()
            ticksSinceArmed = 0
        }
        _ = timerfd_settime(frameTimer, 0, &spec, nil)
    }

    /// A fresh SSRC (RFC 3550 §8: random; splitmix64 over a per-thread seed).
    func nextSSRC() -> UInt32 {
        ssrcState &+= 0x9E37_79B9_7F4A_7C15
        var z = ssrcState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: z ^ (z >> 31))
    }

    func play(_ bridge: Bridge, id: Int, leg: Int, _ playback: RTPRelay.Playback, law: G711.Law, payloadType: UInt8) {
        if bridge.outbound[leg] == nil {
            let r = nextSSRC()
            bridge.outbound[leg] = OutboundStream(ssrc: r, sequence: UInt16(truncatingIfNeeded: r >> 7), timestamp: r &* 2654435761)
        }
        var player = bridge.players[leg] ?? LegPlayer(law: law, payloadType: payloadType)
        switch playback {
        case .music(let clip): player.setMusic(clip)
        case .announce(let clips, let finished): player.announce(clips, finished: finished)
        }
        if player.isIdle {
            bridge.players[leg] = nil
            return
        }
        bridge.players[leg] = player
        if !bridge.inPlaying {
            bridge.inPlaying = true
            bridge.slot = slots.join()
            playing[bridge.slot].append(bridge)
        }
        armFrameTimer(true)
    }
}
