import Foundation
import SIP
import Logging
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// A scenario follows one clock: the engine ccsim starts runs its routing timers on the
/// scenario's time scale, and virtual time ends at `duration` as the real run does.
@Suite(.serialized) struct OneClockTests {
    /// A call waits in 'sales' (nobody has the skill); the recipe moves it to 'support' at its 3rd
    /// tick (10 s ticks), where alice answers after 1 s: answered at 2 + 30 + 1 = 33 s.
    static let recipeMove = """
        name: one-clock-recipe
        seed: 3
        duration: 120s
        time_scale: 10
        engine:
          sip: {address: 127.0.0.1:5060, require_auth: false}
          media: {rtp_ports: 26700-26749}
          routing: {ring_timeout: 20s, tick: 10s}
          queues:
            - name: sales
              skills: [sales]
              recipe:
                - conditions: [{ticks: 3}]
                  operations: [{new_queue: support}]
            - name: support
          agents: [{login: alice}]
        agents:
          - logins: [alice]
            answer_delay: 1s
        customers:
          - queue: sales
            calls: 1
            arrival: {every: 1s, start: 2s}
            hold_time: 5s
        expect:
          all_answered: true
          final_queue: support
        """

    /// One agent, 15 s calls every 6 s, a 40 s run: two calls answered and done or talking... the
    /// 3rd is talking at 40 s and three wait: 2 answered, 4 unfinished, in both modes.
    static let cutAtDuration = """
        name: one-clock-cut
        seed: 4
        duration: 40s
        time_scale: 4
        engine:
          sip: {address: 127.0.0.1:5060, require_auth: false}
          media: {rtp_ports: 26750-26799}
          routing: {ring_timeout: 20s, tick: 10s}
          queues: [{name: support}]
          agents: [{login: alice}]
        agents:
          - logins: [alice]
            answer_delay: 0.5s
        customers:
          - queue: support
            calls: 6
            arrival: {every: 6s, start: 1s}
            hold_time: 15s
        """

    static func load(_ yaml: String, _ name: String) throws -> Scenario {
        let path = E2E.tempDirectory(name) + "/\(name).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try ScenarioFile.load(path)
    }

    /// The real run in its own process (the ccsim binary), as a user runs it: a scenario at
    /// time_scale 10 must not share this test process's threads with CPU-bound suites.
    static func realCalls(_ s: Scenario) throws -> [CallObservation] {
        let dir = E2E.tempDirectory(s.name + "-report")
        let (status, output) = try E2E.run(VerdictModesTests.ccsimBinary,
                                           ["run", s.file, "--report", dir, "--no-media", "--sip-port", "\(RawUDP().port)"], timeout: 120)
        #expect(status == 0 || status == 1, "\(output)")
        struct Report: Decodable { var calls: [CallObservation] }
        return try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))).calls
    }

    static func real(_ s: Scenario, engine: Endpoint? = nil) async throws -> SimulationRun.Result {
        var options = SimulationRun.Options(reportDirectory: E2E.tempDirectory(s.name))
        options.engineBinary = E2E.engineBinary
        options.engine = engine
        options.sipPortOverride = engine == nil ? RawUDP().port : nil
        options.quiet = true
        options.media = false
        return try await SimulationRun(scenario: s, options: options, logger: Logger(label: "test")).run()
    }

    @Test func recipeMoveHappensAtTheSameScenarioTimeRealAndVirtual() async throws {
        let s = try Self.load(Self.recipeMove, "one-clock-recipe")
        let real = try Self.realCalls(s)
        let (_, virtual) = try VirtualRun.run(s)
        let r = try #require(real.first), v = try #require(virtual.calls.first)
        #expect(r.outcome == .answered && v.outcome == .answered, "real \(r.outcome), virtual \(v.outcome)")
        // The move (3 ticks of 10 s after the call queued) and alice's 1 s answer, in scenario seconds.
        let rw = try #require(r.wait), vw = try #require(v.wait)
        #expect(abs(vw - 31) < 0.01, "virtual wait \(vw) s")
        #expect(abs(rw - vw) <= 10, "real wait \(rw) s, virtual \(vw) s: more than one tick apart")
        #expect(r.agent == "alice")
    }

    @Test func callsStillUpAtTheDurationCountTheSameRealAndVirtual() async throws {
        let s = try Self.load(Self.cutAtDuration, "one-clock-cut")
        let real = try Self.realCalls(s)
        let (_, virtual) = try VirtualRun.run(s)
        let rs = RunSummary(real), vs = RunSummary(virtual.calls)
        #expect(vs.offered == 6 && vs.answered == 2 && vs.unfinished == 4, "virtual \(vs.offered) offered, \(vs.answered) answered, \(vs.unfinished) unfinished")
        #expect(rs.offered == vs.offered && rs.answered == vs.answered && rs.unfinished == vs.unfinished && rs.failed == 0,
                "real \(rs.offered)/\(rs.answered)/\(rs.unfinished)/\(rs.failed) vs virtual \(vs.offered)/\(vs.answered)/\(vs.unfinished)/\(vs.failed)")
        #expect(virtual.calls.allSatisfy { ($0.endedAt ?? 0) <= 40 }, "virtual time ran past the duration")
    }

    @Test func externalEngineAtAnotherTimeScaleIsRefused() async throws {
        let port = RawUDP().port
        let engine = try ShutdownAndRestartTests.start(E2E.tempDirectory("one-clock-external"), port: port, rtp: "26750-26799")
        defer { engine.stop() }
        let s = try Self.load(Self.cutAtDuration, "one-clock-external-scenario")
        await #expect {
            _ = try await Self.real(s, engine: Endpoint(host: "127.0.0.1", port: port))
        } throws: { error in
            "\(error)".contains("runs its routing clock at time scale 1, the scenario at time_scale 4") && "\(error)".contains("--time-scale 4")
        }
    }
}
