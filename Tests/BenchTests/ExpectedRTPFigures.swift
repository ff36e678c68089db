/// The test's own statement of the figures a stream should get, worked out from the packets as
/// sent, without the analyzer: RFC 3550 6.4.1 jitter over consecutive packets in file order,
/// with tshark's conventions (first packet: no delta, jitter 0; means over the deltas).
/// Valid for the streams the tests build: no marker after the first packet, no comfort noise,
/// no RTP timestamp before the first one.
struct ExpectedRTPFigures {
    struct Packet {
        var arrivalMs: Double
        var sequence: Int
        var timestamp: Int
    }

    var packets = 0
    var expected = 0
    var lost = 0
    var duplicates = 0
    var outOfOrder = 0
    var minDelta = 0.0, meanDelta = 0.0, maxDelta = 0.0
    var minJitter = 0.0, meanJitter = 0.0, maxJitter = 0.0

    /// `sequence` values are already unwrapped (may exceed 65535).
    init(_ list: [Packet], clockHz: Double = 8000) {
        packets = list.count
        let sequences = list.map(\.sequence)
        expected = sequences.max()! - sequences.min()! + 1
        lost = expected - packets
        var seen = Set<Int>()
        var highest = Int.min
        for s in sequences {
            if !seen.insert(s).inserted { duplicates += 1 } else if s < highest { outOfOrder += 1 }
            highest = max(highest, s)
        }
        var deltas: [Double] = []
        var jitters: [Double] = []
        var j = 0.0
        for i in 1..<list.count {
            let arrival = list[i].arrivalMs - list[i - 1].arrivalMs
            let sent = Double(list[i].timestamp - list[i - 1].timestamp) / (clockHz / 1000)
            j += (abs(arrival - sent) - j) / 16
            deltas.append(arrival)
            jitters.append(j)
        }
        minDelta = deltas.min()!
        maxDelta = deltas.max()!
        meanDelta = deltas.reduce(0, +) / Double(deltas.count)
        minJitter = jitters.min()!
        maxJitter = jitters.max()!
        meanJitter = jitters.reduce(0, +) / Double(jitters.count)
    }
}

/// A G.711 stream plan: packet i is sent at 20 ms * i with timestamp 160 * i; tests then drop,
/// delay, duplicate and swap packets to get the impairments they want.
struct StreamPlan {
    var packets: [ExpectedRTPFigures.Packet]
    let firstSequence: Int
    let firstTimestamp: Int

    init(count: Int, firstSequence: Int = 1000, firstTimestamp: Int = 4000, startMs: Double = 100) {
        self.firstSequence = firstSequence
        self.firstTimestamp = firstTimestamp
        packets = (0..<count).map {
            .init(arrivalMs: startMs + 20 * Double($0), sequence: firstSequence + $0,
                  timestamp: firstTimestamp + 160 * $0)
        }
    }

    /// Adds `ms` of network delay to the packet at `index` (whole microseconds only, so the
    /// classic pcap's microsecond timestamps lose nothing).
    mutating func delay(_ index: Int, by ms: Double) { packets[index].arrivalMs += ms }
    mutating func drop(_ indices: [Int]) {
        for i in indices.sorted(by: >) { packets.remove(at: i) }
    }
    mutating func duplicate(_ index: Int, after ms: Double) {
        var copy = packets[index]
        copy.arrivalMs += ms
        packets.insert(copy, at: index + 1)
    }
    /// The packets at `index` and `index + 1` arrive in each other's place (arrival times stay).
    mutating func reorder(_ index: Int) {
        let (a, b) = (packets[index], packets[index + 1])
        packets[index].sequence = b.sequence
        packets[index].timestamp = b.timestamp
        packets[index + 1].sequence = a.sequence
        packets[index + 1].timestamp = a.timestamp
    }

    func write(into writer: inout CaptureWriter, from: (String, UInt16), to: (String, UInt16), ssrc: UInt32) {
        for p in packets {
            writer.udp(
                at: Int64((p.arrivalMs * 1000).rounded()) * 1000, from: from, to: to,
                payload: CallScript.rtp(
                    sequence: UInt16(truncatingIfNeeded: p.sequence),
                    timestamp: UInt32(truncatingIfNeeded: p.timestamp), ssrc: ssrc,
                    marker: p.sequence == firstSequence))
        }
    }
}

extension CaptureWriter {
    /// Frames sorted by time, as a capture tool writes them (tests that want file order to
    /// differ from time order skip this).
    mutating func sortByTime() { frames.sort { $0.nanos < $1.nanos } }
}
