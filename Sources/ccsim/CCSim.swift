import ArgumentParser
import Engine
import Foundation
import Logging
import Simulator
import YAMLConfig

@main
struct CCSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccsim",
        abstract: "Call-center simulator: virtual SIP agents and customers against a real ccengine.",
        discussion: "Exit codes: 0 every expectation holds, 1 an expectation failed, 2 bad scenario or engine start failure.",
        subcommands: [Run.self, Validate.self])
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
    @Option(help: "Engine log level.") var engineLogLevel = "info"

    func run() async throws {
        let s: Scenario
        do {
            s = try ScenarioFile.load(scenario)
        } catch {
            FileHandle.standardError.write(Data("ccsim: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var options = SimulationRun.Options(reportDirectory: report ?? ReportWriter.defaultDirectory(for: s.name))
        if let engine {
            guard let e = Endpoint(engine, defaultPort: 5060) else {
                FileHandle.standardError.write(Data("ccsim: --engine '\(engine)' is not HOST:PORT\n".utf8))
                throw ExitCode(2)
            }
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
        do {
            result = try await SimulationRun(scenario: s, options: options, logger: logger).run()
        } catch {
            FileHandle.standardError.write(Data("ccsim: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let verdict = Verdict(result: result)
        print(SummaryPrinter.text(result, verdict: verdict), terminator: "")
        let path = try ReportWriter.write(result, verdict: verdict, to: options.reportDirectory)
        print("report: \(path)")
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
                print("\(path): OK (\(s.agentGroups.reduce(0) { $0 + $1.logins.count }) agents, \(s.customerStreams.reduce(0) { $0 + $1.calls }) calls, \(s.expectations.count) expectations)")
            } catch {
                print("\(error)")
                bad = true
            }
        }
        if bad { throw ExitCode(2) }
    }
}
