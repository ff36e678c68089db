/// Per-stream RTP statistics computed as Wireshark 4.0's `rtppacket_analyse`
/// (ui/tap-rtp-analysis.c) computes them, so figures match `tshark -q -z rtp,streams` of the
/// tshark on this machine (4.0.17; checked against it by BenchTests):
///
/// - Times are arrival times in ms relative to the capture's first frame, in file order.
/// - A packet is "in time sequence" when its RTP timestamp is not behind the stream's first
///   timestamp (modulo 2^32, half range). Only such packets update delta, jitter and the
///   reference arrival time; the others keep the previous values.
/// - delta = arrival - previous in-sequence arrival. D = |arrival - (previous arrival +
///   (nominal - previous nominal))| with nominal = (ts - first ts) / (clock / 1000) ms;
///   J = (15 J + D) / 16 (RFC 3550 6.4.1). The first packet has J = 0 and no delta.
/// - Only regular packets (not the first, no marker bit, not comfort noise or right after
///   it, in time sequence) enter min/mean/max; the running means are
///   `(mean * (n - 1) + x) / n` with n the packets before this one, i.e. per delta, not per packet.
/// - expected = last sequence number + 65536 * wraps - first sequence number + 1, with wraps
///   counted as Wireshark does; lost = expected - packets (negative with duplicates).
/// Duplicates and out-of-order counts are ours, from extended sequence numbers.
struct RTPStreamStatistics {
    private(set) var packets = 0
    private var firstSequence: UInt16 = 0
    private var lastSequence: UInt16 = 0
    private var wraps: Int64 = 0
    private var underFirst = false
    private var firstTimestamp: UInt32 = 0
    /// Wireshark's `seq_num`: the last in-order raw sequence number (kept 32-bit, as there).
    private var sequenceNumber: UInt32 = 0
    private var referenceArrival: Double = 0
    private var referenceNominal: Double = 0
    private var payloadType: UInt8 = 0
    private var jitter: Double = 0
    private var delta: Double = 0
    private var highestExtended: Int64 = 0
    private var lastExtended: Int64 = 0
    private var seen = Set<Int64>()

    private(set) var firstArrivalMs: Double = 0
    private(set) var lastArrivalMs: Double = 0
    private(set) var minDelta: Double = -1
    private(set) var maxDelta: Double = 0
    private(set) var meanDelta: Double = 0
    private(set) var minJitter: Double = -1
    private(set) var maxJitter: Double = 0
    private(set) var meanJitter: Double = 0
    private(set) var sequenceErrors = 0
    private(set) var wrongTimestamps = 0
    private(set) var duplicates = 0
    private(set) var outOfOrder = 0
    private(set) var firstPayloadType: UInt8 = 0
    private(set) var clockRate: UInt32 = 0

    var expected: Int64 {
        packets == 0 ? 0 : Int64(lastSequence) + wraps * 65536 - Int64(firstSequence) + 1
    }
    var lost: Int64 { expected - Int64(packets) }

    mutating func add(arrivalMs now: Double, sequence: UInt16, timestamp: UInt32, payloadType pt: UInt8,
                      marker: Bool, clockRate clock: UInt32) {
        lastArrivalMs = now
        if packets == 0 {
            firstSequence = sequence
            lastSequence = sequence
            firstTimestamp = timestamp
            sequenceNumber = UInt32(sequence)
            referenceArrival = now
            firstArrivalMs = now
            payloadType = pt
            firstPayloadType = pt
            clockRate = clock
            lastExtended = Int64(sequence)
            highestExtended = lastExtended
            seen.insert(lastExtended)
            packets = 1
            return
        }
        countDuplicatesAndReordering(sequence)

        let sinceFirst = timestamp &- firstTimestamp
        let inTimeSequence = sinceFirst < 0x8000_0000
        if !inTimeSequence { wrongTimestamps += 1 }
        countWraps(sequence, inTimeSequence: inTimeSequence)
        checkSequence(UInt32(sequence))

        let comfortNoise = pt == 13 || pt == 19
        let followsComfortNoise = payloadType == 13 || payloadType == 19
        payloadType = pt
        if inTimeSequence {
            if clock != 0 {
                clockRate = clock
                // Wireshark divides by clock_rate / 1000 in integer arithmetic.
                let nominal = Double(sinceFirst) / Double(clock / 1000)
                let diff = abs(now - (referenceArrival + nominal - referenceNominal))
                jitter = (15 * jitter + diff) / 16
                referenceNominal = nominal
            }
            delta = now - referenceArrival
        }
        if !marker && !comfortNoise && !followsComfortNoise && inTimeSequence {
            let n = Double(packets)
            maxDelta = max(maxDelta, delta)
            if minDelta == -1 || delta < minDelta { minDelta = delta }
            meanDelta = (meanDelta * (n - 1) + delta) / n
            if clock != 0 {
                maxJitter = max(maxJitter, jitter)
                meanJitter = (meanJitter * (n - 1) + jitter) / n
                if minJitter == -1 || jitter < minJitter { minJitter = jitter }
            }
        }
        if inTimeSequence { referenceArrival = now }
        lastSequence = sequence
        packets += 1
    }

    /// Wireshark's wrap counting: a sequence number below the first one starts a new cycle.
    private mutating func countWraps(_ sequence: UInt16, inTimeSequence: Bool) {
        guard inTimeSequence else { return }
        if sequence < firstSequence && !underFirst {
            wraps += 1
            underFirst = true
        } else if sequence == 0 && lastSequence == 65535 && !underFirst {
            wraps += 1
            underFirst = true
        } else if sequence > firstSequence && underFirst {
            underFirst = false
        }
    }

    /// Wireshark's count of sequence numbers that were not the next one.
    private mutating func checkSequence(_ raw: UInt32) {
        if sequenceNumber &+ 1 == raw || (sequenceNumber == 65535 && raw == 0) {
            sequenceNumber = raw
        } else if sequenceNumber &+ 1 < raw || sequenceNumber &- raw > 0xFF00 {
            // A jump forward (loss), or so far back it must be a wrap whose packets were lost.
            sequenceNumber = raw
            sequenceErrors += 1
        } else if sequenceNumber &+ 1 > raw {
            sequenceErrors += 1  // late or duplicated
        }
    }

    private mutating func countDuplicatesAndReordering(_ sequence: UInt16) {
        let extended = Self.extend(Int64(sequence), previous: lastExtended, bits: 16)
        lastExtended = extended
        if !seen.insert(extended).inserted {
            duplicates += 1
        } else if extended < highestExtended {
            outOfOrder += 1
        }
        highestExtended = max(highestExtended, extended)
    }

    /// The value with the low `bits` of `raw` closest to `previous` (RFC 3550 A.1 style).
    static func extend(_ raw: Int64, previous: Int64, bits: Int64) -> Int64 {
        let span: Int64 = 1 << bits
        let half = span >> 1
        var value = (previous & ~(span - 1)) | raw
        if value + half < previous {
            value += span
        } else if previous + half < value {
            value -= span
        }
        return value
    }
}
