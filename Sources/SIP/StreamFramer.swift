/// Cuts a TCP or TLS byte stream into SIP messages (RFC 3261 §18.3: on a stream the
/// Content-Length says where the body ends) and finds RFC 5626 §3.5.1 keep-alives between them.
/// Pure: bytes in, messages out; the driver owns the connection.
public struct StreamFramer: Sendable {
    public enum Output: Equatable, Sendable {
        /// One whole message (start line, headers, body), ready for `SIPIngress`.
        case message([UInt8])
        /// A double CRLF "ping" between messages: answer with a single CRLF "pong".
        case ping
    }

    /// Why the stream cannot be read on: answer what can be answered, then close the connection.
    public enum Failure: Error, Equatable, Sendable {
        /// The headers, or headers plus the declared body, exceed the limit; the bytes so far (for a 513).
        case tooLarge(head: [UInt8])
        /// The Content-Length is not a number; the headers (for a 400).
        case badContentLength(head: [UInt8])
    }

    public let maximumSize: Int
    private var buffer: [UInt8] = []
    /// Where unread bytes start in `buffer` (the front is dropped in bulk, not per message).
    private var start = 0
    /// CRLFs seen since the last message (two make a ping, even when split across reads).
    private var crlfs = 0
    /// Where the search for the end of the headers goes on (bytes before it were searched).
    private var scanned = 0
    /// The message being read, once its headers are complete: where it ends.
    private var messageEnd: Int?

    public init(maximumSize: Int = SIPCodec.defaultMaximumSize) {
        self.maximumSize = maximumSize
    }

    /// Bytes held for a message not yet complete.
    public var pending: Int { buffer.count - start }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            scanned = max(0, scanned - start)
            messageEnd = messageEnd.map { $0 - start }
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next message or ping, nil when more bytes are needed.
    public mutating func next() throws(Failure) -> Output? {
        if messageEnd == nil {
            while start + 1 < buffer.count, buffer[start] == 0x0D, buffer[start + 1] == 0x0A {
                start += 2
                scanned = start
                crlfs += 1
                if crlfs == 2 {
                    crlfs = 0
                    return .ping
                }
            }
            // A CR as the last byte may be the first half of a CRLF: wait for the next byte.
            guard start < buffer.count, !(buffer[start] == 0x0D && start + 1 == buffer.count) else { return nil }
            guard let headEnd = headerEnd() else {
                if pending > maximumSize { throw .tooLarge(head: Array(buffer[start..<start + maximumSize])) }
                return nil
            }
            crlfs = 0
            let head = Array(buffer[start..<headEnd])
            // Checked before any arithmetic: a huge Content-Length must not overflow.
            guard let length = Self.contentLength(head) else { throw .badContentLength(head: head) }
            guard length <= maximumSize, headEnd + 4 + length - start <= maximumSize else { throw .tooLarge(head: head) }
            messageEnd = headEnd + 4 + length
        }
        guard let end = messageEnd, end <= buffer.count else { return nil }
        let message = Array(buffer[start..<end])
        start = end
        scanned = end
        messageEnd = nil
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanned = 0
        }
        return .message(message)
    }

    /// The index of the CRLFCRLF ending the headers, if it has arrived. The search resumes where
    /// the last one stopped (three bytes back), so a message arriving a byte at a time costs
    /// linear time, not quadratic.
    private mutating func headerEnd() -> Int? {
        var i = max(start, scanned - 3)
        let limit = buffer.count - 3
        while i < limit {
            if buffer[i] == 0x0D, buffer[i + 1] == 0x0A, buffer[i + 2] == 0x0D, buffer[i + 3] == 0x0A { return i }
            i += 1
        }
        scanned = max(start, buffer.count)
        return nil
    }

    /// The Content-Length (or compact `l`) value; 0 when absent (§18.3 makes it mandatory on
    /// streams, but a bodyless message without one is common and unambiguous); nil when unreadable.
    static func contentLength(_ head: [UInt8]) -> Int? {
        var value: Int? = 0
        for line in head.split(separator: 0x0A) {
            guard let colon = line.firstIndex(of: 0x3A) else { continue }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).trimmingWhitespace.lowercased()
            guard name == "content-length" || name == "l" else { continue }
            let text = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace
            guard let n = Int(text), n >= 0 else { return nil }
            value = n
        }
        return value
    }
}
