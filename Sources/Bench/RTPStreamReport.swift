/// An RTP stream's identity: tshark's stream key.
public struct RTPStreamKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var source: UDPEndpoint
    public var destination: UDPEndpoint
    public var ssrc: UInt32

    public init(source: UDPEndpoint, destination: UDPEndpoint, ssrc: UInt32) {
        self.source = source
        self.destination = destination
        self.ssrc = ssrc
    }

    public var description: String { "\(source) -> \(destination) SSRC 0x\(hex(ssrc))" }
}

/// One row of the RTP table: the columns of `tshark -q -z rtp,streams` and a few more.
public struct RTPStreamReport: Codable, Sendable, Equatable {
    public enum Detection: String, Codable, Sendable {
        /// Its address was announced in SDP earlier in the capture.
        case sdp
        /// Found by the RTP heuristic (no SDP for it).
        case heuristic
    }

    public var key: RTPStreamKey
    /// The Call-ID whose SDP announced the stream's address, if any.
    public var callID: String?
    public var detection: Detection
    /// Seconds from the capture's first frame to the stream's first and last packet.
    public var startSeconds: Double
    public var endSeconds: Double
    public var payloadType: UInt8
    public var payloadName: String
    public var clockRate: UInt32
    public var packets: Int
    public var expected: Int64
    /// expected - packets; negative with duplicates.
    public var lost: Int64
    public var lostPercent: Double
    /// -1 when no packet qualified (as tshark prints).
    public var minDeltaMs: Double
    public var meanDeltaMs: Double
    public var maxDeltaMs: Double
    public var minJitterMs: Double
    public var meanJitterMs: Double
    public var maxJitterMs: Double
    public var duplicates: Int
    public var outOfOrder: Int
    /// Wireshark's count of packets whose sequence number was not the next one.
    public var sequenceErrors: Int
    /// tshark's "Problems?" column: some sequence or timestamp went wrong.
    public var problem: Bool

    /// `stream`'s arrival times are already relative to the capture's first frame.
    init(_ stream: RTPStreamAnalyzer.Stream) {
        let s = stream.statistics
        key = stream.key
        callID = stream.callID
        detection = stream.detection
        startSeconds = s.firstArrivalMs / 1000
        endSeconds = s.lastArrivalMs / 1000
        payloadType = s.firstPayloadType
        payloadName = stream.payloadName
        clockRate = s.clockRate
        packets = s.packets
        expected = s.expected
        lost = s.lost
        lostPercent = s.expected == 0 ? 0 : Double(s.lost) * 100 / Double(s.expected)
        minDeltaMs = s.minDelta
        meanDeltaMs = s.meanDelta
        maxDeltaMs = s.maxDelta
        minJitterMs = s.minJitter
        meanJitterMs = s.meanJitter
        maxJitterMs = s.maxJitter
        duplicates = s.duplicates
        outOfOrder = s.outOfOrder
        sequenceErrors = s.sequenceErrors
        problem = s.sequenceErrors > 0 || s.wrongTimestamps > 0
    }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
