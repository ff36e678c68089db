import Foundation
import Logging
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// The agent page and the wallboard in a real browser (headless Chromium through chromedriver)
/// against a real ccengine: the agent signs in and changes state, a ccsim customer calls, the
/// page shows the offered call, the agent's phone answers, wrap-up notes typed in the page land
/// in calls.sqlite; the wallboard's waiting count rises and falls with the call and a supervisor
/// logs the agent out from it. Screenshots of both pages go to Reports/.
@Suite(.serialized) struct PagesBrowserTests {
    @Test func agentPageAndWallboardDriveAndFollowTheCallCenter() throws {
        guard let chromedriver = E2E.which("chromedriver"), let chromium = E2E.which("chromium") else {
            Issue.record("chromium and chromium-driver are needed: make deps installs them")
            return
        }
        let (engine, api, port) = try OperationsAPITests.start("pages", rtp: "27100-27199")
        defer { engine.stop() }
        let sup = HTTPTestClient(base: api.base, token: OperationsAPITests.tokens["sup"])
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        let dir = E2E.tempDirectory("pages")
        let agentPage = try WebDriverSession(chromedriver: chromedriver, chromium: chromium, profile: dir + "/agent-profile")
        defer { agentPage.quit() }
        let wallboard = try WebDriverSession(chromedriver: chromedriver, chromium: chromium, profile: dir + "/wallboard-profile")
        defer { wallboard.quit() }

        // Sign in on both pages.
        agentPage.open(api.base + "/agent/")
        agentPage.type("#token", OperationsAPITests.tokens["alice"]!)
        agentPage.click("#signin")
        #expect(agentPage.waitFor { agentPage.text("#state") == "available" } != nil, "agent page state: \(agentPage.text("#state")) \(agentPage.text("#signin-error"))")
        wallboard.open(api.base + "/wallboard/")
        wallboard.type("#token", OperationsAPITests.tokens["sup"]!)
        wallboard.click("#signin")
        #expect(wallboard.waitFor { wallboard.text("[data-waiting=support]") == "0" } != nil, "wallboard: \(wallboard.text("#signin-error"))")

        // The agent goes on a break from the page; a ccsim customer calls and waits.
        agentPage.click("#release")
        #expect(agentPage.waitFor { agentPage.text("#state").hasPrefix("released") } != nil)
        #expect(sup("GET", "/v1/agents/alice").object["state"] as? String == "released")
        // The customer is the ccsim program (its own process: this test blocks its thread while it
        // drives the browser and the agent's phone).
        try """
            name: pages
            duration: 30s
            engine:
              sip: {address: 127.0.0.1:\(port), require_auth: false}
              queues: [{name: support}]
              agents: [{login: alice}]
            customers:
              - {queue: support, calls: 1, hold_time: 2s}
            """.write(toFile: dir + "/customer.yaml", atomically: true, encoding: .utf8)
        let ccsim = (E2E.engineBinary as NSString).deletingLastPathComponent + "/ccsim"
        let customer = BackgroundRun(ccsim, ["run", dir + "/customer.yaml", "--engine", "127.0.0.1:\(port)", "--report", dir + "/ccsim-report"], cwd: dir)
        #expect(wallboard.waitFor(20) { wallboard.text("[data-waiting=support]") == "1" } != nil, "the wallboard's waiting count rises")

        // Back to available from the page: the offered call shows on the page.
        agentPage.click("#available")
        let shown = agentPage.waitFor(10) { agentPage.text("#call-title") == "Offered call" && !agentPage.text("#caller").isEmpty }
        #expect(shown != nil, "the offered call on the agent page")
        try? "agent page showed the offered call \(shown.map { String(format: "%.3f", $0) } ?? "never") s after Available was clicked\n"
            .write(toFile: dir + "/timing.txt", atomically: true, encoding: .utf8)
        #expect(agentPage.text("#queue") == "support")
        let callID = agentPage.text("#call-id")
        let ring = try #require(alice.anyRequest("INVITE"))
        #expect(ring.header("X-CC-Call") == callID)
        alice.respond(200, to: ring)
        _ = alice.request("ACK", ring.callID)
        #expect(agentPage.waitFor { agentPage.text("#call-title") == "Current call" } != nil)
        #expect(wallboard.waitFor { wallboard.text("[data-waiting=support]") == "0" } != nil, "and falls")

        // The customer hangs up after 2 s: wrap-up; the notes typed in the page reach the record.
        let bye = try #require(alice.anyRequest("BYE", timeout: 15))
        alice.respond(200, to: bye)
        #expect(agentPage.waitFor { agentPage.visible("#wrapup-panel") } != nil, "wrap-up form")
        try agentPage.screenshot(to: E2E.root + "/Reports/agent-page.png")
        agentPage.type("#notes", "Customer asked for the invoice again; sent it by mail.")
        agentPage.click("#wrapup-done")
        let store = try CallRecordStore(directory: (engine.recordsPath as NSString).deletingLastPathComponent)
        #expect(OperationsAPITests.eventually { (try? store.notes(of: callID)) == "Customer asked for the invoice again; sent it by mail." })
        #expect(agentPage.waitFor { agentPage.text("#state") == "available" } != nil)
        let (status, output) = customer.wait()
        #expect(status == 0, "ccsim: \(output.suffix(2000))")
        let report = try String(contentsOfFile: dir + "/ccsim-report/report.json", encoding: .utf8)
        #expect(report.contains("\"answered\""), "the ccsim customer's call was answered")

        // The supervisor logs alice out from the wallboard.
        #expect(wallboard.waitFor { wallboard.text("[data-agent=alice] .state-cell").contains("available") } != nil)
        try wallboard.screenshot(to: E2E.root + "/Reports/wallboard.png")
        wallboard.click("[data-logout=alice]")
        #expect(OperationsAPITests.eventually { sup("GET", "/v1/agents/alice").object["state"] as? String == "offline" })
        #expect(agentPage.waitFor { agentPage.text("#state") == "offline" } != nil, "the agent page follows")
        for shot in ["agent-page.png", "wallboard.png"] {
            let png = (try? Data(contentsOf: URL(fileURLWithPath: E2E.root + "/Reports/" + shot))) ?? Data()
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "\(shot): \(png.count) bytes")
        }
    }
}

/// A program run to completion on its own thread (bounded), its exit status and output kept.
final class BackgroundRun: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: (Int32, String) = (-1, "")

    init(_ path: String, _ args: [String], cwd: String, timeout: Double = 120) {
        let thread = Thread { [self] in
            result = (try? E2E.run(path, args, timeout: timeout, cwd: cwd)) ?? (-1, "could not start \(path)")
            done.signal()
        }
        thread.start()
    }

    func wait() -> (status: Int32, output: String) {
        done.wait()
        return result
    }
}
