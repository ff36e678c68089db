import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// A relay port range far too small for the load, one of its ports held by another process, and
/// SIPp offering 1,000 calls/s: every call is either carried or refused with 503 + Retry-After,
/// the held pair is skipped (logged once), and every failure is recorded with an engine-side
/// reason: no call is recorded as abandoned or cancelled, since SIPp never cancels.
@Suite(.serialized) struct RelayPortFaultTests {
    @Test func tinyRangeWithAHeldPortAtAThousandCallsPerSecond() throws {
        guard let sipp = E2E.which("sipp") else {
            Issue.record("sipp is not installed: run `make test`, which installs sip-tester")
            return
        }
        let port = RawUDP().port
        let dir = E2E.tempDirectory("relayports")
        let logins = (1...5).map { "agent\($0)" }
        let config = """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: 26500-26531}
            shutdown: {grace: 0, retry_after: 5}
            queues: [{name: support}]
            agents: [\(logins.map { "{login: \($0)}" }.joined(separator: ", "))]
            """
        // Another process's socket on the third leg's port.
        let holder = try #require(HeldUDPPort(26504), "port 26504 is in use on this machine")
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: config, directory: dir,
                                       sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { engine.stop() }
        let probe = RawUDP()
        try #require(FloodEndToEndTests.answersOptions(probe, port: port, tries: 50), "engine did not start; \(engine.logPath)")

        // SIPp's uas answers for every agent: each registers a Contact on its port (third party).
        let uasPort = RawUDP().port
        let uas = Process()
        uas.executableURL = URL(fileURLWithPath: sipp)
        uas.arguments = ["-sn", "uas", "-i", "127.0.0.1", "-p", "\(uasPort)", "-nostdin", "-timeout", "60s"]
        uas.currentDirectoryURL = URL(fileURLWithPath: dir)
        uas.standardOutput = FileHandle.nullDevice
        uas.standardError = FileHandle.nullDevice
        try uas.run()
        defer { E2E.stop(uas) }
        for login in logins { #expect(RawPhone(login, engine: port).register(contactPort: uasPort)) }

        let uacPort = RawUDP().port
        let load = try E2E.run(sipp, ["-sn", "uac", "-s", "support", "127.0.0.1:\(port)", "-i", "127.0.0.1", "-p", "\(uacPort)",
                                      "-m", "2000", "-r", "1000", "-nostdin", "-timeout", "40s",
                                      "-trace_msg", "-message_file", dir + "/uac-messages.log"], timeout: 50, cwd: dir)
        engine.stop()
        withExtendedLifetime(holder) {}

        // What SIPp's callers were told: every call a final answer, 200 or 503 with Retry-After
        // (never 487: SIPp never cancels), each in one SIPp call.
        let finals = try SIPpMessageLog(path: dir + "/uac-messages.log").finalInviteResponses
        let byStatus = Dictionary(grouping: finals.values, by: { $0.status ?? 0 }).mapValues(\.count)
        print("relay port faults: SIPp's final INVITE responses by status: \(byStatus)")
        #expect(finals.count == 2000, "calls with a final response: \(finals.count); sipp output:\n\(load.output.suffix(1500))")
        #expect(Set(byStatus.keys).isSubset(of: [200, 503]), "\(byStatus)")
        #expect((byStatus[200] ?? 0) > 0 && (byStatus[503] ?? 0) > 0, "\(byStatus)")
        let without = finals.values.filter { $0.status == 503 && $0.header("Retry-After") == nil }
        #expect(without.isEmpty, "\(without.count) 503s without Retry-After, e.g. \(String(describing: without.first))")

        let rows = try CallRecordStore(directory: dir + "/engine-state").all()
        let byReason = Dictionary(grouping: rows, by: { "\($0.disposition)/\($0.endReason)" }).mapValues(\.count)
        print("relay port faults: \(rows.count) rows: \(byReason)")
        // One row per call the engine accepted; the answered ones are exactly SIPp's 200s.
        #expect(Set(rows.map(\.callID)).isSubset(of: Set(finals.keys)), "a row for a call SIPp never made")
        #expect(Set(rows.filter { $0.disposition == "answered" }.map(\.callID)) == Set(finals.filter { $0.value.status == 200 }.map(\.key)))
        #expect(rows.filter { $0.disposition == "failed" }.allSatisfy { finals[$0.callID]?.status == 503 })
        #expect((byReason["answered/caller-hangup"] ?? 0) > 0, "\(byReason)")
        #expect((byReason["failed/media-ports-exhausted"] ?? 0) > 0, "\(byReason)")
        let allowed: Set<String> = ["answered/caller-hangup", "failed/media-ports-exhausted", "failed/overload", "failed/engine-shutdown", "answered/engine-shutdown"]
        #expect(Set(byReason.keys).isSubset(of: allowed), "\(byReason)")
        #expect(!rows.contains { $0.disposition == "abandoned" || $0.disposition == "pending" })
        let log = (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? ""
        #expect(log.components(separatedBy: "relay port 26504 skipped").count == 2, "the held port is logged once")
        #expect(!log.contains("media relay failed"), "no call was given a port it could not bind")
        #expect(!log.contains("Address already in use") || log.contains("skipped"))
    }
}

/// A UDP socket bound to a given loopback port (standing for another program holding it).
final class HeldUDPPort {
    let fd: Int32
    init?(_ port: Int) {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if rc != 0 { close(fd); return nil }
    }
    deinit { close(fd) }
}
