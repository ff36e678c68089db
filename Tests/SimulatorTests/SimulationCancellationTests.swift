import Foundation
import Testing
@testable import Engine
@testable import Simulator

/// A ccsim run cancelled while its customers call (ccbench's `finish`, a program stopping)
/// stops at once: no further arrival (fewer than the 100 calls of the scenario are placed), the
/// calls up are ended and the engine stopped with every row closed, and the run throws
/// `CancellationError`, rather than placing calls for the scenario's two minutes.
@Suite struct SimulationCancellationTests {
    @Test func aCancelledRunStopsPlacingCallsAndEndsThoseUp() async throws {
        let (path, dir) = try QueueMediaScenarioTests.write(name: "cancelled", folder: "cancelled-run", rtp: 33800...33899, duration: "120s", """
              queues: [{name: support}]
              agents: [{login: alice, password: alice-secret}]
            agents:
              - {logins: [alice], answer_delay: 0.2s}
            customers:
              - {queue: support, calls: 100, arrival: {every: 1s}, hold_time: 60s}
            """)
        let run = Task { try await QueueMediaScenarioTests.run(path, in: dir) }
        // Bounded poll: a call is up (its row open in the engine's records).
        let records = dir + "/report/engine-state"
        var up = false
        for _ in 0..<200 where !up {
            up = ((try? CallRecordStore(directory: records).callsInProgress()) ?? 0) > 0
            if !up { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(up, "no call was ever up")
        run.cancel()
        let outcome = await run.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        let rows = try CallRecordStore(directory: records).all()
        #expect(!rows.isEmpty && rows.count < 100, "\(rows.count) calls placed")
        #expect(try CallRecordStore(directory: records).callsInProgress() == 0, "every call placed ended with its row closed")
    }
}
