import SIP

/// The one entry point for every datagram from the network. It never traps: bytes become a
/// message, or a ready-made error response (400/513), or a drop — each with at most one log line,
/// rate-limited so a flood cannot flood the log.
public struct SIPIngress: Sendable {
    public enum Outcome: Sendable {
        case message(SIPMessage)
        case reply([UInt8], log: String?)
        case drop(log: String?)
    }

    public var maximumSize = SIPCodec.defaultMaximumSize
    /// At most this many log lines per second about bad input; the rest are counted.
    public var logLinesPerSecond = 10
    private var windowStart: Duration = .zero
    private var linesInWindow = 0
    public private(set) var suppressed = 0
    public private(set) var rejected = 0

    public init() {}

    public mutating func accept(_ bytes: [UInt8], from source: Endpoint, now: Duration) -> Outcome {
        do {
            return .message(try SIPCodec.decode(bytes, maximumSize: maximumSize))
        } catch {
            rejected += 1
            // Keep-alives (RFC 5626 CRLF pings) are not errors.
            if bytes.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) { return .drop(log: nil) }
            let (status, reason): (Int, String) = switch error {
            case .tooLarge: (513, "Message Too Large")
            default: (400, "Bad Request")
            }
            let line = logLine("\(error) from \(source)", now: now)
            if case .notSIP = error { return .drop(log: line) }
            if let r = SIPCodec.errorResponse(for: Array(bytes.prefix(maximumSize)), status: status, reason: reason) {
                return .reply(r.bytes, log: line.map { $0 + "; answered \(status)" })
            }
            return .drop(log: line)
        }
    }

    private mutating func logLine(_ text: String, now: Duration) -> String? {
        if now - windowStart >= .seconds(1) {
            let note = suppressed > 0 ? " (\(suppressed) similar lines suppressed)" : ""
            windowStart = now
            linesInWindow = 0
            suppressed = 0
            linesInWindow += 1
            return text + note
        }
        guard linesInWindow < logLinesPerSecond else {
            suppressed += 1
            return nil
        }
        linesInWindow += 1
        return text
    }
}
