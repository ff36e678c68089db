import ArgumentParser
import Bench
import Capture
import Engine
import Foundation

@main
struct CCBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccbench",
        abstract: "Measures the engine beside a bare reference in the same run, and reads captures.",
        discussion: """
            Every measure is reported as a ratio to a bare reference measured in the same run (this machine
            is shared and noisy), with absolute figures as context. Reports go to Reports/bench-<name>-<time>/.
            Build with `swift build -c release` for meaningful numbers.
            """,
        subcommands: [Routing.self, Ticks.self, RTP.self, Players.self, Calls.self, SIPPath.self, Pcap.self, Flood.self])
}

struct Routing: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Routing decision latency of the routing core over a grid of agents, skills and waiting calls.")

    @Flag(help: "Two small grid points, a few hundred decisions (smoke test).") var quick = false
    @Option(help: "Timed decisions per kind per grid point.") var decisions = 50_000
    @Option(help: "Report folder (default Reports/bench-routing-<time>).") var report: String?
    @Option(help: "Compare with an earlier report.json; exit 1 when a ratio to the bare reference regressed.") var baseline: String?
    @Option(help: "Allowed regression of a ratio against the baseline (0.5 = 50% worse). Ratios moved about ±15% between runs on this shared machine, so the default leaves room for twice that.") var tolerance = 0.5
    @Flag(help: "Measure over real SIP on loopback: customer INVITE sent -> agent INVITE received, through a ccengine this command starts.") var e2e = false
    @Option(help: "With --e2e: calls per second.") var rate = 100.0
    @Option(help: "With --e2e: seconds of calls.") var duration = 20.0
    @Option(help: "With --e2e: the SIP port of the engine started for the run.") var sipPort = 5180
    @Option(help: "With --e2e: capture the run's SIP on loopback into this classic pcap file.") var pcap: String?
    @Flag(help: "With --e2e: what the operations surface costs SIP: runs alternately without and with the API on, a WebSocket subscribed to /v1/events and /metrics scraped every second; prints the p99 ratio (target <= 1.10).") var operations = false
    @Option(help: "With --operations: pairs of runs (plain, with the surface).") var pairs = 2
    @Option(help: "With --e2e: the engine's `priority` (normal, high, realtime; see docs/configuration.md), also given to the bare forwarder's thread. Default realtime, what a dedicated host runs (needs root or CAP_SYS_NICE; refused up front otherwise); normal shows the engine sharing the CPU with the load generator.") var enginePriority: String?

    func validate() throws {
        if let p = enginePriority {
            guard e2e else { throw ValidationError("--engine-priority is for --e2e (the in-process routing bench starts no engine)") }
            guard ThreadPriority(name: p) != nil else { throw ValidationError("--engine-priority '\(p)' is not one of normal, high, realtime") }
        }
        if operations && !e2e { throw ValidationError("--operations measures over SIP: use it with --e2e") }
        if pcap != nil && !e2e { throw ValidationError("ccbench routing measures the routing core in process: nothing crosses the network without --e2e. Use --e2e --pcap FILE to capture the SIP of the end-to-end run.") }
    }

    func run() throws {
        if e2e {
            var options = BaselineOptions()
            options.baseline = baseline
            options.tolerance = tolerance
            let routing = EndToEndRouting(rate: rate, duration: duration, sipPort: sipPort, pcap: pcap,
                                          priority: enginePriority.flatMap { ThreadPriority(name: $0) } ?? .realtime, baseline: options)
            if operations { try OperationsCostBench(routing: routing, pairs: max(1, pairs)).run() } else { try routing.run() }
            return
        }
        let bench = quick ? RoutingBench.quick : RoutingBench(decisionsPerKind: decisions)
        let result = try bench.run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        print(result.textTable())
        let dir = report ?? BenchReport.directory("routing")
        let path = try BenchReport.write(result, to: dir)
        print("report: \(path)")
        print("report: \(try BenchHTML.write(title: "routing", text: result.textTable(), charts: BenchHTML.routing(result), to: dir))")
        if let baseline {
            let old = try JSONDecoder().decode(RoutingBenchResult.self, from: Data(contentsOf: URL(fileURLWithPath: baseline)))
            let regressions = BenchReport.regressions(old: old, new: result, tolerance: tolerance)
            for r in regressions { print("REGRESSION: \(r)") }
            if !regressions.isEmpty { throw ExitCode(1) }
            print("no regression beyond \(Int(tolerance * 100))% against \(baseline)")
        }
    }
}

