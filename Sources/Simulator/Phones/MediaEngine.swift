import CORTP
import Foundation
import Media

/// The virtual phones' RTP, through libortp: one session per call leg, driven by media threads
/// (one per core by default) that each send a 20 ms G.711 frame (the agreed law) of the phone's tone per
/// session per tick and read what arrived. Each session belongs to one thread's shard; oRTP
/// sessions are not thread-safe, so every oRTP call on a session happens under its shard's lock.
public final class MediaEngine: @unchecked Sendable {
    /// What one leg heard, for media verification.
    public struct Report: Sendable, Equatable {
        public var packetsSent: UInt64
        public var packetsReceived: UInt64
        public var lost: Int64
        public var dominantFrequency: Double?
        public var expectedFrequency: Double
        /// DTMF digits received as RFC 4733 telephone-events, in order.
        public var dtmf: String = ""
        /// The codec agreed in SDP, and packets that arrived in the other G.711 law instead.
        public var codec: String = "PCMU"
        public var otherCodecPackets: UInt64 = 0
        /// RTCP reports (with a report block) received from the other side, through the relay.
        public var rtcpReceived: UInt64 = 0
        /// What it heard, as the engine's prompts and music (a stream opened with `listen`).
        public var timeline: [HeardSegment]?
        /// Heard the other side: enough packets in the agreed codec, and the other side's tone is the loudest.
        public var verified: Bool {
            packetsReceived >= 10 && dominantFrequency == expectedFrequency && otherCodecPackets == 0
        }
    }

    final class Stream {
        let session: UnsafeMutablePointer<RtpSession>
        var tone: ToneGenerator
        var detector: ToneDetector
        let expected: Double
        var sendTS: UInt32 = 0
        var sending = false
        var bytesRead = 0
        /// Digits still to send, each with its wait in ticks (20 ms), and ticks until the next one.
        var dtmfQueue: [(digit: Character, ticks: Int)] = []
        var dtmfCountdown = 0
        var dtmfReceived = ""
        var law: G711.Law
        var otherCodecPackets: UInt64 = 0
        /// Packets received with sound in them (a sample at or above `soundThreshold`).
        var soundPackets = 0
        /// Which of the engine's prompts it heard, when (with `catalog`, from `openedAt`).
        var timeline: HeardTimeline?
        var catalog: PromptCatalog?
        let openedAt = DispatchTime.now().uptimeNanoseconds
        init(session: UnsafeMutablePointer<RtpSession>, send: Double, expect: Double, other: Double, law: G711.Law) {
            self.session = session
            self.law = law
            tone = ToneGenerator(frequency: send, law: law)
            detector = ToneDetector(frequencies: [send, expect, other])
            expected = expect
        }
    }

    /// One media thread and the sessions it drives.
    final class Shard: @unchecked Sendable {
        let lock = NSLock()
        var streams: [Int: Stream] = [:]
        var running = false
    }

    private let shards: [Shard]
    private let idLock = NSLock()
    private var nextID = 0
    private let host: String
    /// The engine's prompts and music, to tell what a listening stream heard.
    let catalog: PromptCatalog?

    public static let frequencies: [Double] = [440, 1240, 2000]

    /// - Parameter threads: media threads; default one per core.
    /// - Parameter catalog: the engine's prompts, which streams opened with `listen` recognise.
    public init(host: String = "127.0.0.1", threads: Int = ProcessInfo.processInfo.activeProcessorCount, catalog: PromptCatalog? = nil) {
        self.host = host
        self.catalog = catalog
        self.shards = (0..<max(1, threads)).map { _ in Shard() }
        Self.initOnce
    }

    private static let initOnce: Void = {
        ortp_init()
        cc_ortp_quiet()
        cc_ortp_enable_telephone_event()
    }()

    /// oRTP's "telephone-event" signal: (session, event number, user data = the Stream).
    private static let onTelephoneEvent: RtpCallback = { _, event, stream, _ in
        guard let stream else { return }
        let st = Unmanaged<Stream>.fromOpaque(stream).takeUnretainedValue()
        let digits = Array("0123456789*#ABCD")
        let n = Int(bitPattern: event)
        if n >= 0, n < digits.count { st.dtmfReceived.append(digits[n]) }
    }

