import Foundation
import SIP
import Logging
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// `/metrics` and `/v1/events` of a real ccengine while ccsim's agents and customers run a
/// scenario against it: `promtool check metrics` (Debian's prometheus package) passes on a scrape
/// taken during the run, at its end the per-queue figures match ccsim's own count of the calls,
/// and the event stream carried every call's events in order with no gap in the numbers.
@Suite(.serialized) struct MetricsEndToEndTests {
    /// Samples of one metric family: the label text (`queue="support",...`) -> value.
    static func samples(_ text: String, _ name: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let parts = line.split(separator: " ")
            guard let value = Double(parts.last!) else { continue }
            let labels = line.hasPrefix(name + "{") ? String(line.dropFirst(name.count + 1).prefix { $0 != "}" }) : ""
            out[labels] = value
        }
        return out
    }

    @Test func aScrapeDuringACcsimRunPassesPromtoolAndMatchesCcsimsCounts() async throws {
        let promtool = try #require(E2E.which("promtool"), "promtool (Debian package prometheus) is needed: make deps installs it")
        let (engine, api, port) = try OperationsAPITests.start("metrics", rtp: "26900-26999", routing: "{wrap_up: 0s, ring_timeout: 5s}")
        defer { engine.stop() }
        let dir = E2E.tempDirectory("metrics-run")
        try """
            name: metrics
            duration: 90s
            engine:
              sip: {address: 127.0.0.1:\(port), require_auth: false}
              routing: {wrap_up: 0s, ring_timeout: 5s}
              queues: [{name: support}]
              agents: [{login: alice}, {login: bob}]
            agents:
              - logins: [alice, bob]
                answer_delay: 0.2s
            customers:
              - {queue: support, calls: 8, arrival: {every: 0.3s}, hold_time: 1.5s, patience: 4s}
            """.write(toFile: dir + "/scenario.yaml", atomically: true, encoding: .utf8)
        var options = SimulationRun.Options(reportDirectory: dir + "/report")
        options.engine = Endpoint(host: "127.0.0.1", port: port)
        options.quiet = true
        let run = SimulationRun(scenario: try ScenarioFile.load(dir + "/scenario.yaml"), options: options, logger: Logger(label: "test"))

        // Scrape while the run goes on (bounded poll until a call has ended), and check it with promtool.
        let apiPort = Int(api.base.split(separator: ":").last!)!
        let events = EventStreamTests.listen(apiPort, "access_token=\(OperationsAPITests.tokens["sup"]!)")
        defer { events.close() }
        // On its own thread: it blocks while it polls, and the run needs Swift concurrency's threads.
        // It polls until a call has ended or the run is over (a loaded machine was seen to start
        // the run's calls a minute late), bounded at ten minutes.
        let scraped = Scrape()
        let scraper = Thread {
            let end = Date().addingTimeInterval(600)
            while Date() < end && !scraped.finished {
                let text = api("GET", "/metrics").text
                if !Self.samples(text, "ccengine_calls_total").isEmpty { scraped.text = text; break }
                usleep(25_000)
            }
            scraped.done.signal()
        }
        scraper.start()
        let result = try await run.run()
        scraped.finished = true
        scraped.done.wait()
        let during = try #require(scraped.text, "no scrape during the run saw a call end")
        try during.write(toFile: dir + "/scrape.txt", atomically: true, encoding: .utf8)
        let check = try E2E.run("/bin/sh", ["-c", "\(promtool) check metrics < \(dir)/scrape.txt"])
        #expect(check.status == 0, "promtool: \(check.output)")

        // After the run: the engine's counts per outcome are ccsim's.
        let answered = result.calls.filter { $0.outcome == .answered }.count
        let abandoned = result.calls.filter { $0.outcome == .abandoned }.count
        #expect(answered + abandoned == 8, "\(result.calls.map(\.outcome))")
        var after = ""
        #expect(OperationsAPITests.eventually {
            after = api("GET", "/metrics").text
            let ended = Self.samples(after, "ccengine_calls_total").values.reduce(0, +)
            return Int(ended) == 8 && Self.samples(after, "ccengine_queue_calls_waiting")["queue=\"support\""] == 0
        })
        // The stream: consecutive numbers, and for each of ccsim's calls queued, then (if answered)
        // offered and answered, then ended with ccsim's outcome.
        // Delivered a moment after the metrics count them: wait until every call's end is in.
        let ids = Set(result.calls.map(\.callID))
        // (A machine loaded by the whole suite in parallel was seen to deliver them late: a minute's bound.)
        #expect(EventStreamTests.until(events, seconds: 60) { messages in
            ids.isSubset(of: Set(messages.filter { $0["type"] as? String == "call.ended" }.compactMap { $0["call"] as? String }))
        }, "every call's call.ended event; received \(events.raw.count) messages, the last: \(events.raw.last ?? "none")")
        let stream = Array(events.messages.dropFirst())
        let seqs = stream.compactMap { $0["seq"] as? Int }
        #expect(!seqs.isEmpty && seqs == Array(seqs[0]..<(seqs[0] + seqs.count)), "no gap in the event numbers")
        for call in result.calls {
            let mine = stream.filter { $0["call"] as? String == call.callID }.compactMap { $0["type"] as? String }
            let expected = call.outcome == .answered
                ? ["call.queued", "call.offered", "call.answered", "call.ended"] : ["call.queued", "call.ended"]
            #expect(mine.filter { $0 != "call.offered" && $0 != "call.ring_no_answer" } == expected.filter { $0 != "call.offered" }, "\(call.callID): \(mine)")
            if call.outcome == .answered { #expect(mine.firstIndex(of: "call.offered").map { $0 < mine.firstIndex(of: "call.answered")! } == true) }
            let ended = stream.first { $0["call"] as? String == call.callID && $0["type"] as? String == "call.ended" }
            #expect(ended?["disposition"] as? String == call.outcome.rawValue, "\(call.callID)")
        }
        let calls = Self.samples(after, "ccengine_calls_total")
        #expect(Int(calls["queue=\"support\",outcome=\"answered\""] ?? 0) == answered)
        #expect(Int(calls["queue=\"support\",outcome=\"abandoned\""] ?? 0) == abandoned)
        #expect(Int(Self.samples(after, "ccengine_queue_wait_seconds_count")["queue=\"support\""] ?? 0) == answered)
        #expect(Int(Self.samples(after, "ccengine_ring_attempts_total")["result=\"answered\""] ?? 0) == answered)
        #expect(Self.samples(after, "ccengine_queue_wait_seconds_bucket").keys.contains("queue=\"support\",le=\"20.0\""), "a bucket at the SL threshold")
        #expect((Self.samples(after, "ccengine_sip_requests_total")["method=\"INVITE\",direction=\"received\""] ?? 0) >= 8)
        #expect((Self.samples(after, "ccengine_relay_packets_total")[""] ?? 0) > 0)
        let agents = Self.samples(after, "ccengine_queue_agents")
        // Both agents are counted for the queue in one state or another (ccsim's agents unregister at the end).
        #expect(agents.filter { $0.key.hasPrefix("queue=\"support\"") }.values.reduce(0, +) == 2)
        // The SIP thread's occupancy, a share of one core measured from its CPU clock.
        let busy = Self.samples(after, "ccengine_sip_thread_busy_ratio")[""]
        #expect(busy.map { $0 >= 0 && $0 <= 1.5 } == true, "\(String(describing: busy))")
    }
}

final class Scrape: @unchecked Sendable {
    var text: String?
    var finished = false
    let done = DispatchSemaphore(value: 0)
}