struct Pcap: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forensics on a pcap or pcapng file: SIP ladders and RTP stream statistics (as tshark's rtp,streams).")

    @Argument(help: "Capture file (classic pcap or pcapng).") var file: String
    @Option(help: "Report folder (default Reports/bench-pcap-<time>).") var report: String?
    @Flag(help: "Also time the read against tshark on the same file.") var timing = false

    func run() throws {
        let forensics: ForensicsReport
        do {
            forensics = try CaptureForensics.analyze(path: file)
        } catch {
            FileHandle.standardError.write(Data("ccbench: \(file): \(error)\n".utf8))
            throw ExitCode(2)
        }
        let text = forensics.renderText()
        print(text)
        let dir = report ?? BenchReport.directory("pcap")
        let path = try BenchReport.write(forensics, to: dir)
        print("report: \(path)")
        print("report: \(try BenchHTML.forensics(forensics, text: text, to: dir))")
        if timing {
            let t = try ForensicsTiming.measure(path: file)
            print(t)
        }
    }
}

enum BenchReport {
    static func directory(_ name: String) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return "Reports/bench-\(name)-\(f.string(from: Date()))"
    }

    static func write(_ value: some Encodable, to dir: String, file: String = "report.json") throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = dir + "/" + file
        try enc.encode(value).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Ratios to the bare reference, point by point: a regression is a ratio that grew by more
    /// than the tolerance.
    static func regressions(old: RoutingBenchResult, new: RoutingBenchResult, tolerance: Double) -> [String] {
        var out: [String] = []
        for n in new.points {
            guard let o = old.points.first(where: { $0.point == n.point }) else { continue }
            for (name, was, now) in [("call arrival", o.callArrivalOverBare, n.callArrivalOverBare), ("agent available", o.agentAvailableOverBare, n.agentAvailableOverBare)]
            where was > 0 && now > was * (1 + tolerance) {
                out.append("\(n.point): \(name) ratio to bare \(String(format: "%.1f", was)) -> \(String(format: "%.1f", now))")
            }
        }
        return out
    }
}

