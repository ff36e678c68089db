import Engine
import Hummingbird
import Metrics
import NIOCore
import Prometheus

/// `/metrics`: the engine's swift-metrics in Prometheus's text format (swift-prometheus), with a
/// `# HELP` line for each family (swift-metrics carries no help text; `EngineMetrics.help` does).
/// Served without a token, like most exporters: it names queues and states, no caller or agent.
extension EngineAPI {
    /// Makes swift-prometheus the process's swift-metrics backend (once, before the driver is
    /// made). The wait histogram has a bucket at the service-level threshold.
    public static func bootstrapMetrics(_ config: APIConfig) -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let seconds = Set([1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, config.serviceLevelSeconds]).sorted()
        factory.durationHistogramBuckets["ccengine_queue_wait_seconds"] = seconds.map { .seconds($0) }
        MetricsSystem.bootstrap(factory)
        return registry
    }

    func addMetricsRoute(_ router: Router<APIContext>) {
        guard let registry else { return }
        router.get("/metrics") { _, _ -> Response in
            let text = Self.withHelp(registry.emitToString(), EngineMetrics.help)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// `# HELP name text` before each `# TYPE name ...` that has none.
    static func withHelp(_ exposition: String, _ help: [String: String]) -> String {
        var out = ""
        out.reserveCapacity(exposition.utf8.count + help.count * 80)
        var lastHelp = ""
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# HELP ") { lastHelp = String(line.split(separator: " ")[2]) }
            if line.hasPrefix("# TYPE ") {
                let name = String(line.split(separator: " ")[2])
                if name != lastHelp, let text = help[name] { out += "# HELP \(name) \(text)\n" }
            }
            out += line + "\n"
        }
        return String(out.dropLast())
    }
}
