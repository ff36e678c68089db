import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Simulator

/// Expectations that a mode cannot evaluate are skipped, never passed; names are printed as
/// written in YAML; the JUnit file is written for every exit, exit 2 included.
struct VerdictModesTests {
    static var ccsimBinary: String { (E2E.engineBinary as NSString).deletingLastPathComponent + "/ccsim" }

    static func scenario(_ text: String) -> String {
        let path = E2E.tempDirectory("verdict-modes") + "/quick.yaml"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `heard_while_waiting` judges what each caller's received audio held while it waited:
    /// silence fails, sound for over half the wait passes; `voicemails_heard` counts messages
    /// ccsim's agents heard the caller's tone in. (The observations are set by hand here; the
    /// real runs are in QueueMediaScenarioTests.)
    @Test func whatCallersAndAgentsHeardIsJudgedFromTheirAudio() throws {
        let text = try String(contentsOfFile: E2E.scenario("quickstart.yaml"), encoding: .utf8)
            + "  heard_while_waiting: true\n  voicemails_heard: 1\n"
        let s = try ScenarioFile.load(Self.scenario(text))
        var (_, result) = try VirtualRun.run(s)
        #expect(Verdict(result: result).checks.filter { $0.status == .skipped }.map(\.name).contains { $0.hasPrefix("heard_while_waiting") })
        result.virtualTime = false
        func check(_ key: String) -> Verdict.Check? { Verdict(result: result).checks.first { $0.name.hasPrefix(key) } }
        for i in result.calls.indices {
            result.calls[i].answeredAt = result.calls[i].offeredAt + 2
            result.calls[i].heardWhileWaiting = 0
        }
        #expect(check("heard_while_waiting")?.status == .failed, "silent waits")
        for i in result.calls.indices { result.calls[i].heardWhileWaiting = 1.5 }
        #expect(check("heard_while_waiting")?.status == .passed)
        #expect(check("voicemails_heard")?.status == .failed)
        result.voicemails = VoicemailsTaken(offeredPerAgent: ["alice": 1], takenPerAgent: ["alice": 1], heard: 1)
        #expect(check("voicemails_heard")?.status == .passed)
    }

    @Test func virtualRunSkipsWhatNeedsSIPMediaOrRecordsInConsoleAndJUnit() throws {
        let text = try String(contentsOfFile: E2E.scenario("quickstart.yaml"), encoding: .utf8)
            + "  never_rung: [bob]\n  final_queue: support\n"
        let s = try ScenarioFile.load(Self.scenario(text))
        let (_, result) = try VirtualRun.run(s)
        let verdict = Verdict(result: result)
        let console = SummaryPrinter.text(result, verdict: verdict)
        for key in ["media_verified", "dtmf_received", "records_match", "never_rung", "final_queue"] {
            #expect(console.contains("[SKIP] \(key) ("), "\(key) must be skipped:\n\(console)")
        }
        for key in ["all_answered", "no_failed", "max_wait"] { #expect(console.contains("[PASS] \(key) (")) }
        #expect(!console.contains("neverRung") && !console.contains("MEDIA NOT VERIFIED"), "\(console)")
        #expect(console.contains("not available in virtual time"))
        #expect(console.contains("RESULT: PASS (5 expectations skipped, not checked)"))

        let xml = try XMLDocument(xmlString: JUnitWriter.xml(result, verdict: verdict))
        let suite = try #require(try xml.nodes(forXPath: "/testsuites/testsuite").first as? XMLElement)
        #expect(suite.attribute(forName: "tests")?.stringValue == "8")
        #expect(suite.attribute(forName: "skipped")?.stringValue == "5")
        #expect(suite.attribute(forName: "failures")?.stringValue == "0")
        let skipped = try xml.nodes(forXPath: "//testcase[skipped]").compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue }
        #expect(skipped.count == 5)
        #expect(skipped.allSatisfy { n in ["media_verified", "dtmf_received", "records_match", "never_rung", "final_queue"].contains { n.hasPrefix($0 + " (") } }, "\(skipped)")
        #expect(try xml.nodes(forXPath: "//testcase[failure]").isEmpty)
    }

    @Test func junitIsWrittenWhenTheScenarioIsRefused() throws {
        let path = Self.scenario("name: broken\nengine:\n  queues: [{name: support}]\n  agents: [{login: zoe, password: pw}]\nagents:\n  - logins: [zoe]\nexpect:\n  never_rung: [zoee]\n")
        let junit = (path as NSString).deletingLastPathComponent + "/junit.xml"
        let (status, output) = try E2E.run(Self.ccsimBinary, ["run", path, "--virtual-time", "--junit", junit])
        #expect(status == 2)
        #expect(output.contains("quick.yaml:8: expect.never_rung[0]: no agent named 'zoee'"), "\(output)")
        let xml = try XMLDocument(contentsOf: URL(fileURLWithPath: junit))
        let failure = try #require(try xml.nodes(forXPath: "//testcase/failure").first as? XMLElement)
        #expect(failure.attribute(forName: "message")?.stringValue?.contains("no agent named 'zoee'") == true)
        #expect((try xml.nodes(forXPath: "/testsuites").first as? XMLElement)?.attribute(forName: "failures")?.stringValue == "1")
    }
}
