import Testing
@testable import SIP

/// RFC 3261 §18.3 framing on streams and RFC 5626 §3.5.1 keep-alives.
struct StreamFramerTests {
    static func message(body: String = "", lengthHeader: String = "Content-Length") -> String {
        "OPTIONS sip:ccengine@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-1\r\nFrom: <sip:a@b>;tag=1\r\n"
            + "To: <sip:c@d>\r\nCall-ID: f1\r\nCSeq: 1 OPTIONS\r\n\(lengthHeader): \(body.utf8.count)\r\n\r\n" + body
    }

    func drain(_ f: inout StreamFramer) throws -> [StreamFramer.Output] {
        var out: [StreamFramer.Output] = []
        while let o = try f.next() { out.append(o) }
        return out
    }

    @Test func messagesSplitAnywhereAndBackToBackComeOutWhole() throws {
        let a = Self.message(body: "hello"), b = Self.message(body: "v=0\r\n", lengthHeader: "l")
        let stream = Array((a + b).utf8)
        for cut in stride(from: 1, to: stream.count, by: 7) {
            var f = StreamFramer()
            f.append(stream[..<cut])
            var out = try drain(&f)
            f.append(stream[cut...])
            out += try drain(&f)
            #expect(out == [.message(Array(a.utf8)), .message(Array(b.utf8))], "cut at \(cut)")
            #expect(f.pending == 0)
        }
    }

    @Test func doubleCRLFIsAPingAndASingleCRLFIsIgnored() throws {
        var f = StreamFramer()
        f.append(Array("\r\n\r\n".utf8))
        #expect(try drain(&f) == [.ping])
        f.append(Array("\r\n".utf8))  // a pong from the peer
        #expect(try drain(&f) == [])
        f.append(Array(Self.message().utf8))
        #expect(try drain(&f) == [.message(Array(Self.message().utf8))])
        // a ping split over two reads is still one ping
        f.append(Array("\r\n".utf8))
        #expect(try drain(&f) == [])
        f.append(Array("\r\n".utf8))
        #expect(try drain(&f) == [.ping])
    }

    @Test func aBodyLargerThanTheLimitOrAnUnreadableLengthStopsTheStream() throws {
        var f = StreamFramer(maximumSize: 1000)
        f.append(Array(Self.message(body: String(repeating: "x", count: 2000)).utf8))
        #expect(throws: StreamFramer.Failure.self) { try f.next() }
        var g = StreamFramer(maximumSize: 1000)
        g.append(Array(String(repeating: "X-Header: y\r\n", count: 100).utf8))  // no end of headers in sight
        #expect(throws: StreamFramer.Failure.self) { try g.next() }
        var h = StreamFramer()
        h.append(Array(Self.message().replacingOccurrences(of: "Content-Length: 0", with: "Content-Length: ten").utf8))
        #expect(throws: StreamFramer.Failure.self) { try h.next() }
    }

    @Test func aMessageWithoutContentLengthHasNoBody() throws {
        var f = StreamFramer()
        let m = Self.message().replacingOccurrences(of: "Content-Length: 0\r\n", with: "")
        f.append(Array(m.utf8))
        #expect(try drain(&f) == [.message(Array(m.utf8))])
    }

    @Test func aHugeContentLengthIsRefusedWithoutOverflowAndALoneCRDoesNotStallTheStream() throws {
        var f = StreamFramer(maximumSize: 1000)
        f.append(Array(Self.message().replacingOccurrences(of: "Content-Length: 0", with: "Content-Length: 9223372036854775807").utf8))
        #expect(throws: StreamFramer.Failure.self) { try f.next() }
        // A CR not followed by LF is not a keep-alive: it is read as the start of a (bad) message,
        // and a stream of them hits the size limit instead of growing forever.
        var g = StreamFramer(maximumSize: 100)
        g.append([0x0D, 0x41])
        #expect(try g.next() == nil)
        g.append([UInt8](repeating: 0x41, count: 200))
        #expect(throws: StreamFramer.Failure.self) { try g.next() }
    }

    @Test func aMessageArrivingOneByteAtATimeComesOutOnce() throws {
        let m = Array(Self.message(body: String(repeating: "b", count: 300)).utf8)
        var f = StreamFramer()
        var out: [StreamFramer.Output] = []
        for b in m {
            f.append([b])
            out += try drain(&f)
        }
        #expect(out == [.message(m)])
    }
}