    /// Sends `digits` as RFC 4733 telephone-events once the stream is sending: the first after
    /// `after` seconds, then one every `gap` seconds.
    public func sendDTMF(_ id: Int, digits: String, after: Double = 0.5, gap: Double = 0.2) {
        sendDTMF(id, keys: digits.enumerated().map { ($0.element, $0.offset == 0 ? after : gap) })
    }

    /// Keys, each with the seconds to wait before it (from now, then from the key before).
    public func sendDTMF(_ id: Int, keys: [(Character, Double)]) {
        let shard = shard(of: id)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        guard let st = shard.streams[id], !keys.isEmpty else { return }
        st.dtmfQueue = keys.map { ($0.0, max(1, Int($0.1 / 0.02))) }
        st.dtmfCountdown = st.dtmfQueue[0].ticks
    }

    private func shard(of id: Int) -> Shard { shards[id % shards.count] }

    /// `/proc/sys/net/ipv4/ip_local_port_range` (32768-60999 when it cannot be read).
    static let ephemeralPorts: ClosedRange<Int> = {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let p = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        return p.count == 2 && p[0] + 4 < p[1] ? p[0]...p[1] : 32768...60999
    }()

    /// Opens a session on a free local port and returns (stream id, RTP port). `listen`: keep a
    /// timeline of the engine's prompts it hears (with a catalog).
    public func open(sendFrequency: Double, expectFrequency: Double, law: G711.Law = .muLaw, listen: Bool = false) -> (id: Int, port: Int)? {
        idLock.lock()
        nextID += 1
        let id = nextID
        idLock.unlock()
        let shard = shard(of: id)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        guard let s = rtp_session_new(Int32(RTP_SESSION_SENDRECV.rawValue)) else { return nil }
        rtp_session_set_scheduling_mode(s, 0)
        rtp_session_set_blocking_mode(s, 0)
        // oRTP sets SO_REUSEADDR by default; without this two sessions can share a port silently.
        rtp_session_set_reuseaddr(s, 0)
        rtp_session_set_profile(s, cc_av_profile())
        rtp_session_set_payload_type(s, Int32(law.payloadType))
        // RTCP on, a report (SR with a reception block) every second, on the port above RTP
        // (RFC 3550 §11), which the engine's relay assumes without an a=rtcp line.
        rtp_session_enable_rtcp(s, 1)
        rtp_session_set_rtcp_report_interval(s, 1000)
        rtp_session_enable_jitter_buffer(s, 0)
        // oRTP's own random choice puts RTCP anywhere: an even port with the next one free is
        // looked for here (a taken pair fails the bind and the next is tried), in the kernel's
        // ephemeral range, where ports are handed out anyway and engines' relay ranges are not.
        var bound = false
        for _ in 0..<64 where !bound {
            let p = Int.random(in: Self.ephemeralPorts.lowerBound...(Self.ephemeralPorts.upperBound - 1)) & ~1
            bound = rtp_session_set_local_addr(s, host, Int32(p), Int32(p + 1)) == 0
        }
        guard bound else {
            rtp_session_destroy(s)
            return nil
        }
        let port = Int(rtp_session_get_local_port(s))
        let other = Self.frequencies.first { $0 != sendFrequency && $0 != expectFrequency } ?? 2000
        let stream = Stream(session: s, send: sendFrequency, expect: expectFrequency, other: other, law: law)
        if listen, let catalog {
            stream.timeline = HeardTimeline()
            stream.catalog = catalog
        }
        rtp_session_signal_connect(s, "telephone-event", Self.onTelephoneEvent, Unmanaged.passUnretained(stream).toOpaque())
        shard.streams[id] = stream
        return (id, port)
    }

    /// Where to send, from the other side's SDP; starts sending.
    public func connect(_ id: Int, host: String, port: Int) {
        let shard = shard(of: id)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        guard let st = shard.streams[id] else { return }
        rtp_session_set_remote_addr(st.session, host, Int32(port))
        st.sending = true
    }

    /// Changes the law a stream sends and expects (the answer chose the other one of those offered).
    public func setLaw(_ id: Int, _ law: G711.Law) {
        let shard = shard(of: id)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        guard let st = shard.streams[id], st.law != law else { return }
        st.law = law
        st.tone = ToneGenerator(frequency: st.tone.frequency, law: law)
        rtp_session_set_payload_type(st.session, Int32(law.payloadType))
    }

