import CallCenter
import Metrics
import SIP

/// The engine's metrics through swift-metrics (the process bootstraps a backend: ccengine uses
/// swift-prometheus and serves `/metrics`; without one they cost a no-op). Names follow
/// Prometheus practice: one prefix `ccengine_`, base units, `_total` counters, no ids in labels
/// (queues, states, methods and classes only; a method a peer invents counts as `other`).
/// Fed on the SIP loop, except the state writer's lag. `EngineMetrics.help` describes each.
public final class EngineMetrics: @unchecked Sendable {
    static let prefix = "ccengine_"
    /// The help text of each metric, for the exposition (docs/operations.md lists them too).
    public static let help: [String: String] = [
        "ccengine_queue_calls_waiting": "Calls waiting in the queue for an agent (not ringing).",
        "ccengine_queue_longest_wait_seconds": "How long the call waiting longest has been in the queue.",
        "ccengine_queue_wait_seconds": "Time answered calls waited before an agent answered; a bucket sits at the service-level threshold.",
        "ccengine_calls_total": "Calls that ended, by the queue they ended in and their outcome (disposition).",
        "ccengine_queue_agents": "Agents whose skills cover the queue, by state.",
        "ccengine_ring_attempts_total": "Agent rings by result: answered, no_answer (refused or rang out).",
        "ccengine_sip_requests_total": "SIP requests by method and direction (received, sent; retransmissions included).",
        "ccengine_sip_responses_total": "SIP responses by class (1xx..6xx) and direction.",
        "ccengine_relay_sessions": "Calls whose media the relay holds open.",
        "ccengine_relay_packets_total": "RTP packets the relay forwarded.",
        "ccengine_record_write_lag_seconds": "Age of the oldest write in the state writer's last committed batch.",
        "ccengine_sip_thread_busy_ratio": "Share of the last 100 ms the SIP thread spent on the CPU (overload control aims at overload.target_busy_percent while shedding).",
    ]
    static let knownMethods: Set<String> = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "INFO", "MESSAGE", "UPDATE", "PRACK", "NOTIFY", "REFER", "SUBSCRIBE"]
    static let agentStates = ["offline", "available", "ringing", "oncall", "wrapup", "released"]

    private var counters: [String: Counter] = [:]
    /// The SIP counters, made once: by method per direction (0 received, 1 sent), by class.
    private var requests: [[String: Counter]] = [[:], [:]]
    private var responses: [[Counter]] = []
    private var otherRequests: [Counter] = []
    private var gauges: [String: Gauge] = [:]
    private var timers: [String: Metrics.Timer] = [:]
    private var relayedSoFar = 0
    let writeLag = Gauge(label: "ccengine_record_write_lag_seconds")
    /// The SIP thread's occupancy, from each load report.
    let sipBusy = Gauge(label: "ccengine_sip_thread_busy_ratio")

    private func counter(_ name: String, _ dims: [(String, String)]) -> Counter {
        let key = name + dims.map { "\u{0}\($0.1)" }.joined()
        if let c = counters[key] { return c }
        let c = Counter(label: name, dimensions: dims)
        counters[key] = c
        return c
    }

    private func gauge(_ name: String, _ dims: [(String, String)]) -> Gauge {
        let key = name + dims.map { "\u{0}\($0.1)" }.joined()
        if let g = gauges[key] { return g }
        let g = Gauge(label: name, dimensions: dims)
        gauges[key] = g
        return g
    }

    init() {
        for (d, direction) in ["received", "sent"].enumerated() {
            for method in Self.knownMethods {
                requests[d][method] = Counter(label: "ccengine_sip_requests_total", dimensions: [("method", method), ("direction", direction)])
            }
            otherRequests.append(Counter(label: "ccengine_sip_requests_total", dimensions: [("method", "other"), ("direction", direction)]))
            responses.append((1...6).map { Counter(label: "ccengine_sip_responses_total", dimensions: [("class", "\($0)xx"), ("direction", direction)]) })
        }
    }

    /// On the SIP path for every message: no string is built, no counter made.
    func sip(_ m: SIPMessage, sent: Bool) {
        let d = sent ? 1 : 0
        if let method = m.method {
            (requests[d][method] ?? otherRequests[d]).increment()
        } else if let status = m.status {
            responses[d][min(max(status / 100, 1), 6) - 1].increment()
        }
    }

    func observe(_ event: OperationsEvent) {
        switch event.kind {
        case .callAnswered(_, let queue, _, _, let hold, _):
            counter("ccengine_ring_attempts_total", [("result", "answered")]).increment()
            let key = "wait\u{0}" + queue
            let timer = timers[key] ?? Metrics.Timer(label: "ccengine_queue_wait_seconds", dimensions: [("queue", queue)])
            timers[key] = timer
            timer.recordNanoseconds(Int64(hold.seconds * 1e9))
        case .ringNoAnswer:
            counter("ccengine_ring_attempts_total", [("result", "no_answer")]).increment()
        case .callEnded(let r, _, _):
            counter("ccengine_calls_total", [("queue", r.queue), ("outcome", r.disposition.rawValue)]).increment()
        case .callQueued, .callOffered, .agentStateChanged, .queueFigures:
            break
        }
    }

    /// Once a second: the queues' live figures and the relay's counts.
    func sample(_ queues: [OperationsEvent.QueueFigures], now: Duration, relaySessions: Int, relayed: Int, connections: [Transport: Int] = [:]) {
        for q in queues {
            gauge("ccengine_queue_calls_waiting", [("queue", q.queue)]).record(q.waiting)
            gauge("ccengine_queue_longest_wait_seconds", [("queue", q.queue)]).record(q.oldestWaitingSince.map { (now - $0).seconds } ?? 0)
            for state in Self.agentStates {
                gauge("ccengine_queue_agents", [("queue", q.queue), ("state", state)]).record(q.agentsByState[state] ?? 0)
            }
        }
        gauge("ccengine_relay_sessions", []).record(relaySessions)
        for (transport, open) in connections { gauge("ccengine_sip_connections", [("transport", transport.rawValue)]).record(open) }
        if relayed > relayedSoFar { counter("ccengine_relay_packets_total", []).increment(by: relayed - relayedSoFar) }
        relayedSoFar = relayed
    }
}
