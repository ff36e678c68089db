import ArgumentParser
import Bench
import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers

/// `ccbench routing --e2e --operations`: what the operations surface costs SIP. The same
/// end-to-end run (customer INVITE -> agent INVITE through a real ccengine) alternately without
/// the API and with it, a wallboard's WebSocket subscribed to `/v1/events` and `/metrics` scraped
/// every second (as Prometheus would); the p99 of the runs with the surface over the p99 of the
/// runs without it (median of each side, `pairs` pairs).
struct OperationsCostBench {
    var routing: EndToEndRouting
    var pairs: Int

    func run() throws {
        if let problem = routing.priority.problemHere() {
            FileHandle.standardError.write(Data("ccbench: --engine-priority \(routing.priority.rawValue) cannot be applied here (\(problem)); run as root or use --engine-priority normal\n".utf8))
            throw ExitCode(2)
        }
        let root = BenchReport.directory("e2e-operations")
        var plain: [LatencyFigures] = [], surfaced: [LatencyFigures] = []
        var events = 0, scrapes = 0
        for i in 0..<(pairs * 2) {
            let withSurface = i % 2 == 1
            let dir = root + "/run-\(i + 1)-\(withSurface ? "api" : "plain")"
            if withSurface {
                let port = LoopbackPort.freeTCP()
                let token = "bench-\(UInt64.random(in: 0...UInt64.max))"
                let api = "{listen: 127.0.0.1:\(port), tokens: [{name: bench, sha256: \(APIConfig.Token.hash(token)), role: supervisor}]}"
                let load = SurfaceLoad(base: "127.0.0.1:\(port)", token: token)
                load.start()
                let result = try routing.simulate(in: dir, api: api)
                load.stop()
                events += load.events
                scrapes += load.scrapes
                surfaced.append(LatencyFigures(result.inviteToAgentInvite))
            } else {
                plain.append(LatencyFigures(try routing.simulate(in: dir).inviteToAgentInvite))
            }
            let last = (withSurface ? surfaced : plain).last!
            print("run \(i + 1) (\(withSurface ? "API + WebSocket + /metrics" : "plain")): " + last.row("INVITE -> agent INVITE"))
        }
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
        let p99Plain = median(plain.map(\.p99)), p99Surface = median(surfaced.map(\.p99))
        let p50Plain = median(plain.map(\.p50)), p50Surface = median(surfaced.map(\.p50))
        print("operations surface cost over SIP on loopback: \(routing.calls) calls at \(routing.rate)/s per run, \(pairs) pairs, engine priority \(routing.priority.rawValue)")
        print(String(format: "  median p50 %.3f ms plain, %.3f ms with the surface (ratio %.2f)", p50Plain / 1e6, p50Surface / 1e6, p50Surface / max(p50Plain, 1)))
        print(String(format: "  median p99 %.3f ms plain, %.3f ms with the surface (ratio %.2f; target <= 1.10)", p99Plain / 1e6, p99Surface / 1e6, p99Surface / max(p99Plain, 1)))
        print("  the surface's load: \(events) WebSocket events received, \(scrapes) /metrics scrapes")
        let ratios = [
            BenchRatio(name: "p99 with API+events+metrics / p99 plain", value: p99Surface / max(p99Plain, 1), higherIsBetter: false),
            BenchRatio(name: "p50 with API+events+metrics / p50 plain", value: p50Surface / max(p50Plain, 1), higherIsBetter: false),
        ]
        print("report: \(try Baseline.write(ratios, to: root))")
        try routing.baseline.check(ratios)
    }
}

/// A wallboard's load on the engine: one WebSocket on `/v1/events` (reconnecting until the engine
/// is up) and a `/metrics` scrape every second.
final class SurfaceLoad: @unchecked Sendable {
    let base: String
    let token: String
    private let counts = NIOLockedValueBox((events: 0, scrapes: 0))
    private var tasks: [Task<Void, Never>] = []

    init(base: String, token: String) {
        self.base = base
        self.token = token
    }

    var events: Int { counts.withLockedValue { $0.events } }
    var scrapes: Int { counts.withLockedValue { $0.scrapes } }

    func start() {
        let url = "ws://\(base)/v1/events?access_token=\(token)", counts = self.counts
        tasks.append(Task.detached {
            while !Task.isCancelled {
                _ = try? await WebSocketClient.connect(url: url, logger: Logger(label: "bench-ws")) { inbound, _, _ in
                    for try await _ in inbound.messages(maxSize: 1 << 20) { counts.withLockedValue { $0.events += 1 } }
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        })
        let metrics = URL(string: "http://\(base)/metrics")!
        tasks.append(Task.detached {
            while !Task.isCancelled {
                if let (_, response) = try? await URLSession.shared.data(from: metrics), (response as? HTTPURLResponse)?.statusCode == 200 {
                    counts.withLockedValue { $0.scrapes += 1 }
                }
                try? await Task.sleep(for: .seconds(1))
            }
        })
    }

    func stop() {
        tasks.forEach { $0.cancel() }
        tasks = []
    }
}
