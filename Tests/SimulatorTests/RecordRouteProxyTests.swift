import Capture
import Foundation
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// ccengine behind a real record-routing proxy: Kamailio 5.6 (`Tests/Interop/kamailio-record-route.cfg`)
/// between the customer and ccengine and, through the agent's REGISTER Path (RFC 3327), between
/// ccengine and the agent. Every request inside either dialog (ACK, re-INVITE, BYE from each
/// side) must traverse the proxy, which a capture of the proxy's port shows; a request below the
/// caller's CSeq gets 500 (RFC 3261 §12.2.2).
@Suite(.serialized) struct RecordRouteProxyTests {
    final class Proxy {
        let process = Process()
        let port: Int
        let log: String

        init(binary: String, enginePort: Int, directory: String) throws {
            port = RawUDP().port
            let template = try String(contentsOfFile: E2E.root + "/Tests/Interop/kamailio-record-route.cfg", encoding: .utf8)
            let cfg = directory + "/kamailio.cfg"
            try template.replacingOccurrences(of: "@PROXY_PORT@", with: String(port))
                .replacingOccurrences(of: "@ENGINE_PORT@", with: String(enginePort))
                .write(toFile: cfg, atomically: true, encoding: .utf8)
            log = directory + "/kamailio.log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["-DD", "-E", "-f", cfg, "-m", "64", "-M", "8", "-Y", directory, "-w", directory]
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        /// SIGTERM to Kamailio's main process, then SIGKILL to it and to the children it forked (by
        /// PID, read from /proc before stopping): its children outlive a main process that exits
        /// on a signal, and Foundation may not reap the main one (so no `waitUntilExit`).
        func stop() {
            let main = process.processIdentifier
            let children = Self.children(of: main)
            kill(main, SIGTERM)
            for _ in 0..<100 where Self.alive(main) || children.contains(where: Self.alive) { usleep(30_000) }
            for pid in [main] + children where Self.alive(pid) { kill(pid, SIGKILL) }
        }

        static func alive(_ pid: Int32) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")  // a zombie has exited
        }