struct Flood: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a bounded flood of random and mutated SIP datagrams to an engine on loopback, probing it with OPTIONS throughout.",
        discussion: """
            Only 127.0.0.0/8 targets are accepted. An OPTIONS probe goes every --probe-ms from a socket of its own during \
            the flood and after it; with --pid the engine's RSS is sampled with each probe, and after the flood the \
            watch goes on until RSS is back within 20 MB of its start (at most --settle seconds).
            """)
    @Option(help: "Engine address, HOST:PORT (loopback only).") var engine = "127.0.0.1:5060"
    @Option(help: "Datagrams to send.") var count = 100_000
    @Option(help: "Datagrams per second at most (0: unlimited).") var rate = 20_000
    @Option(help: "Seed of the generator (a crash replays with the same seed).") var seed: UInt64 = 1
    @Option(help: "The engine's process ID, to follow its resident memory.") var pid: Int32?
    @Option(help: "With --pid: seconds at most to wait after the flood for RSS to come back within 20 MB of its start.") var settle = 60
    @Option(help: "Milliseconds between two OPTIONS probes.") var probeMs = 100

    func run() throws {
        let parts = engine.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--engine must be HOST:PORT") }
        if let pid, kill(pid, 0) != 0 { throw ValidationError("--pid \(pid): no such process") }
        let host = String(parts[0])
        let flooding = try EngineWatch(host: host, port: port, interval: Double(probeMs) / 1000, pid: pid)
        flooding.start()
        let r = try SIPFlood(host: host, port: port, count: count, rate: rate, seed: seed).run()
        let during = flooding.stop()
        print("sent \(r.sent) datagrams (\(r.randomBytes) random, \(r.mutated) mutated) in \(String(format: "%.1f", r.seconds)) s; \(r.responsesSeen) answers received")
        print("during the flood: \(Self.describe(during))")
        let settling = try EngineWatch(host: host, port: port, interval: Double(probeMs) / 1000, pid: pid)
        settling.start()
        let began = Date()
        var back: Double?
        if let start = during.rssStartMB {
            while Date().timeIntervalSince(began) < Double(settle) {
                Thread.sleep(forTimeInterval: 1)
                guard let now = settling.residentMB else { break }
                if now - start <= 20 { back = Date().timeIntervalSince(began); break }
            }
        } else {
            Thread.sleep(forTimeInterval: 1)
        }
        let after = settling.stop()
        print("after the flood: \(Self.describe(after))")
        if let start = during.rssStartMB, let end = after.rssLastMB {
            print(String(format: "RSS %.1f MB at start, %.1f MB at its peak, %.1f MB at the end of the flood, %.1f MB %@ (%+.1f MB; target: within 20 MB within a minute)",
                         start, during.rssPeakMB ?? .nan, during.rssLastMB ?? .nan, end,
                         back.map { String(format: "%.0f s after it: back within 20 MB", $0) } ?? "after \(settle) s: NOT back within 20 MB", end - start))
        }
        if after.probesAnswered == 0 { throw ValidationError("the engine no longer answers OPTIONS") }
    }

    static func describe(_ s: EngineWatch.Summary) -> String {
        String(format: "OPTIONS answered %d of %d, longest without an answer %.2f s, OPTIONS -> 200 p50 %.2f p99 %.2f ms",
               s.probesAnswered, s.probesSent, s.longestSilenceSeconds, Double(s.answer.p50Nanos) / 1e6, Double(s.answer.p99Nanos) / 1e6)
    }
}

struct Calls: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Full call setups per second through a ccengine this command starts (SIPp uac, ccsim agents), ramped until calls fail; beside SIPp uac -> uas as the reference.")
    @Option(help: "Call rates to ramp through, comma-separated.") var rates = "100,200,300,400,500,600,800,1000"
    @Option(help: "Seconds per step.") var seconds = 10
    @Option(help: "Virtual agents answering.") var agents = 60
    @Option(help: "SIP port of the engine started for the run.") var sipPort = 5190
    @Option(help: "Capture the run's SIP on loopback into this classic pcap file.") var pcap: String?
    @Flag(help: "Overload: --rates names the sustained rate; it is offered, then --factor times it for --seconds, then again.") var overload = false
    @Option(help: "With --overload: how many times the sustained rate the overload phase offers.") var factor = 3
    @Option(help: "With --overload: the engine's overload keys, e.g. \"max_loop_lag_ms: 5, max_queued_kb: 32\" (default: the engine's defaults).") var limits: String?
    @Option(help: "With --overload: the engine's `priority` (normal, high, realtime). Default normal: the engine shares the 2 cores with SIPp and the agents; realtime is what a dedicated host runs (needs root or CAP_SYS_NICE).") var enginePriority = "normal"
    @Flag(help: "Memory: --calls calls at the first of --rates, the engine's RSS after the first 1,000, after all, and over --idle seconds after.") var memory = false
    @Option(help: "With --memory: calls to place.") var calls = 100_000
    @Option(help: "With --memory: seconds idle after the calls, RSS sampled each second.") var idle = 60
    @Option(help: "With --memory: then hold this many calls bridged at once (at most 3000; agents are raised to match) and report the engine's memory per call in flight (0: skip). The agents then number N+50 for the whole run, which raises the other figures' start.") var inFlight = 0
    @OptionGroup var baseline: BaselineOptions

    func run() throws {
        let list = rates.split(separator: ",").compactMap { Int($0) }
        if overload { return try runOverload(list) }
        if memory { return try runMemory(list) }
        let dir = BenchReport.directory("calls")
        let steps = try CallSetupBench(rates: list, secondsPerStep: seconds, agents: agents, sipPort: sipPort, pcap: pcap, directory: dir).run()
        let best = steps.filter { $0.failed == 0 && $0.successful == $0.calls }.map(\.rate).max() ?? 0
        let reference = steps.filter { $0.referenceFailed == 0 && $0.referenceSuccessful == $0.calls }.map(\.rate).max() ?? 0
        print("sustained with 0 failures: \(best) call setups/s (load generator: SIPp \"uac\"; agents: ccsim, no media); SIPp uac -> uas: \(reference)/s")
        print("report: \(try BenchReport.write(steps, to: dir))")
        print("report: \(try BenchHTML.write(title: "call setups", text: CallSetupBench.table(steps, best: best), charts: BenchHTML.calls(steps), to: dir))")
        let ratios = [BenchRatio(name: "sustained setups/s / SIPp uac->uas", value: reference > 0 ? Double(best) / Double(reference) : 0, higherIsBetter: true)]
        print("report: \(try Baseline.write(ratios, to: dir))")
        try baseline.check(ratios)
    }
}

