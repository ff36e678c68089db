import Testing
@testable import SIP

/// RFC 3264 §6: answers keep the offer's m-lines in order, reject what is not taken with port 0,
/// answer the direction, and a peer's answer is checked against our offer.
@Suite struct OfferAnswerTests {
    static func sdp(_ lines: String) throws -> SessionDescription {
        try SessionDescription.parse(Array(("v=0\r\no=- 1 1 IN IP4 127.0.0.31\r\ns=-\r\nc=IN IP4 127.0.0.31\r\nt=0 0\r\n" + lines).utf8))
    }

    static let audioAndVideo = "m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\nm=video 4002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"

    func answer(_ offer: SessionDescription, codecs: [String] = ["PCMU", "PCMA"], events: Bool = true) -> SessionDescription? {
        OfferAnswer.answer(to: offer, address: "127.0.0.1", port: 20000, codecs: codecs, telephoneEvent: events, sessionID: 1, version: 1)
    }

    @Test func audioAndVideoOfferIsAnsweredWithVideoRejected() throws {
        let a = try #require(answer(try Self.sdp(Self.audioAndVideo), codecs: ["PCMA"]))
        #expect(a.media.map(\.type) == ["audio", "video"])
        #expect(a.media[0].port == 20000 && a.media[0].formats == [8, 101])
        #expect(a.media[1].port == 0 && a.media[1].formats == [96])
        #expect(a.media[0].direction == "sendrecv")
        #expect(OfferAnswer.check(a, against: try Self.sdp(Self.audioAndVideo)) == nil)
    }

    @Test func videoFirstOfferKeepsItsOrder() throws {
        let offer = try Self.sdp("m=video 4002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\nm=audio 4000 RTP/AVP 0\r\n")
        let a = try #require(answer(offer))
        #expect(a.media.map(\.type) == ["video", "audio"])
        #expect(a.media.map(\.port) == [0, 20000])
        #expect(a.audioIndex == 1)
    }

    @Test(arguments: [("sendonly", "recvonly"), ("recvonly", "sendonly"), ("inactive", "inactive"), ("sendrecv", "sendrecv")])
    func directionIsAnswered(offered: String, answered: String) throws {
        let a = try #require(answer(try Self.sdp("m=audio 4000 RTP/AVP 0\r\na=\(offered)\r\n")))
        #expect(a.media[0].direction == answered)
    }

    @Test func dynamicTelephoneEventKeepsTheOffersNumber() throws {
        let offer = try Self.sdp("m=audio 4000 RTP/AVP 8 96\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\n")
        let a = try #require(answer(offer))
        #expect(a.media[0].formats == [8, 96])
        #expect(a.media[0].attributes.contains(.init("rtpmap", "96 telephone-event/8000")))
        #expect(answer(offer, events: false)?.media[0].formats == [8])
        #expect(answer(offer, codecs: ["PCMU"]) == nil)  // nothing in common
    }

    @Test func checkFindsWhatDoesNotFit() throws {
        let offer = try Self.sdp("m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n")
        #expect(OfferAnswer.check(try Self.sdp("m=audio 5000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=recvonly\r\n"), against: offer)
                == .notOffered(line: 0, payload: 0, codec: "PCMU"))
        #expect(OfferAnswer.check(try Self.sdp("m=audio 5000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\na=recvonly\r\n"), against: offer)
                == .noAudioCodec)
        #expect(OfferAnswer.check(try Self.sdp("m=audio 5000 RTP/AVP 8\r\na=sendrecv\r\n"), against: offer)
                == .direction(line: 0, offered: "sendonly", answered: "sendrecv"))
        #expect(OfferAnswer.check(try Self.sdp("m=audio 5000 RTP/AVP 8\r\na=recvonly\r\nm=video 0 RTP/AVP 96\r\n"), against: offer)
                == .mediaCount(offered: 1, answered: 2))
        // A dynamic number may differ when its codec was offered.
        #expect(OfferAnswer.check(try Self.sdp("m=audio 5000 RTP/AVP 8 100\r\na=rtpmap:100 telephone-event/8000\r\na=recvonly\r\n"), against: offer) == nil)
    }
}
