import Foundation

/// The figures of a run, from ccsim's own observations. Service level here is answered within T
/// over all offered calls (abandoned and failed included): the stricter of the two usual
/// definitions, stated in every report.
public struct RunSummary: Sendable, Codable, Equatable {
    public var offered = 0
    public var answered = 0
    public var abandoned = 0
    public var failed = 0
    public var unfinished = 0
    public var mediaVerified = 0
    public var perAgent: [String: Int] = [:]
    /// Average speed of answer over answered calls, seconds.
    public var asa: Double = 0
    public var maxWait: Double = 0
    public var serviceLevel20s: Double = 0
    public var abandonRate: Double = 0
    /// RTP packets received by all virtual phones, and lost (gaps in sequence numbers, from oRTP).
    public var rtpReceived: UInt64 = 0
    public var rtpLost: Int64 = 0
    /// RTP packets the phones sent: sent - received counts packets lost anywhere, including the
    /// few still in flight when a call is hung up.
    public var rtpSent: UInt64 = 0
    /// RTCP reports the phones received from the other side through the relay.
    public var rtcpReceived: UInt64 = 0
    public var rtpLossRate: Double { rtpReceived == 0 ? 0 : Double(max(rtpLost, 0)) / Double(Int64(rtpReceived) + max(rtpLost, 0)) }
    public static let serviceLevelDefinition = "answered within T / all offered calls"

    public init(_ calls: [CallObservation]) {
        offered = calls.count
        var waits: [Double] = []
        for c in calls {
            switch c.outcome {
            case .answered: answered += 1
            case .abandoned: abandoned += 1
            case .failed: failed += 1
            case .unfinished: unfinished += 1
            }
            if c.outcome == .answered, let w = c.wait { waits.append(w) }
            if let w = c.wait { maxWait = max(maxWait, w) }
            if c.mediaVerified { mediaVerified += 1 }
            for h in [c.customerHeard, c.agentHeard].compactMap({ $0 }) {
                rtpReceived += h.packetsReceived
                rtpLost += h.lost
                rtpSent += h.packetsSent
                rtcpReceived += h.rtcpReceived ?? 0
            }
            if c.outcome == .answered, let a = c.agent { perAgent[a, default: 0] += 1 }
        }
        asa = waits.isEmpty ? 0 : waits.reduce(0, +) / Double(waits.count)
        serviceLevel20s = serviceLevel(calls, within: 20)
        abandonRate = offered == 0 ? 0 : Double(abandoned) / Double(offered)
    }

    public func serviceLevel(_ calls: [CallObservation], within t: Double) -> Double {
        guard !calls.isEmpty else { return 1 }
        let ok = calls.filter { $0.outcome == .answered && ($0.wait ?? .infinity) <= t }.count
        return Double(ok) / Double(calls.count)
    }
}
