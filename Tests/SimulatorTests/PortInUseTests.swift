import Foundation
import SIP
import Media
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// The engine refuses a SIP port that is already in use (no SO_REUSEADDR: two engines must never
/// split one port's traffic), at once and with a message naming the address and who holds it.
@Suite(.serialized) struct PortInUseTests {
    static func config(port: Int) -> String {
        "sip: {address: 127.0.0.1:\(port), require_auth: false}\nqueues: [{name: support}]\nagents: [{login: alice}]\n"
    }

    /// Waits (bounded, 10 s) for `engine` to exit; its exit status, or nil if it is still running.
    static func exitStatus(_ engine: EngineProcess) -> Int32? {
        for _ in 0..<500 where engine.isRunning { usleep(20_000) }
        return engine.isRunning ? nil : engine.process.terminationStatus
    }

    static func log(_ engine: EngineProcess) -> String { (try? String(contentsOfFile: engine.logPath, encoding: .utf8)) ?? "" }

    @Test func secondEngineOnTheSamePortFailsNamingThePortAndTheFirstEngine() throws {
        let port = RawUDP().port
        let first = try ShutdownAndRestartTests.start(E2E.tempDirectory("port-first"), port: port, rtp: "26600-26619")
        defer { first.stop() }
        let second = try EngineProcess(binary: E2E.engineBinary, configYAML: Self.config(port: port),
                                       directory: E2E.tempDirectory("port-second"), sip: Endpoint(host: "127.0.0.1", port: port), logLevel: "info")
        defer { second.stop() }
        let status = Self.exitStatus(second)
        #expect(status == 1, "the second engine must stop at once, not share the port")
        let text = Self.log(second)
        #expect(text.contains("cannot bind the SIP socket to udp 127.0.0.1:\(port): Address already in use"), "\(text)")
        #expect(text.contains("held by pid \(first.process.processIdentifier) (ccengine)"), "\(text)")
        #expect(first.isRunning)
        #expect(FloodEndToEndTests.answersOptions(RawUDP(), port: port, tries: 10), "the first engine still serves its port")
    }

    @Test func portHeldByAnotherProgramIsNamed() throws {
        let holder = RawUDP()
        let engine = try EngineProcess(binary: E2E.engineBinary, configYAML: Self.config(port: holder.port),
                                       directory: E2E.tempDirectory("port-held"), sip: Endpoint(host: "127.0.0.1", port: holder.port), logLevel: "info")
        defer { engine.stop() }
        #expect(Self.exitStatus(engine) == 1)
        let text = Self.log(engine)
        #expect(text.contains("udp 127.0.0.1:\(holder.port)"), "\(text)")
        #expect(text.contains("held by pid \(getpid())"), "\(text)")
    }

    @Test func relayPortInUseNamesItsHolder() throws {
        let crowd = (0..<200).map { _ in RawUDP() }  // /proc/net/udp longer than a page
        let holder = RawUDP()
        defer { withExtendedLifetime(crowd) {} }
        let description = PortHolder.bindFailure("a relay socket", host: "127.0.0.1", port: holder.port, errno: EADDRINUSE)
        #expect(description.contains("held by pid \(getpid())"))
        #expect(PortHolder.describe(port: holder.port) == "pid \(getpid()) (\(ProcessInfo.processInfo.processName.prefix(15)))")
    }
}
