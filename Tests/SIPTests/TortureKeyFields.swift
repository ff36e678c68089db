@testable import SIP

/// The fields every accepted torture message must decode to, as the RFC 4475 text gives them.
struct TortureKeyFields {
    /// The request method, or the status code as text for a response.
    var start: String
    var callID: String
    var cseq: CSeq
    var fromTag: String?
    var branch: String?
    var bodyCount: Int

    init(_ start: String, _ callID: String, _ cseq: UInt32, _ fromTag: String?, _ branch: String?, body: Int, cseqMethod: String? = nil) {
        self.start = start
        self.callID = callID
        self.cseq = CSeq(cseq, cseqMethod ?? start)
        self.fromTag = fromTag
        self.branch = branch
        self.bodyCount = body
    }

    static let expected: [String: TortureKeyFields] = [
        "wsinv": .init("INVITE", "wsinv.ndaksdj@192.0.2.1", 9, "98asjd8", "390skdjuw", body: 150),
        "intmeth": .init("!interesting-Method0123456789_*+`.%indeed'~", #"intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{"#,
                         139122385, "_token~1'+`*%!-.", "z9hG4bK-.!%66*_+`'~", body: 0),
        "esc01": .init("INVITE", "esc01.239409asdfakjkn23onasd0-3234", 234234, "938", "z9hG4bKkdjuw", body: 150),
        "escnull": .init("REGISTER", "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd", 14398234, "839923423", "z9hG4bKkdjuw", body: 0),
        "esc02": .init("RE%47IST%45R", "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf", 29344, "f232jadfj23", "z9hG4bK209%fzsnel234", body: 0),
        "lwsdisp": .init("OPTIONS", "lwsdisp.1234abcd@funky.example.com", 60, "323", "z9hG4bKkdjuw", body: 0),
        "longreq": .init("INVITE", "longreq.one" + String(repeating: "really", count: 20) + "longcallid", 3882340,
                         "12" + String(repeating: "982", count: 50) + "424", nil, body: 150),
        "dblreq": .init("REGISTER", "dblreq.0ha0isndaksdj99sdfafnl3lk233412", 8, "43251j3j324", "z9hG4bKkdjuw23492", body: 0),
        "semiuri": .init("OPTIONS", "semiuri.0ha0isndaksdj", 8, "33242", "z9hG4bKkdjuw", body: 0),
        "transports": .init("OPTIONS", "transports.kijh4akdnaqjkwendsasfdj", 60, "323", "z9hG4bKkdjuw", body: 0),
        "mpart01": .init("MESSAGE", "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..", 1, "2fb0dcc9",
                         "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-", body: 553),
        "unreason": .init("200", "unreason.1234ksdfak3j2erwedfsASdf", 35, "11141343", "z9hG4bK1324923", body: 154, cseqMethod: "INVITE"),
        "noreason": .init("100", "noreason.asndj203insdf99223ndf", 35, "39ansfi3", "z9hG4bK2398ndaoe", body: 0, cseqMethod: "INVITE"),
        "baddate": .init("INVITE", "baddate.239423mnsadf3j23lj42--sedfnm234", 1392934, "2234923", "z9hG4bKkdjuw", body: 150),
        "badbranch": .init("OPTIONS", "badbranch.sadonfo23i420jv0as0derf3j3n", 8, "33242", "z9hG4bK", body: 0),
        "unkscm": .init("OPTIONS", "unkscm.nasdfasser0q239nwsdfasdkl34", 3923423, "384", "z9hG4bKkdjuw39234", body: 0),
        "novelsc": .init("OPTIONS", "novelsc.asdfasser0q239nwsdfasdkl34", 3923423, "384", "z9hG4bKkdjuw39234", body: 0),
        "unksm2": .init("REGISTER", "unksm2.daksdj@hyphenated-host.example.com", 234902, "3234233", "z9hG4bKkdjuw", body: 0),
        "bext01": .init("OPTIONS", "bext01.0ha0isndaksdj", 8, "242etr", "z9hG4bKkdjuw", body: 0),
        "invut": .init("INVITE", "invut.0ha0isndaksdjadsfij34n23d", 235448, "8392034", "z9hG4bKkdjuw", body: 40),
        "regaut01": .init("REGISTER", "regaut01.0ha0isndaksdj", 9338, "87321hj23128", "z9hG4bKkdjuw", body: 0),
        "bcast": .init("200", "bcast.0384840201234ksdfak3j2erwedfsASdf", 35, "11141343", "z9hG4bK1324923", body: 154, cseqMethod: "INVITE"),
        "zeromf": .init("OPTIONS", "zeromf.jfasdlfnm2o2l43r5u0asdfas", 39234321, "3ghsd41", "z9hG4bKkdjuw2349i", body: 0),
        "cparam01": .init("REGISTER", "cparam01.70710@saturn.example.com", 2, "DkfVgjkrtMwaerKKpe", "z9hG4bKkdjuw", body: 0),
        "cparam02": .init("REGISTER", "cparam02.70710@saturn.example.com", 3, "838293", "z9hG4bKkdjuw", body: 0),
        "regescrt": .init("REGISTER", "regescrt.k345asrl3fdbv@192.0.2.1", 14398234, "8", "z9hG4bKkdjuw", body: 0),
        "sdp01": .init("INVITE", "sdp01.ndaksdj9342dasdd", 8, "234", "z9hG4bKkdjuw", body: 150),
        // RFC 2543: no From tag, no branch; the body runs to the end of the datagram.
        "inv2543": .init("INVITE", "inv2543.1717@ift.client.example.com", 56, nil, nil, body: 105),
    ]

    /// Rejected requests whose Via, From, To, Call-ID and CSeq are sound enough to carry a 400.
    /// The others cannot be answered: responses (scalarlg, bigcode), insuf (no From/To/Call-ID),
    /// and those whose copied headers are themselves the defect (badinv01's Via, scalar02's CSeq,
    /// quotbal's and badaspec's To, baddn's From), which would make an unparseable 400.
    static let answerable: Set<String> = [
        "clerr", "ncl", "ltgtruri", "lwsruri", "lwsstart", "trws", "escruri", "regbadct", "badvers",
        "mismatch01", "mismatch02", "multi01", "mcl01",
    ]
}
