import ArgumentParser
import Bench
import Engine
import Foundation
import Logging
import Simulator

/// `ccbench routing --e2e`: a real ccengine (started here), ccsim's virtual agents (more than the
/// calls that can be up at once, so no call waits) and Poisson customers over loopback SIP,
/// signalling only; latency = customer INVITE sent -> agent INVITE received, one clock, one
/// process, stamped at the phones' sockets (after the customer phone encodes, before the agent
/// phone decodes: `Observations`). Beside it, the bare reference: the same two loopback hops through a plain UDP
/// forwarder (`UDPEchoReference`).
struct EndToEndRouting {
    var rate: Double
    var duration: Double
    var sipPort: Int
    var pcap: String? = nil
    var priority: ThreadPriority = .normal
    var baseline = BaselineOptions()

    var calls: Int { max(1, Int(rate * duration)) }
    var agents: Int { max(20, Int(rate * 0.6) + 10) }  // hold 0.2 s + answer 0.05 s: ~rate/4 busy at once

    func run() throws {
        if let problem = priority.problemHere() {
            FileHandle.standardError.write(Data("ccbench: --engine-priority \(priority.rawValue) cannot be applied here (\(problem)); run as root or use --engine-priority normal\n".utf8))
            throw ExitCode(2)
        }
        let dir = BenchReport.directory("e2e")
        let result = try simulate(in: dir)
        let reference = UDPEchoReference.measure(count: min(calls, 2000), rate: Int(rate)) { [priority] in
            if let problem = priority.applyToCurrentThread(.signalling) { FileHandle.standardError.write(Data("ccbench: bare forwarder: \(problem)\n".utf8)) }
        }
        let e2e = LatencyFigures(result.inviteToAgentInvite)
        let bare = LatencyFigures(reference)
        print("end-to-end routing over SIP on loopback: \(calls) calls at \(rate)/s, \(agents) agents, engine priority \(priority.rawValue)")
        print("  " + "".padding(toLength: 28, withPad: " ", startingAt: 0) + "   p50 ms    p99 ms  p99.9 ms    max ms   samples")
        print("  " + e2e.row("INVITE -> agent INVITE"))
        print("  " + bare.row("bare UDP forwarder"))
        print(String(format: "  ratio p50 %.1f, p99 %.1f (engine / bare)", e2e.p50 / max(bare.p50, 1), e2e.p99 / max(bare.p99, 1)))
        print("report: \(try BenchReport.write(Report(enginePriority: priority.rawValue, rate: rate, engine: e2e, bare: bare), to: dir))")
        let text = "engine priority \(priority.rawValue); engine: p50 \(e2e.p50 / 1e6) ms, p99 \(e2e.p99 / 1e6) ms; bare: p50 \(bare.p50 / 1e6) ms, p99 \(bare.p99 / 1e6) ms"
        print("report: \(try BenchHTML.write(title: "end-to-end routing", text: text, charts: BenchHTML.endToEnd(engine: e2e, bare: bare), to: dir))")
        let ratios = [
            BenchRatio(name: "e2e p50 / bare p50 (priority \(priority.rawValue))", value: e2e.p50 / max(bare.p50, 1), higherIsBetter: false),
            BenchRatio(name: "e2e p99 / bare p99 (priority \(priority.rawValue))", value: e2e.p99 / max(bare.p99, 1), higherIsBetter: false),
        ]
        print("report: \(try Baseline.write(ratios, to: dir))")
        try baseline.check(ratios)
    }
}

extension EndToEndRouting {
    /// One ccsim run against a ccengine started in `dir`; `api` is the engine's `api:` section.
    func simulate(in dir: String, api: String? = nil) throws -> SimulationRun.Result {
        let scenario = try BenchScenario.write(
            name: "e2e", to: dir, sipPort: sipPort, agents: agents, answerDelay: "0.05s", seconds: Int(duration * 2 + 30), priority: priority,
            customers: "{queue: support, calls: \(calls), arrival: {poisson: \(rate)}, hold_time: 0.2s}", api: api)
        var options = SimulationRun.Options(reportDirectory: dir)
        options.media = false
        options.pcapPath = pcap
        options.quiet = true
        options.engineLogLevel = "warning"
        let box = ResultBox()
        let sem = DispatchSemaphore(value: 0)
        Task {
            box.set(await Result(catching: { try await SimulationRun(scenario: scenario, options: options, logger: Logger(label: "ccbench")).run() }))
            sem.signal()
        }
        sem.wait()
        return try box.get()
    }

    /// report.json: the figures and what they were measured with.
    struct Report: Encodable {
        var enginePriority: String
        var rate: Double
        var engine: LatencyFigures
        var bare: LatencyFigures
    }
}

struct LatencyFigures: Codable {
    var samples: Int
    var p50: Double, p99: Double, p999: Double, max: Double

    init(_ nanos: [UInt64]) {
        let s = nanos.sorted()
        func q(_ p: Double) -> Double { s.isEmpty ? 0 : Double(s[Swift.min(s.count - 1, Int(Double(s.count) * p))]) }
        samples = s.count
        p50 = q(0.5); p99 = q(0.99); p999 = q(0.999); max = Double(s.last ?? 0)
    }

    func row(_ name: String) -> String {
        name.padding(toLength: 28, withPad: " ", startingAt: 0)
            + String(format: " %9.3f %9.3f %9.3f %9.3f %9d", p50 / 1e6, p99 / 1e6, p999 / 1e6, max / 1e6, samples)
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<SimulationRun.Result, any Error>?
    func set(_ v: Result<SimulationRun.Result, any Error>) { lock.lock(); value = v; lock.unlock() }
    func get() throws -> SimulationRun.Result { lock.lock(); defer { lock.unlock() }; return try value!.get() }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