extension Calls {
    func runMemory(_ list: [Int]) throws {
        guard let rate = list.first, rate > 0, calls > 1000, idle >= 0 else {
            throw ValidationError("--memory takes a rate in --rates (e.g. 500), --calls above 1000 and --idle seconds")
        }
        guard (0...3000).contains(inFlight) else { throw ValidationError("--in-flight takes 0 to 3000 calls (four relay ports each, below port 25300)") }
        let dir = BenchReport.directory("memory")
        let r = try MemoryBench(calls: calls, rate: rate, idleSeconds: idle, agents: agents, sipPort: sipPort, directory: dir, inFlight: inFlight).run()
        print(String(format: "memory: %d calls at %d/s (%d ok, %d failed): RSS %.1f MB at start, %.1f MB after 1,000 calls, %.1f MB after %d, %.1f MB after %d s idle: %+.1f MB against after-1,000 (target within 20)",
                     r.calls, r.rate, r.successful, r.failed, r.rssStartMB, r.rssAfterFirst1000MB, r.rssAfterAllMB, r.calls, r.rssIdleEndMB, r.idleSeconds, r.growthMB))
        if let n = r.inFlightCalls, let perCall = r.kbPerCallInFlight {
            print(String(format: "in flight: %d calls up at once (%d failed): RSS %.1f MB before, %.1f MB then = %.1f KB per call in flight (relay legs, dialogs, transactions)",
                         n, r.inFlightFailed ?? 0, r.rssBeforeInFlightMB ?? .nan, r.rssInFlightMB ?? .nan, perCall))
        }
        print("report: \(try BenchReport.write(r, to: dir))")
        let ratios = [BenchRatio(name: "RSS idle after all calls / after 1,000", value: r.rssIdleEndMB / r.rssAfterFirst1000MB, higherIsBetter: false)]
        print("report: \(try Baseline.write(ratios, to: dir))")
        try baseline.check(ratios)
    }

