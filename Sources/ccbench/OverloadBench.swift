import Bench
import Capture
import Engine
import Foundation
import Logging
import Simulator

/// `ccbench calls --overload`: a real ccengine (ccsim agents, signalling only) offered its
/// sustained rate, then `factor` times that for `seconds`, then its sustained rate again, by SIPp
/// running a uac scenario that accepts 503 (and ACKs it) as well as 200. Per phase: calls
/// completed and refused (from the engine's own records), SIPp's failed calls (a call that timed
/// out half set up), customer INVITE -> agent INVITE on the wire (a capture of INVITEs only),
/// INVITE -> 503 from SIPp's per-call RTD trace (whole ms), and the engine's RSS.
struct OverloadBench {
    var sustained: Int
    var factor: Int
    var seconds: Int
    var agents: Int
    var sipPort: Int
    var directory: String
    /// The engine's `overload:` keys, e.g. "max_loop_lag_ms: 5, max_queued_kb: 32" (nil: defaults).
    var limits: String? = nil
    /// The engine's `priority`.
    var priority: ThreadPriority = .normal

    struct Phase: Codable {
        var name: String
        var rate: Int
        var offered: Int
        var seconds: Double
        /// Answered and ended (the engine's rows).
        var completed: Int
        /// Refused with 503 + Retry-After (SIPp's count: overload refusals leave no row).
        var refused: Int
        /// Rows other than completed calls (e.g. `failed/media-ports-exhausted`, also a 503).
        var other: [String: Int]
        /// SIPp calls that failed (timeout, unexpected message): set up halfway, expected 0.
        var sippFailed: Int
        /// Customer INVITE in -> agent INVITE out, on the wire (`InviteForwarding`), admitted calls.
        var inviteToAgentInvite: LatencyMS
        /// Packets the capture could not keep (then the latencies above miss some calls).
        var captureDropped: Int
        /// INVITE -> 503, whole milliseconds (SIPp's RTD clock), refused calls.
        var invite503: LatencyMS
        var engineRSSMB: Double
        /// The engine's busiest thread over the phase (the SIP thread under a call load): its share
        /// of one core, from /proc.
        var busiestThread: String?
        var busiestThreadShare: Double?
        var completedPerSecond: Double { Double(completed) / seconds }
    }

    struct LatencyMS: Codable {
        var count: Int
        var p50: Double?
        var p99: Double?
        init(_ values: [Double]) {
            let s = values.sorted()
            count = s.count
            p50 = s.isEmpty ? nil : s[s.count / 2]
            p99 = s.isEmpty ? nil : s[min(s.count - 1, Int(Double(s.count) * 0.99))]
        }
    }

    func run() throws -> [Phase] {
        guard let sipp = ["/usr/bin/sipp", "/usr/local/bin/sipp"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError.missingTool("sipp (Debian package sip-tester)")
        }
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path  // SIPp runs in subfolders
        let plan = [("sustained", sustained, max(5, seconds / 2)), ("overload", sustained * factor, seconds), ("after", sustained, max(5, seconds / 2))]
        let scenario = try BenchScenario.write(name: "overload", to: dir, sipPort: sipPort, agents: agents, answerDelay: "0s",
                                               seconds: plan.reduce(0) { $0 + $1.2 + 40 } + 30,
                                               priority: priority, rtpPorts: "20000-28999", overload: limits)  // 2,250 calls: a backlog must not be cut by ports
        try Self.uacXML.write(toFile: dir + "/uac-503.xml", atomically: true, encoding: .utf8)
        var options = SimulationRun.Options(reportDirectory: dir)
        options.media = false
        options.quiet = true
        options.engineLogLevel = "warning"
        let simulation = BackgroundSimulation(scenario: scenario, options: options)
        defer { simulation.finish() }
        Thread.sleep(forTimeInterval: 3)  // engine up, agents registered
        let store = try CallRecordStore(directory: dir + "/engine-state")
        var phases: [Phase] = []
        for (index, (name, rate, secs)) in plan.enumerated() {
            let calls = rate * secs
            let startWall = Date().timeIntervalSince1970
            let trace = "\(dir)/rtt-\(name)"
            try FileManager.default.createDirectory(atPath: trace, withIntermediateDirectories: true)
            // INVITEs only, to and from the engine: a few packets per call, so the capture keeps up.
            let pcap = "\(dir)/invites-\(name).pcap"
            let capture = try PacketCapture(path: pcap, filter: InviteForwarding.captureFilter(enginePort: sipPort))
            capture.start()
            let threadsBefore = Self.enginePID().map { ProcessThreads.sample(pid: $0) }
            let sippResult = try CallSetupBench.runSIPp(sipp, [
                "-sf", dir + "/uac-503.xml", "-s", "support", "127.0.0.1:\(sipPort)", "-m", "\(calls)", "-r", "\(rate)",
                "-nostdin", "-timeout", "\(secs + 40)s", "-recv_timeout", "20000", "-p", "\(29320 + index)",  // outside the engine's relay range below
                "-buff_size", "4194304", "-trace_rtt",
            ], cwd: trace)
            let elapsed = Date().timeIntervalSince1970 - startWall
            let busiest = threadsBefore.flatMap { before in Self.enginePID().flatMap { ProcessThreads.busiest(from: before, to: ProcessThreads.sample(pid: $0)) } }
            Thread.sleep(forTimeInterval: 0.5)  // last rows committed (20 ms batches)
            let captured = capture.stop()
            let forwarding = try InviteForwarding.latencies(pcap: pcap, enginePort: sipPort)
            let rows = try store.rows(since: startWall - 0.001)
            var other: [String: Int] = [:]
            var completed = 0, refused = 0
            for r in rows {
                switch (r.disposition, r.endReason) {
                case ("answered", "caller-hangup"): completed += 1
                default: other["\(r.disposition)/\(r.endReason)", default: 0] += 1
                }
            }
            let rtd = Self.rtds(in: trace)
            refused = rtd[2]?.count ?? 0  // overload refusals are stateless and leave no row: SIPp counts them
            let phase = Phase(name: name, rate: rate, offered: calls, seconds: elapsed, completed: completed, refused: refused,
                              other: other, sippFailed: sippResult.failed, inviteToAgentInvite: LatencyMS(forwarding),
                              captureDropped: Int(captured.dropped), invite503: LatencyMS(rtd[2] ?? []), engineRSSMB: Self.engineRSSMB(),
                              busiestThread: busiest?.name, busiestThreadShare: busiest?.share)
            print(Self.line(phase))
            phases.append(phase)
            // A dead engine refuses nothing and completes nothing: say so rather than report ratios.
            if let failure = simulation.failure { throw BenchError.simulationEnded(phase: name, "\(failure)") }
            if phase.engineRSSMB.isNaN { throw BenchError.engineExited(phase: name, log: dir + "/engine.log") }
        }
        return phases
    }

