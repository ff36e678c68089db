import Foundation
import Glibc
import Media

/// One side of a call's audio in a test: a loopback UDP socket (kernel-chosen port) whose
/// thread records every RTP packet with the kernel's arrival stamp, and can send a tone in
/// 20 ms frames. What a party heard is then judged from the packets and the decoded audio.
final class RTPParty: @unchecked Sendable {
    struct Packet: Sendable {
        var arrival: Double
        var sequence: UInt16
        var timestamp: UInt32
        var ssrc: UInt32
        var marker: Bool
        var payloadType: UInt8
        var payload: [UInt8]
    }

    let fd: Int32
    private let lock = NSLock()
    private var received: [Packet] = []
    private var stopped = false
    private var sending: (port: Int, hz: Double)?
    private var sentPackets = 0
    private var threads: [Thread] = []

    init() {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, LinuxABI.soTimestampNS, &on, socklen_t(MemoryLayout<Int32>.size))
        let receiver = Thread { [self] in receiveLoop() }
        threads.append(receiver)
        receiver.start()
    }

    var port: Int { boundPort(fd) }

    var packets: [Packet] { lock.withLock { received } }

    /// Sends `hz` (µ-law, payload type 0) to `port` every 20 ms until `stop`.
    func sendTone(_ hz: Double, to port: Int) {
        lock.withLock { sending = (port, hz) }
        let sender = Thread { [self] in sendLoop() }
        threads.append(sender)
        sender.start()
    }

    func stop() {
        lock.withLock { stopped = true }
        let end = Date().addingTimeInterval(2)
        while threads.contains(where: { !$0.isFinished }), Date() < end { usleep(10_000) }
        close(fd)
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Sends `count` packets of silence in `payloadType` to `port`, 20 ms apart.
    func sendPackets(_ count: Int, payloadType: UInt8, to port: Int) {
        var to = sockaddr_in()
        to.sin_family = sa_family_t(AF_INET)
        to.sin_addr.s_addr = inet_addr("127.0.0.1")
        to.sin_port = UInt16(port).bigEndian
        for i in 0..<count {
            let seq = UInt16(truncatingIfNeeded: 7000 + i), ts = UInt32(900_000 + i * 160)
            let packet: [UInt8] = [0x80, payloadType, UInt8(seq >> 8), UInt8(seq & 0xFF), UInt8(ts >> 24), UInt8(ts >> 16 & 0xFF),
                                   UInt8(ts >> 8 & 0xFF), UInt8(ts & 0xFF), 0x0B, 0xAD, 0xF0, 0x0D] + [UInt8](repeating: 0xD5, count: 160)
            _ = withUnsafePointer(to: &to) { a in
                a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            usleep(20_000)
        }
    }

    /// Presses a key the RFC 4733 way (payload type 101, as the test SDP says): three packets
    /// of the event, then its end three times, one timestamp, 20 ms apart.
    func sendDigit(_ digit: Character, to port: Int) {
        let code: UInt8 = digit == "*" ? 10 : digit == "#" ? 11 : UInt8(digit.wholeNumberValue ?? 0)
        var to = sockaddr_in()
        to.sin_family = sa_family_t(AF_INET)
        to.sin_addr.s_addr = inet_addr("127.0.0.1")
        to.sin_port = UInt16(port).bigEndian
        let ts = UInt32.random(in: 0..<UInt32.max), seq0 = UInt16.random(in: 0..<60000)
        for i in 0..<6 {
            let end = i >= 3
            let duration = UInt16(min(i + 1, 4) * 160)
            let seq = seq0 &+ UInt16(i)
            let packet: [UInt8] = [0x80, (i == 0 ? 0x80 : 0) | 101, UInt8(seq >> 8), UInt8(seq & 0xFF),
                                   UInt8(ts >> 24), UInt8(ts >> 16 & 0xFF), UInt8(ts >> 8 & 0xFF), UInt8(ts & 0xFF), 0x0D, 0x0D, 0x0D, 0x0D,
                                   code, (end ? 0x80 : 0) | 10, UInt8(duration >> 8), UInt8(duration & 0xFF)]
            _ = withUnsafePointer(to: &to) { a in
                a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            usleep(20_000)
        }
    }

    /// Stops sending once `count` packets went out: the count then, nil before.
    func stopSendingIfSent(_ count: Int) -> Int? {
        lock.withLock {
            guard sentPackets >= count else { return nil }
            sending = nil
            return sentPackets
        }
    }

    /// Stops sending (receiving goes on); the packets sent.
    @discardableResult
    func stopSending() -> Int {
        lock.withLock { sending = nil }
        let end = Date().addingTimeInterval(2)
        while threads.dropFirst().contains(where: { !$0.isFinished }), Date() < end { usleep(5_000) }
        return lock.withLock { sentPackets }
    }

    private func receiveLoop() {
        let batch = DatagramBatch(capacity: 16, receiveTimestamps: true)
        while !isStopped {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = batch.receive(from: fd)
            var got: [Packet] = []
            for i in 0..<n {
                let b = UnsafeRawBufferPointer(start: batch.slot(i), count: batch.length(i))
                guard b.count >= 12, b[0] >> 6 == 2, !(200...204).contains(b[1]) else { continue }
                let arrival = Double(batch.receiveTimestamp(i) ?? 0) / 1e9
                got.append(Packet(arrival: arrival, sequence: UInt16(b[2]) << 8 | UInt16(b[3]),
                                  timestamp: b[4..<8].reduce(0) { $0 << 8 | UInt32($1) },
                                  ssrc: b[8..<12].reduce(0) { $0 << 8 | UInt32($1) },
                                  marker: b[1] & 0x80 != 0, payloadType: b[1] & 0x7F, payload: Array(b[12...])))
            }
            lock.withLock { received += got }
        }
    }

    private func sendLoop() {
        guard let (port, hz) = lock.withLock({ sending }) else { return }
        var tone = ToneGenerator(frequency: hz)
        var seq: UInt16 = 1000, ts: UInt32 = 50_000
        var to = sockaddr_in()
        to.sin_family = sa_family_t(AF_INET)
        to.sin_addr.s_addr = inet_addr("127.0.0.1")
        to.sin_port = UInt16(port).bigEndian
        var next = Date()
        while !isStopped, lock.withLock({ sending != nil }) {
            var packet: [UInt8] = [0x80, 0, UInt8(seq >> 8), UInt8(seq & 0xFF),
                                   UInt8(ts >> 24), UInt8(ts >> 16 & 0xFF), UInt8(ts >> 8 & 0xFF), UInt8(ts & 0xFF), 0x12, 0x34, 0x56, 0x78]
            packet += tone.nextFrame()
            _ = withUnsafePointer(to: &to) { a in
                a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            lock.withLock { sentPackets += 1 }
            seq &+= 1
            ts &+= 160
            next = next.addingTimeInterval(0.02)
            let wait = next.timeIntervalSinceNow
            if wait > 0 { usleep(UInt32(wait * 1e6)) }
        }
    }

    /// The dominant frequency among `candidates` of each packet's decoded audio (µ-law or A-law
    /// by payload type), nil for silence.
    static func tones(_ packets: [Packet], candidates: [Double]) -> [Double?] {
        packets.map { p in
            var d = ToneDetector(frequencies: candidates)
            let samples = p.payload.map { p.payloadType == 8 ? G711.decodeALaw($0) : G711.decodeMuLaw($0) }
            guard samples.map({ abs(Int($0)) }).max() ?? 0 > 300 else { return nil }
            d.add(linear: samples)
            return d.dominantFrequency
        }
    }
}
