@testable import SIP

/// Messages and helpers shared by the transaction and digest tests, kept in one namespace so they
/// stay out of the way of other test files in this target.
enum TransactionFixtures {
    static let phone = Endpoint(host: "127.0.0.1", port: 5070)
    static let engine = Endpoint(host: "127.0.0.1", port: 5060)

    /// A request built with the message model's own initialiser, as the TU would.
    static func request(
        _ method: String, branch: String = "z9hG4bK-inv1", cseq: UInt32 = 1, callID: String = "call-1@127.0.0.1",
        viaHost: String = "127.0.0.1", viaPort: Int? = 5070, transport: String = "UDP", toTag: String? = nil
    ) -> SIPMessage {
        var to = NameAddress(uri: SIPURI(user: "support", host: "127.0.0.1", port: 5060))
        to.tag = toTag
        return SIPMessage(
            startLine: .request(method: method, uri: SIPURI(user: "support", host: "127.0.0.1", port: 5060)),
            via: [Via(transport: transport, host: viaHost, port: viaPort, branch: branch)],
            from: NameAddress(displayName: "Alice", uri: SIPURI(user: "alice", host: "127.0.0.1", port: 5070), parameters: [Parameter("tag", "a1")]),
            to: to, callID: callID, cseq: CSeq(cseq, method),
            contact: [NameAddress(uri: SIPURI(user: "alice", host: "127.0.0.1", port: 5070))],
            headers: [Header("Max-Forwards", "70")])
    }

    static func invite(branch: String = "z9hG4bK-inv1", transport: String = "UDP") -> SIPMessage {
        request("INVITE", branch: branch, transport: transport)
    }

    /// SplitMix64: a tiny seeded generator so random tests replay exactly.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

extension Array where Element == TransactionAction {
    /// The messages these actions transmit, in order.
    var transmittedMessages: [SIPMessage] {
        compactMap { if case .transmit(let m) = $0 { m } else { nil } }
    }

    /// Everything passed to the TU, in order.
    var deliveredToTU: [TransactionAction] {
        filter {
            switch $0 {
            case .deliverRequest, .deliverResponse, .deliverAck, .timedOut, .transportError: true
            default: false
            }
        }
    }
}