        static func children(of parent: Int32) -> [Int32] {
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
            return pids.filter { pid in
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return false }
                let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
                return fields.count > 1 && Int32(fields[1]) == parent
            }
        }
    }

    @Test func everyInDialogRequestTraversesTheProxyBothWays() throws {
        guard let kamailio = E2E.which("kamailio") else {
            Issue.record("kamailio is not installed: run `make test`, which installs it")
            return
        }
        let (engine, _, enginePort) = try OperationsAPITests.start("record-route", rtp: "26900-26999", routing: "{wrap_up: 0s}")
        defer { engine.stop() }
        let dir = E2E.tempDirectory("kamailio")
        let proxy = try Proxy(binary: kamailio, enginePort: enginePort, directory: dir)
        defer { proxy.stop() }
        // The proxy is up once an OPTIONS through it is answered by the engine.
        try #require(FloodEndToEndTests.answersOptions(RawUDP(), port: proxy.port, tries: 50), "kamailio did not start; see \(proxy.log)")
        let capture = try PacketCapture(path: dir + "/proxy.pcap", interface: "lo", filter: "udp port \(proxy.port)")
        capture.start()

        // The agent registers through the proxy, which adds its Path.
        let alice = RawPhone("alice", engine: proxy.port)
        #expect(alice.register())
        let carol = RawPhone("carol", engine: proxy.port)
        func via(_ phone: RawPhone) -> Via { Via(host: "127.0.0.1", port: phone.port, branch: phone.branch()) }

        // Call 1: answered; the caller puts the call on hold (re-INVITE); a stale CSeq; the agent hangs up.
        let invite = carol.invite("support", callID: "rr-1")
        let ring = try #require(alice.anyRequest("INVITE"), "the agent was not rung; see \(engine.logPath)")
        #expect(ring.via.count == 2, "ccengine's INVITE reached the agent through the proxy (its Path)")
        #expect(ring.recordRoute.count == 1)
        alice.respond(200, to: ring)
        let agentAck = try #require(alice.request("ACK", ring.callID))
        #expect(agentAck.via.count == 2, "ccengine's ACK for the agent's 2xx went through the proxy")
        let ok = try #require(carol.finalResponse("rr-1", method: "INVITE"))
        #expect(ok.status == 200 && ok.recordRoute.count == 1)
        var carolDialog = Dialog(uac: invite)
        carolDialog.received(response: ok)
        carol.send(carolDialog.ack(for: ok, via: via(carol)))

        var hold = Array(String(decoding: RawPhone.sdp(port: 40100), as: UTF8.self).utf8)
        hold += Array("a=sendonly\r\n".utf8)
        carol.send(carolDialog.request("INVITE", via: via(carol), contact: NameAddress(uri: carol.address), contentType: "application/sdp", body: hold))
        let reinvite = try #require(alice.receive { $0.method == "INVITE" && $0.callID == ring.callID }, "re-INVITE not offered to the agent")
        #expect(reinvite.via.count == 2 && reinvite.cseq.number == 2)
        alice.respond(200, to: reinvite)
        #expect(alice.request("ACK", ring.callID)?.via.count == 2)
        let reOK = try #require(carol.receive { $0.status == 200 && $0.cseq == CSeq(2, "INVITE") })
        carol.send(carolDialog.ack(for: reOK, via: via(carol)))

        var stale = carolDialog.request("INFO", via: via(carol))
        stale.cseq = CSeq(1, "INFO")  // below the re-INVITE's 2: out of order
        carol.send(stale)
        #expect(carol.receive { $0.status != nil && $0.cseq.method == "INFO" }?.status == 500)

        var aliceDialog = Dialog(uas: ring, localTag: "agent-tag-\(ring.callID.prefix(8))")
        _ = aliceDialog.received(request: reinvite)
        alice.send(aliceDialog.request("BYE", via: via(alice)))
        #expect(alice.receive { $0.status != nil && $0.cseq.method == "BYE" }?.status == 200)
        let engineBye = try #require(carol.request("BYE", "rr-1"), "ccengine did not hang up the caller")
        #expect(engineBye.via.count == 2, "ccengine's BYE to the caller went through the proxy")
        carol.respond(200, to: engineBye)

        // Call 2: the caller hangs up.
        let invite2 = carol.invite("support", callID: "rr-2")
        let ring2 = try #require(alice.receive { $0.method == "INVITE" && $0.callID != ring.callID }, "the agent was not rung again")
        alice.respond(200, to: ring2)
        _ = alice.request("ACK", ring2.callID)
        let ok2 = try #require(carol.finalResponse("rr-2", method: "INVITE"))
        var carolDialog2 = Dialog(uac: invite2)
        carolDialog2.received(response: ok2)
        carol.send(carolDialog2.ack(for: ok2, via: via(carol)))
        carol.send(carolDialog2.request("BYE", via: via(carol)))
        let agentBye = try #require(alice.request("BYE", ring2.callID), "ccengine did not hang up the agent")
        #expect(agentBye.via.count == 2, "ccengine's BYE to the agent went through the proxy")
        alice.respond(200, to: agentBye)
        #expect(carol.receive { $0.status != nil && $0.cseq.method == "BYE" && $0.callID == "rr-2" }?.status == 200)

        // SIPp on both sides (`Tests/Interop/sipp-*-record-route.xml`, phones that keep the route
        // set): callers through the proxy, an agent behind it (alice's binding moved to SIPp's
        // port, registered through the proxy so the Path leads there).
        if let sipp = E2E.which("sipp") {
            let uasPort = RawUDP().port
            let uas = try E2E.background(sipp, ["-sf", E2E.root + "/Tests/Interop/sipp-uas-record-route.xml", "-i", "127.0.0.1", "-p", String(uasPort),
                                                "-m", "5", "-nostdin", "-timeout", "40s"], cwd: dir)
            defer { E2E.stop(uas) }
            #expect(alice.register(contactPort: uasPort))
            let uac = try E2E.run(sipp, ["-sf", E2E.root + "/Tests/Interop/sipp-uac-record-route.xml", "-s", "support", "127.0.0.1:\(proxy.port)", "-i", "127.0.0.1", "-p", String(RawUDP().port),
                                         "-m", "5", "-r", "5", "-nostdin", "-timeout", "40s"], timeout: 50, cwd: dir)
            #expect(uac.status == 0, "sipp uac through kamailio:\n\(uac.output.suffix(1500))")
            for _ in 0..<200 where uas.isRunning { usleep(50_000) }
            #expect(!uas.isRunning && uas.terminationStatus == 0, "sipp uas behind kamailio did not complete its 5 calls")
        } else {
            Issue.record("sipp is not installed: run `make test`, which installs sip-tester")
        }
        _ = capture.stop()

        // The capture of the proxy's port: each of ccengine's in-dialog requests went in to the
        // proxy from ccengine's port and out of it to the phone.
        let hops = try Self.hops(pcap: dir + "/proxy.pcap", proxyPort: proxy.port)
        func traversed(_ method: String, _ callID: String, to phone: RawPhone) -> Bool {
            hops.contains { $0 == (enginePort, proxy.port, method, callID) } && hops.contains { $0 == (proxy.port, phone.port, method, callID) }
        }
        #expect(traversed("ACK", ring.callID, to: alice))
        #expect(traversed("INVITE", ring.callID, to: alice))  // the initial INVITE (Path) and the re-INVITE
        #expect(hops.filter { $0 == (enginePort, proxy.port, "INVITE", ring.callID) }.count == 2)
        #expect(traversed("BYE", "rr-1", to: carol))
        #expect(traversed("BYE", ring2.callID, to: alice))
        // and the phones' own requests reached ccengine through it
        #expect(hops.contains { $0 == (proxy.port, enginePort, "BYE", ring.callID) })
        #expect(hops.contains { $0 == (proxy.port, enginePort, "BYE", "rr-2") })
        #expect(hops.contains { $0 == (proxy.port, enginePort, "ACK", "rr-1") })

        let store = try CallRecordStore(directory: (engine.recordsPath as NSString).deletingLastPathComponent)
        #expect(OperationsAPITests.eventually { ((try? store.all()) ?? []).filter { $0.disposition == "answered" }.count == 7 })
    }

    /// (source port, destination port, method, Call-ID) of every SIP request in the capture, read by tshark.
    static func hops(pcap: String, proxyPort: Int) throws -> [(Int, Int, String, String)] {
        let tshark = try #require(E2E.which("tshark"), "tshark is not installed: run `make test`")
        let (status, out) = try E2E.run(tshark, ["-r", pcap, "-d", "udp.port==\(proxyPort),sip", "-Y", "sip.Method",
                                                 "-T", "fields", "-E", "separator=|", "-e", "udp.srcport", "-e", "udp.dstport",
                                                 "-e", "sip.Method", "-e", "sip.Call-ID"])
        try #require(status == 0, "tshark failed: \(out)")
        return out.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 4, let s = Int(f[0]), let d = Int(f[1]) else { return nil }
            return (s, d, f[2], f[3])
        }
    }
}
