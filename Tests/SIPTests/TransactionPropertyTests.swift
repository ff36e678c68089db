import Testing
@testable import SIP

/// A client transaction layer and a server transaction layer joined by a network that drops,
/// duplicates and reorders datagrams (delays below T1), with a server TU that answers after random
/// delays and retransmits its 2xx (§13.3.1.4), and a client TU that ACKs every 2xx. Virtual time.
private struct LossyLinkSimulation {
    enum Side { case client, server }
    enum Event {
        case arrive(SIPMessage, at: Side)
        case serverAnswers(SIPMessage, status: Int)
    }
    enum SimTimer: Hashable, CustomStringConvertible {
        case client(TransactionTimerID)
        case server(TransactionTimerID)
        case dialog(callID: String, ServerDialog2xxRetransmitter.Timer)
        var description: String {
            switch self {
            case .client(let id): "c \(id)"
            case .server(let id): "s \(id)"
            case .dialog(let c, let t): "d \(c) \(t)"
            }
        }
    }

    var rng: TransactionFixtures.SeededGenerator
    var now: Duration = .zero
    var sequence = 0
    var queue: [(at: Duration, seq: Int, event: Event)] = []
    var timers: [SimTimer: Duration] = [:]
    var client = TransactionLayer()
    var server = TransactionLayer()
    var dialogs: [String: ServerDialog2xxRetransmitter] = [:]
    var ackBranches = 0

    /// Server TU: how often each request (Call-ID, CSeq, method) was delivered.
    var serverDeliveries: [String: Int] = [:]
    /// Client TU: per client transaction, what it was told ("1xx", "2xx", "final", "timeout").
    var clientOutcomes: [TransactionKey: [String]] = [:]
    var sentKeys: [TransactionKey] = []

    init(seed: UInt64) { rng = .init(seed: seed) }

    mutating func random() -> Double { Double.random(in: 0..<1, using: &rng) }
    mutating func millis(_ range: ClosedRange<Int>) -> Duration { .milliseconds(Int.random(in: range, using: &rng)) }

    mutating func schedule(_ event: Event, after delay: Duration) {
        sequence += 1
        queue.append((now + delay, sequence, event))
    }

    /// 20% loss, 15% duplication, 0-400 ms delay (below T1, as RFC 3261's timers assume).
    mutating func network(_ message: SIPMessage, to side: Side) {
        if random() < 0.2 { return }
        schedule(.arrive(message, at: side), after: millis(0...400))
        if random() < 0.15 { schedule(.arrive(message, at: side), after: millis(0...400)) }
    }

    mutating func run(requests: Int) throws {
        let methods = ["INVITE", "OPTIONS", "REGISTER", "INVITE", "BYE"]
        for n in 0..<requests {
            let method = methods[Int.random(in: 0..<methods.count, using: &rng)]
            let request = TransactionFixtures.request(method, branch: "z9hG4bK-p\(n)", cseq: UInt32(n + 1), callID: "prop-\(n)")
            sentKeys.append(TransactionKey.client(sending: request)!)
            handleClient(try client.send(request: request, to: TransactionFixtures.engine, now: now))
            now += millis(0...300)
        }
        var steps = 0
        while steps < 100_000 {
            steps += 1
            let nextEvent = queue.indices.min { (queue[$0].at, queue[$0].seq) < (queue[$1].at, queue[$1].seq) }
            let nextTimer = timers.min { ($0.value, $0.key.description) < ($1.value, $1.key.description) }
            if let i = nextEvent, nextTimer == nil || queue[i].at <= nextTimer!.value {
                let (at, _, event) = queue.remove(at: i)
                now = max(now, at)
                switch event {
                case .arrive(let m, .server): handleServer(server.received(m, from: TransactionFixtures.phone, now: now))
                case .arrive(let m, .client): handleClient(client.received(m, from: TransactionFixtures.engine, now: now))
                case .serverAnswers(let request, let status):
                    // A late 180 after the final finds no transaction or is discarded: both fine.
                    if let actions = try? server.send(response: request.response(status, toTag: "srv"), now: now) {
                        handleServer(actions)
                        if request.method == "INVITE", (200..<300).contains(status) {
                            let (r, a) = ServerDialog2xxRetransmitter.start(response: request.response(status, toTag: "srv"), now: now)
                            dialogs[request.callID] = r
                            handleDialog(request.callID, a)
                        }
                    }
                }
            } else if let (timer, at) = nextTimer {
                timers[timer] = nil
                now = max(now, at)
                switch timer {
                case .client(let id): handleClient(client.timerFired(id, now: now))
                case .server(let id): handleServer(server.timerFired(id, now: now))
                case .dialog(let callID, let t):
                    if var d = dialogs[callID] {
                        let a = d.timerFired(t, now: now)
                        dialogs[callID] = d
                        handleDialog(callID, a)
                    }
                }
            } else {
                return
            }
        }
        Issue.record("simulation did not settle")
    }