    static func line(_ p: Phase) -> String {
        String(format: "  %-9@ %5d/s: %6d offered, %6d completed (%.0f/s), %6d refused 503, %d other, %d SIPp failed; INVITE->agent INVITE p50 %.2f p99 %.2f ms (%d calls, %d dropped by the capture); INVITE->503 p99 %.0f ms; engine RSS %.0f MB; busiest engine thread %@ %.0f %% busy",
               p.name, p.rate, p.offered, p.completed, p.completedPerSecond, p.refused, p.other.values.reduce(0, +), p.sippFailed,
               p.inviteToAgentInvite.p50 ?? .nan, p.inviteToAgentInvite.p99 ?? .nan, p.inviteToAgentInvite.count, p.captureDropped,
               p.invite503.p99 ?? .nan, p.engineRSSMB, p.busiestThread ?? "?", (p.busiestThreadShare ?? .nan) * 100)
    }

    /// SIPp's `-trace_rtt` files: `date_ms;response_time_ms;rtd_no` per call, by RTD number.
    static func rtds(in dir: String) -> [Int: [Double]] {
        var out: [Int: [Double]] = [:]
        for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where f.hasSuffix("_rtt.csv") {
            guard let text = try? String(contentsOfFile: dir + "/" + f, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let c = line.split(separator: ";")
                guard c.count >= 3, let ms = Double(c[1]), let n = Int(c[2].trimmingCharacters(in: .whitespaces)) else { continue }
                out[n, default: []].append(ms)
            }
        }
        return out
    }

    /// The resident memory of the ccengine this process started.
    static func engineRSSMB() -> Double {
        enginePID().flatMap { ProcessMemory.residentMB(pid: $0) } ?? .nan
    }

    /// The ccengine this process started (through ccsim), by its parent PID.
    static func enginePID() -> Int32? {
        let me = getpid()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  stat.contains("(ccengine)"),
                  let close = stat.lastIndex(of: ")"),
                  Int32(stat[stat.index(close, offsetBy: 2)...].split(separator: " ")[1]) == me
            else { continue }
            return pid
        }
        return nil
    }

    /// SIPp's uac that also accepts 503 (ACKed in its INVITE transaction, RFC 3261 §17.1.1.3).
    /// RTD 2: INVITE -> 503.
    static let uacXML = """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <!DOCTYPE scenario SYSTEM "sipp.dtd">
        <scenario name="uac accepting 503">
          <send retrans="500">
            <![CDATA[
              INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
              To: [service] <sip:[service]@[remote_ip]:[remote_port]>
              Call-ID: [call_id]
              CSeq: 1 INVITE
              Contact: sip:sipp@[local_ip]:[local_port]
              Max-Forwards: 70
              Content-Type: application/sdp
              Content-Length: [len]

              v=0
              o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
              s=-
              c=IN IP[media_ip_type] [media_ip]
              t=0 0
              m=audio [media_port] RTP/AVP 0
              a=rtpmap:0 PCMU/8000

            ]]>
          </send>
          <recv response="100" optional="true"/>
          <recv response="503" optional="true" rtd="2" next="refused"/>
          <recv response="180" optional="true"/>
          <recv response="503" optional="true" next="refused"/>
          <recv response="200"/>
          <send>
            <![CDATA[
              ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
              To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
              Call-ID: [call_id]
              CSeq: 1 ACK
              Contact: sip:sipp@[local_ip]:[local_port]
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <send retrans="500">
            <![CDATA[
              BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
              To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
              Call-ID: [call_id]
              CSeq: 2 BYE
              Contact: sip:sipp@[local_ip]:[local_port]
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <recv response="200" crlf="true" next="done"/>
          <label id="refused"/>
          <send>
            <![CDATA[
              ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
              [last_Via:]
              From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
              [last_To:]
              Call-ID: [call_id]
              CSeq: 1 ACK
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
          <label id="done"/>
        </scenario>
        """
}