    func runOverload(_ list: [Int]) throws {
        guard list.count == 1, let sustained = list.first, sustained > 0 else {
            throw ValidationError("--overload takes one rate in --rates: the sustained rate (from a plain `ccbench calls` run)")
        }
        guard pcap == nil else { throw ValidationError("--pcap is not taken with --overload (the capture would be the bottleneck)") }
        guard let priority = ThreadPriority(name: enginePriority) else { throw ValidationError("--engine-priority '\(enginePriority)' is not one of normal, high, realtime") }
        if let problem = priority.problemHere() { throw ValidationError("--engine-priority \(enginePriority) cannot be applied here (\(problem)); run as root or use normal") }
        let dir = BenchReport.directory("overload")
        print("overload bench: engine priority \(priority.rawValue)")
        let phases = try OverloadBench(sustained: sustained, factor: factor, seconds: seconds, agents: agents, sipPort: sipPort, directory: dir,
                                       limits: limits, priority: priority).run()
        guard phases.count == 3 else { return }
        let (before, over, after) = (phases[0], phases[1], phases[2])
        let admitted = over.completedPerSecond / Double(sustained)
        let latency = (over.inviteToAgentInvite.p99 ?? .nan) / (before.inviteToAgentInvite.p99 ?? .nan)
        print(String(format: "overload x%d: admitted %.0f calls/s = %.2f of the sustained rate (target >= 0.90); INVITE->agent INVITE p99 %.2f ms vs %.2f unloaded = x%.2f (target <= 2); refused %d with 503 (p99 %.0f ms); half set up %d; RSS %.0f -> %.0f -> %.0f MB; next normal run %@",
                     factor, over.completedPerSecond, admitted, over.inviteToAgentInvite.p99 ?? .nan, before.inviteToAgentInvite.p99 ?? .nan, latency, over.refused, over.invite503.p99 ?? .nan,
                     over.sippFailed, before.engineRSSMB, over.engineRSSMB, after.engineRSSMB,
                     after.sippFailed == 0 && after.refused == 0 && after.other.isEmpty ? "clean" : "NOT clean"))
        print("report: \(try BenchReport.write(phases, to: dir))")
        let ratios = [
            BenchRatio(name: "overload admitted calls/s / sustained", value: admitted, higherIsBetter: true),
            BenchRatio(name: "overload INVITE->agent INVITE p99 / unloaded", value: latency, higherIsBetter: false),
        ]
        print("report: \(try Baseline.write(ratios, to: dir))")
        try baseline.check(ratios)
    }
}

struct SIPPath: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sip",
        abstract: "The engine's per-message CPU cost in process (decode, transactions, B2BUA, routing core, encode) over whole calls, beside a bare copy-and-hash reference.")
    @Option(help: "Calls to push through.") var calls = 20_000
    @Option(help: "Report folder (default Reports/bench-sip-<time>).") var report: String?
    @OptionGroup var baseline: BaselineOptions

    func run() throws {
        let result = try SIPPathBench(calls: calls).run()
        print(result.textTable())
        let dir = report ?? BenchReport.directory("sip")
        print("report: \(try BenchReport.write(result, to: dir))")
        let ratios = [BenchRatio(name: "engine µs per message / bare", value: result.ratio, higherIsBetter: false)]
        print("report: \(try Baseline.write(ratios, to: dir))")
        try baseline.check(ratios)
    }
}

struct Ticks: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recipe tick lateness in the engine's timer path (routing core + NIO scheduled tasks) beside a bare timerfd/epoll loop.")
    @Flag(help: "100 calls, 0.2 s tick, 1 s (smoke test).") var quick = false
    @Option(help: "Concurrent waiting calls per step, comma-separated.") var sizes = "1000,10000,50000"
    @Option(help: "Seconds per size.") var seconds = 10.0
    @Flag(help: "Also run with 1 µs timer slack (prctl PR_SET_TIMERSLACK).") var lowSlack = false
    @Option(help: "Report folder (default Reports/bench-ticks-<time>).") var report: String?
    @OptionGroup var baseline: BaselineOptions
    @Option(help: "Refused: the tick bench runs in process and sends no packet (use routing --e2e, calls or rtp with --pcap).") var pcap: String?

    func validate() throws {
        if pcap != nil { throw ValidationError("ccbench ticks runs in one process (the engine's timer path and a bare timerfd loop): nothing crosses the network, so there is nothing to capture. --pcap works with routing --e2e, calls and rtp.") }
    }

    func run() throws {
        let bench = quick ? TickBench.quick : TickBench(
            sizes: sizes.split(separator: ",").compactMap { Int($0) }, secondsPerSize: seconds,
            timerSlacks: lowSlack ? [nil, 1_000] : [nil])
        let result = try bench.run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        print(result.textTable())
        let dir = report ?? BenchReport.directory("ticks")
        print("report: \(try BenchReport.write(result, to: dir))")
        print("report: \(try BenchHTML.write(title: "recipe ticks", text: result.textTable(), charts: BenchHTML.ticks(result), to: dir))")
        print("report: \(try Baseline.write(Baseline.ticks(result), to: dir))")
        try baseline.check(Baseline.ticks(result))
    }
}

