import Engine
import Foundation
import Simulator

/// The scenario the SIP benches run: one queue, `agents` virtual agents (signalling only) on a
/// ccengine started for the run, and optionally a stream of customers. Written to the report
/// folder so a run can be repeated with `ccsim run`.
enum BenchScenario {
    static func write(name: String, to dir: String, sipPort: Int, agents: Int, answerDelay: String,
                      seconds: Int, priority: ThreadPriority = .normal, customers: String? = nil,
                      rtpPorts: String = "29000-29999", overload: String? = nil, api: String? = nil) throws -> Scenario {
        let logins = (1...agents).map { "\(name.prefix(1))\($0)" }
        var yaml = """
            name: bench-\(name)
            seed: 7
            duration: \(seconds)s
            media: false
            engine:
              sip: {address: 127.0.0.1:\(sipPort)}
              priority: \(priority.rawValue)
              media: {rtp_ports: \(rtpPorts)}
              routing: {ring_timeout: 10s}\(overload.map { "\n  overload: {\($0)}" } ?? "")\(api.map { "\n  api: \($0)" } ?? "")
              queues: [{name: support}]
              agents:

            """
        for l in logins { yaml += "    - {login: \(l), password: \(l)-pw}\n" }
        yaml += "agents:\n  - logins: [\(logins.joined(separator: ", "))]\n    answer_delay: \(answerDelay)\n"
        if let customers { yaml += "customers:\n  - \(customers)\n" }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try yaml.write(toFile: dir + "/scenario.yaml", atomically: true, encoding: .utf8)
        return try ScenarioFile.load(dir + "/scenario.yaml")
    }
}
