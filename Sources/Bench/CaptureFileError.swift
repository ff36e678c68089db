/// What can go wrong reading a capture file. Packets the reader cannot decode (unknown link
/// types, non-UDP, fragments) are skipped and counted, never errors: a forensic reader must get
/// through whatever a capture holds.
public enum CaptureFileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// Neither a classic pcap magic nor a pcapng Section Header Block.
    case notACapture(magic: UInt32)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read capture '\(path)': \(reason)"
        case .notACapture(let magic):
            "not a pcap or pcapng file (first word 0x\(String(magic, radix: 16))); "
                + "convert it with `editcap -F pcap IN OUT`"
        }
    }
}