struct Players: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "players",
        abstract: "Music on hold to N waiting callers from one relay thread (RTPRelay.play), beside a bare timerfd player: pacing jitter per stream from kernel receive stamps, lost frames, CPU.")
    @Flag(help: "50 streams, 2 s (smoke test).") var quick = false
    @Option(help: "Concurrent streams.") var streams = 2000
    @Option(help: "Seconds measured per path.") var seconds = 10.0
    @Option(help: "Relay ports, LOW-HIGH (four per stream).") var ports = "30000-39999"
    @Option(help: "Scheduling of the relay's thread and the bare player's alike: the engine's `priority` (normal, high, realtime). Default realtime, what `priority: realtime` gives the engine's relay threads (needs root or CAP_SYS_NICE); normal shares the CPU with the receiver.") var priority = "realtime"

    func run() throws {
        let bounds = ports.split(separator: "-").compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] < bounds[1] else { throw ValidationError("--ports must be LOW-HIGH, e.g. 30000-39999") }
        guard let scheduling = ThreadPriority(name: priority) else { throw ValidationError("--priority '\(priority)' is not one of normal, high, realtime") }
        if let problem = scheduling.problemHere() { throw ValidationError("--priority \(priority) cannot be applied here (\(problem)); run as root or use --priority normal") }
        let bench = PlayerBench(streams: quick ? 50 : streams, seconds: quick ? 2 : seconds, ports: bounds[0]...bounds[1]) {
            if let problem = scheduling.applyToCurrentThread(.media) { FileHandle.standardError.write(Data("ccbench: \(problem)\n".utf8)) }
        }
        print("music on hold from one relay thread beside a bare player, both at priority \(scheduling.rawValue)")
        let result = try bench.run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        print(result.textTable())
    }
}

struct RTP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtp",
        abstract: "RTP bridging throughput of the engine's relay (RTPRelay) beside a bare recvfrom/sendto relay, same generator, ramped until loss > 0.1% or added jitter > 1 ms.")
    @Flag(help: "10 calls, 0.5 s (smoke test).") var quick = false
    @Option(help: "Calls per ramp step, comma-separated.") var steps = "100,250,500,750,1000,1250,1500,2000,2500,3000"
    @Option(help: "Seconds per step.") var seconds = 2.5
    @Option(help: "Relay event-loop threads.") var threads = 2
    @Option(help: "Added-jitter limit in ms.") var jitterLimit = 1.0
    @Option(help: "Report folder (default Reports/bench-rtp-<time>).") var report: String?
    @OptionGroup var baseline: BaselineOptions
    @Option(help: "Capture the relayed RTP on loopback (the relays' ports) into this classic pcap file. At the top steps that is over 100k packets/s: the capture's own drops are printed.") var pcap: String?

    func run() throws {
        let bench = quick ? RTPBench.quick : RTPBench(
            steps: steps.split(separator: ",").compactMap { Int($0) }, secondsPerStep: seconds, threads: threads, jitterLimitMillis: jitterLimit)
        var capture: PacketCapture?
        if let pcap {
            capture = try PacketCapture(path: pcap, filter: "udp and host 127.0.0.1 and portrange \(bench.ports.lowerBound)-\(bench.ports.upperBound)")
            capture?.start()
        }
        let result = try bench.run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        if let capture, let pcap {
            let stats = capture.stop()
            print("capture: \(pcap): \(stats.written) packets written, \(stats.dropped) dropped by the kernel")
        }
        print(result.textTable())
        let dir = report ?? BenchReport.directory("rtp")
        print("report: \(try BenchReport.write(result, to: dir))")
        print("report: \(try BenchHTML.write(title: "RTP relay", text: result.textTable(), charts: BenchHTML.rtp(result), to: dir))")
        print("report: \(try Baseline.write(Baseline.rtp(result), to: dir))")
        try baseline.check(Baseline.rtp(result))
    }
}
