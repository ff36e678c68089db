import ArgumentParser
import Engine
import Foundation
import HTMLReport
import SIP
import Logging
import Simulator
import VirtualTime
import YAMLConfig

@main
struct CCSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccsim",
        abstract: "Call-center simulator: virtual SIP agents and customers against a real ccengine.",
        discussion: "Exit codes: 0 every expectation holds, 1 an expectation failed, 2 bad scenario or engine start failure.",
        subcommands: [Run.self, Validate.self, Plan.self, Compare.self, ErlangCheck.self])
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a scenario against a real engine (started by ccsim unless --engine is given).")

    @Argument(help: "Scenario file (YAML).") var scenario: String
    @Option(help: "Use a running engine at HOST:PORT instead of starting one.") var engine: String?
    @Option(help: "The running engine's records database (calls.sqlite), for the cross-check with --engine.") var records: String?
    @Option(help: "ccengine binary to start (default: the one beside ccsim).") var engineBinary: String?
    @Option(help: "SIP port for the engine ccsim starts (overrides the scenario's).") var sipPort: Int?
    @Option(help: "Capture the run's SIP and RTP on loopback into this classic pcap file.") var pcap: String?
    @Option(help: "Report folder (default Reports/<scenario>-<time>).") var report: String?
    @Flag(help: "Signalling only: no RTP.") var noMedia = false
    @Option(help: "Write JUnit XML (one test case per expectation) to this file.") var junit: String?
    @Flag(help: "Run on the routing core in simulated time: no sockets, no media (seconds for a day of calls).") var virtualTime = false
    @Option(help: "Engine log level.") var engineLogLevel = "info"

    /// Exit 2 with the error on stderr, and in the JUnit file when one was asked for.
    func fail(_ message: String, scenario name: String? = nil) -> ExitCode {
        FileHandle.standardError.write(Data("ccsim: \(message)\n".utf8))
        if let junit {
            let suite = name ?? ((scenario as NSString).lastPathComponent as NSString).deletingPathExtension
            try? JUnitWriter.error(scenario: suite, message: message).write(toFile: junit, atomically: true, encoding: .utf8)
        }
        return ExitCode(2)
    }

    func run() async throws {
        let s: Scenario
        do {
            s = try ScenarioFile.load(scenario)
        } catch {
            throw fail("\(error)")
        }
        var options = SimulationRun.Options(reportDirectory: report ?? ReportWriter.defaultDirectory(for: s.name))
        if let engine {
            guard let e = Endpoint(engine, defaultPort: 5060) else { throw fail("--engine '\(engine)' is not HOST:PORT", scenario: s.name) }
            options.engine = e
        }
        options.recordsPath = records
        options.engineBinary = engineBinary
        options.sipPortOverride = sipPort
        options.pcapPath = pcap
        options.media = !noMedia
        options.engineLogLevel = engineLogLevel
        let logger = Logger(label: "ccsim")
        let result: SimulationRun.Result
        var agentStates: [Series]?
        do {
            if virtualTime {
                let (v, r) = try VirtualRun.run(s)
                result = r
                agentStates = VirtualRun.agentStateSeries(v)
                try FileManager.default.createDirectory(atPath: options.reportDirectory, withIntermediateDirectories: true)
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                try enc.encode(v).write(to: URL(fileURLWithPath: options.reportDirectory + "/virtual.json"))
                print(String(format: "virtual time: %.0f s simulated, %d events in %.2f s; P(wait) %.4f, ASA %.2f s, abandonment %.4f",
                             v.simulatedTime, v.eventsProcessed, r.elapsed, v.probabilityOfWait.estimate,
                             v.averageSpeedOfAnswer.estimate, v.abandonRate.estimate))
            } else {
                result = try await SimulationRun(scenario: s, options: options, logger: logger).run()
            }
        } catch {
            throw fail("\(error)", scenario: s.name)
        }
        let verdict = Verdict(result: result)
        print(SummaryPrinter.text(result, verdict: verdict), terminator: "")
        let path = try ReportWriter.write(result, verdict: verdict, to: options.reportDirectory)
        print("report: \(path)")
        print("report: \(try HTMLReportWriter.write(result, verdict: verdict, to: options.reportDirectory, agentStates: agentStates))")
        if let pcap { print("capture: \(pcap)") }
        if let junit {
            try JUnitWriter.xml(result, verdict: verdict).write(toFile: junit, atomically: true, encoding: .utf8)
            print("junit: \(junit)")
        }
        if !verdict.passed { throw ExitCode(1) }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a scenario file without running it.")
    @Argument(help: "Scenario files (YAML).") var scenarios: [String]

    func run() throws {
        var bad = false
        for path in scenarios {
            do {
                let s = try ScenarioFile.load(path)
                let fixed = s.customerStreams.compactMap(\.calls).reduce(0, +), open = s.customerStreams.filter { $0.calls == nil }.count
                let calls = (fixed > 0 || open == 0 ? ["\(fixed) calls"] : []) + (open > 0 ? ["\(open) stream\(open == 1 ? "" : "s") arriving until \(String(format: "%g", s.maxDuration)) s"] : [])
                print("\(path): OK (\(s.agentGroups.reduce(0) { $0 + $1.logins.count }) agents, \(calls.joined(separator: " + ")), \(s.expectations.count) expectations)")
            } catch {
                print("\(error)")
                bad = true
            }
        }
        if bad { throw ExitCode(2) }
    }
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Compare two runs' report.json side by side (e.g. a real run and a virtual-time run).")
    @Argument(help: "First report.json.") var a: String
    @Argument(help: "Second report.json.") var b: String

    func run() throws {
        struct R: Decodable { var scenario: String; var summary: RunSummary; var calls: [CallObservation] }
        let ra = try JSONDecoder().decode(R.self, from: Data(contentsOf: URL(fileURLWithPath: a)))
        let rb = try JSONDecoder().decode(R.self, from: Data(contentsOf: URL(fileURLWithPath: b)))
        func row(_ name: String, _ x: Double, _ y: Double, _ se: Double) -> String {
            name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: " %10.4f %10.4f   diff %+.4f (%.1f standard errors)", x, y, y - x, se > 0 ? abs(y - x) / se : 0)
        }
        // Standard errors from the two samples (binomial for rates, sample variance for waits).
        func rateSE(_ p1: Double, _ n1: Int, _ p2: Double, _ n2: Int) -> Double {
            (p1 * (1 - p1) / Double(max(n1, 1)) + p2 * (1 - p2) / Double(max(n2, 1))).squareRoot()
        }
        func waits(_ calls: [CallObservation]) -> [Double] { calls.filter { $0.outcome == .answered }.compactMap(\.wait) }
        func sd(_ xs: [Double]) -> Double {
            guard xs.count > 1 else { return 0 }
            let m = xs.reduce(0, +) / Double(xs.count)
            return (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
        }
        let wa = waits(ra.calls), wb = waits(rb.calls)
        let asaSE = ((sd(wa) * sd(wa)) / Double(max(wa.count, 1)) + (sd(wb) * sd(wb)) / Double(max(wb.count, 1))).squareRoot()
        print("metric".padding(toLength: 22, withPad: " ", startingAt: 0) + " " + String(URL(fileURLWithPath: a).deletingLastPathComponent().lastPathComponent.suffix(10)).padding(toLength: 10, withPad: " ", startingAt: 0) + " " + String(URL(fileURLWithPath: b).deletingLastPathComponent().lastPathComponent.suffix(10)))
        print(row("offered", Double(ra.summary.offered), Double(rb.summary.offered), 0))
        print(row("SL(20 s) of offered", ra.summary.serviceLevel20s, rb.summary.serviceLevel20s,
                  rateSE(ra.summary.serviceLevel20s, ra.summary.offered, rb.summary.serviceLevel20s, rb.summary.offered)))
        print(row("ASA (s)", ra.summary.asa, rb.summary.asa, asaSE))
        print(row("abandonment", ra.summary.abandonRate, rb.summary.abandonRate,
                  rateSE(ra.summary.abandonRate, ra.summary.offered, rb.summary.abandonRate, rb.summary.offered)))
        print("  (differences within about 2 standard errors are statistical noise; the errors assume independent")
        print("   calls, and waits in a queue are correlated, so they understate the true spread of small runs)")
    }
}