    /// Stops and closes a session, returning what it heard.
    /// A sample this loud is sound, not silence (as the engine's relay judges it).
    static let soundThreshold = 500

    /// Whether a frame has sound in it (a sample at or above `soundThreshold`), not silence.
    static func hasSound(_ payload: [UInt8], law: G711.Law) -> Bool {
        payload.contains { abs(Int(law.decode($0))) >= soundThreshold }
    }

    /// Seconds of sound the session has received so far (20 ms packets with sound in them).
    public func soundSeconds(_ id: Int) -> Double? {
        let shard = shard(of: id)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        guard let st = shard.streams[id] else { return nil }
        Self.drain(st)
        return Double(st.soundPackets) * 0.02
    }

    public func close(_ id: Int) -> Report? {
        let shard = shard(of: id)
        shard.lock.lock()
        defer { shard.lock.unlock() }
        guard let st = shard.streams.removeValue(forKey: id) else { return nil }
        Self.drain(st)
        let stats = rtp_session_get_stats(st.session).pointee
        let report = Report(
            packetsSent: stats.packet_sent, packetsReceived: stats.packet_recv, lost: stats.cum_packet_loss,
            dominantFrequency: st.detector.dominantFrequency, expectedFrequency: st.expected, dtmf: st.dtmfReceived,
            codec: st.law.codec, otherCodecPackets: st.otherCodecPackets, rtcpReceived: stats.recv_rtcp_packets,
            timeline: st.timeline?.segments)
        rtp_session_destroy(st.session)
        return report
    }

    public func start() {
        for (i, shard) in shards.enumerated() {
            shard.lock.lock()
            shard.running = true
            shard.lock.unlock()
            let t = Thread { Self.loop(shard) }
            t.name = "ccsim-media-\(i)"
            t.qualityOfService = .userInteractive
            t.start()
        }
    }

    public func stop() {
        for shard in shards {
            shard.lock.lock()
            shard.running = false
            shard.lock.unlock()
        }
    }

    /// Ticks every 20 ms against an absolute schedule, so late ticks catch up instead of drifting.
    private static func loop(_ shard: Shard) {
        let period: UInt64 = 20_000_000
        var next = DispatchTime.now().uptimeNanoseconds
        while true {
            shard.lock.lock()
            if !shard.running {
                shard.lock.unlock()
                return
            }
            for st in shard.streams.values {
                if st.sending {
                    let ts = st.sendTS
                    _ = st.tone.withNextFrame { rtp_session_send_with_ts(st.session, $0.baseAddress, Int32($0.count), ts) }
                    if !st.dtmfQueue.isEmpty {
                        st.dtmfCountdown -= 1
                        if st.dtmfCountdown <= 0, let key = st.dtmfQueue.first, let c = key.digit.asciiValue {
                            st.dtmfQueue.removeFirst()
                            _ = rtp_session_send_dtmf(st.session, CChar(bitPattern: c), ts)
                            st.dtmfCountdown = st.dtmfQueue.first?.ticks ?? 0
                        }
                    }
                    st.sendTS &+= 160
                }
                drain(st)
            }
            shard.lock.unlock()
            next += period
            let now = DispatchTime.now().uptimeNanoseconds
            if next > now {
                usleep(useconds_t((next - now) / 1000))
            } else if now - next > 10 * period {
                next = now  // far behind (machine stalled): resynchronise rather than burst
            }
        }
    }

    private static func drain(_ st: Stream) {
        let at = Double(DispatchTime.now().uptimeNanoseconds - st.openedAt) / 1e9
        while let mp = rtp_session_recvm_with_ts(st.session, st.sendTS) {
            let n = Int(cc_mblk_payload_len(mp))
            let law = G711.Law(payloadType: Int(cc_mblk_payload_type(mp)))
            if let law, law != st.law { st.otherCodecPackets += 1 }
            if n > 0, law != nil, let p = cc_mblk_payload(mp) {
                let payload = Array(UnsafeBufferPointer(start: p, count: n))
                st.detector.add(payload, law: st.law)
                st.bytesRead += n
                if hasSound(payload, law: st.law) { st.soundPackets += 1 }
                if let catalog = st.catalog, let law { st.timeline?.add(payload, law: law, at: at, catalog: catalog) }
            }
            freemsg(mp)
        }
    }
}
