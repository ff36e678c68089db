/// How long the engine took to forward each customer INVITE to an agent, on the wire: from a
/// capture, each customer INVITE into the engine's SIP port is paired with the engine's agent
/// INVITE that names it (`X-CC-Call: <customer Call-ID>`), by their first transmissions (a
/// retransmission is not a new call). Exact per call, unlike pairing by order, and in the
/// capture's microseconds (SIPp's own response times are whole milliseconds).
public enum InviteForwarding {
    /// The BPF filter that keeps only INVITEs to and from `port` (UDP payload starting "INVI").
    public static func captureFilter(enginePort: Int) -> String {
        "udp and port \(enginePort) and udp[8:4] = 0x494e5649"
    }

    /// Milliseconds from each customer INVITE in to its agent INVITE out (calls never forwarded,
    /// e.g. refused, have none).
    public static func latencies(pcap path: String, enginePort: Int) throws(CaptureFileError) -> [Double] {
        let reader = try PcapReader(contentsOf: path)
        var arrived: [String: Int64] = [:]
        var forwarded: [String: Int64] = [:]
        reader.forEachPacket { packet in
            guard let d = LinkLayerDecoder.udp(in: packet) else { return }
            let text = String(decoding: d.payload, as: UTF8.self)
            guard text.hasPrefix("INVITE ") else { return }
            if Int(d.destination.port) == enginePort, let id = header(text, "Call-ID", compact: "i") {
                if arrived[id] == nil { arrived[id] = packet.timestampNanos }
            } else if Int(d.source.port) == enginePort, let id = header(text, "X-CC-Call", compact: nil) {
                if forwarded[id] == nil { forwarded[id] = packet.timestampNanos }
            }
        }
        return arrived.compactMap { id, t in forwarded[id].map { Double($0 - t) / 1e6 } }
    }

    static func header(_ text: String, _ name: String, compact: String?) -> String? {
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let n = line[..<colon].trimmingCharacters(in: .whitespaces)
            if n.caseInsensitiveCompare(name) == .orderedSame || (compact.map { n.caseInsensitiveCompare($0) == .orderedSame } ?? false) {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
