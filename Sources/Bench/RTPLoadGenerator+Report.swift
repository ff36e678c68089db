/// What one generator run sent, what came back through the relay, and what the generator cost.
public struct RTPLoadReport: Codable, Sendable, Equatable {
    public var calls: Int
    /// Two per call: caller -> agent and agent -> caller.
    public var streams: Int
    public var packetsPerStream: Int
    public var packetsSent: Int
    public var packetsReceived: Int
    /// Received on the agents' side (sent by callers).
    public var receivedCallerToAgent: Int
    /// Received on the callers' side (sent by agents).
    public var receivedAgentToCaller: Int
    /// Per stream, packets planned minus packets back within the drain time (floored at 0),
    /// summed: a packet the relay still held when the drain ended counts as lost (for 20 ms
    /// audio, 300 ms late is as good as lost).
    public var packetsLost: Int
    public var lossRatio: Double
    /// Packets whose sequence number was not newer than the stream's newest (late or duplicate).
    public var reordered: Int
    /// Packets whose SSRC belongs to no stream of this run (e.g. late ones from an earlier run).
    public var strayPackets: Int
    /// Packets with a wrong length, version, payload type, marker, or timestamp for their sequence number.
    public var malformedPackets: Int
    /// Packets `sendmmsg` refused (send buffer full).
    public var sendFailures: Int
    /// Mean over streams of each stream's mean RFC 3550 jitter (transit = receive - send stamp).
    public var meanJitterMillis: Double
    /// The highest per-stream mean jitter.
    public var worstStreamJitterMillis: Double
    /// The highest jitter any stream reached at any packet.
    public var maxJitterMillis: Double
    /// How late the sender was against its absolute schedule (its wake-up quantum is 250 µs).
    public var senderLatenessP99Micros: Double
    public var senderLatenessMaxMicros: Double
    public var sendSeconds: Double
    /// CPU of the generator's two threads over the run (user + system).
    public var generatorCPUSeconds: Double
    /// Share of received packets stamped by the kernel (`SO_TIMESTAMPNS`) rather than on read.
    public var kernelTimestampShare: Double
    /// The first packet that came back, parsed.
    public var firstForwarded: RTPHeaderSample?

    init(plan: RTPStreamPlan, sender: RTPStreamSender, receiver: RTPStreamReceiver) {
        calls = plan.calls.count
        streams = plan.streams
        packetsPerStream = plan.frames
        packetsSent = sender.sent
        packetsReceived = receiver.received.reduce(0, +)
        receivedCallerToAgent = stride(from: 0, to: plan.streams, by: 2).reduce(0) { $0 + receiver.received[$1] }
        receivedAgentToCaller = packetsReceived - receivedCallerToAgent
        packetsLost = receiver.received.reduce(0) { $0 + max(0, plan.frames - $1) }
        let offered = plan.frames * plan.streams
        lossRatio = offered == 0 ? 0 : Double(packetsLost) / Double(offered)
        reordered = receiver.reordered
        strayPackets = receiver.stray
        malformedPackets = receiver.malformed
        sendFailures = sender.failed
        var means: [Double] = []
        for s in 0..<plan.streams where receiver.received[s] > 1 {
            means.append(receiver.jitterSum[s] / Double(receiver.received[s] - 1))
        }
        meanJitterMillis = means.isEmpty ? 0 : means.reduce(0, +) / Double(means.count) / 1e6
        worstStreamJitterMillis = (means.max() ?? 0) / 1e6
        maxJitterMillis = (receiver.jitterMax.max() ?? 0) / 1e6
        senderLatenessP99Micros = Double(sender.lateness.valueAtPercentile(99)) / 1e3
        senderLatenessMaxMicros = Double(sender.lateness.max) / 1e3
        sendSeconds = Double(sender.elapsedNanos) / 1e9
        generatorCPUSeconds = Double(sender.cpuNanos + receiver.cpuNanos) / 1e9
        kernelTimestampShare = packetsReceived == 0 ? 0 : Double(receiver.kernelStamps) / Double(packetsReceived)
        firstForwarded = receiver.firstHeader
    }
}