    mutating func handleServer(_ actions: [TransactionLayerAction]) {
        for action in actions {
            switch action {
            case .transmit(let m, _): network(m, to: .client)
            case .startTimer(let id, let at): timers[.server(id)] = at
            case .cancelTimer(let id): timers[.server(id)] = nil
            case .deliverToTU(.request(let m, _, _)):
                serverDeliveries["\(m.callID) \(m.cseq)", default: 0] += 1
                if m.method == "INVITE" {
                    if random() < 0.5 { schedule(.serverAnswers(m, status: 180), after: millis(0...1000)) }
                    let finals = [200, 486, 603, 200]
                    schedule(.serverAnswers(m, status: finals[Int.random(in: 0..<finals.count, using: &rng)]), after: millis(100...3000))
                } else {
                    schedule(.serverAnswers(m, status: random() < 0.7 ? 200 : 404), after: millis(0...3000))
                }
            case .deliverToTU(.ack(let ack, _)):
                if var d = dialogs[ack.callID] {
                    let a = d.receivedAck(now: now)
                    dialogs[ack.callID] = d
                    handleDialog(ack.callID, a)
                }
            case .deliverToTU: break
            }
        }
    }

    mutating func handleDialog(_ callID: String, _ actions: [ServerDialog2xxRetransmitter.Action]) {
        for action in actions {
            switch action {
            case .retransmit(let r): handleServer((try? server.send(response: r, now: now)) ?? [])
            case .startTimer(let t, let at): timers[.dialog(callID: callID, t)] = at
            case .cancelTimer(let t): timers[.dialog(callID: callID, t)] = nil
            case .ackTimedOut: break
            }
        }
    }

    mutating func handleClient(_ actions: [TransactionLayerAction]) {
        for action in actions {
            switch action {
            case .transmit(let m, _): network(m, to: .server)
            case .startTimer(let id, let at): timers[.client(id)] = at
            case .cancelTimer(let id): timers[.client(id)] = nil
            case .deliverToTU(.response(let r, let key)):
                let status = r.status!
                clientOutcomes[key, default: []].append(status < 200 ? "1xx" : status < 300 ? "2xx" : "final")
                if key.method == "INVITE", status >= 200, status < 300 {
                    // §13.2.2.4: the TU ACKs every 2xx, in a new transaction of its own.
                    ackBranches += 1
                    let ack = TransactionFixtures.request(
                        "ACK", branch: "z9hG4bK-ack\(ackBranches)", cseq: r.cseq.number, callID: r.callID, toTag: r.to.tag)
                    handleClient((try? client.send(request: ack, to: TransactionFixtures.engine, now: now)) ?? [])
                }
            case .deliverToTU(.timedOut(let key)): clientOutcomes[key, default: []].append("timeout")
            case .deliverToTU: break
            }
        }
    }
}

@Test(arguments: 0..<60)
func lossyRetransmissionsNeverDeliverARequestTwiceAndEveryTransactionEndsOnce(seed: Int) throws {
    var sim = LossyLinkSimulation(seed: UInt64(seed) &* 7919 &+ 17)
    try sim.run(requests: 6)
    // The server TU saw each request at most once, however often it was retransmitted.
    for (request, count) in sim.serverDeliveries {
        #expect(count == 1, "\(request) delivered \(count) times (seed \(seed))")
    }
    // Every client transaction ended exactly one way: one non-2xx final, 2xx (each copy, so the
    // TU can re-ACK), or one timeout; never a mix.
    for key in sim.sentKeys {
        let outcomes = (sim.clientOutcomes[key] ?? []).filter { $0 != "1xx" }
        let kinds = Set(outcomes)
        #expect(kinds.count == 1, "\(key): \(outcomes) (seed \(seed))")
        if kinds != ["2xx"] { #expect(outcomes.count == 1, "\(key): \(outcomes) (seed \(seed))") }
    }
    // Nothing leaks: every transaction terminated and every timer was cancelled or fired.
    #expect(sim.client.count == 0)
    #expect(sim.server.count == 0)
    #expect(sim.timers.isEmpty)
}
