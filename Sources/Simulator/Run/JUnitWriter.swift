import Foundation

/// JUnit XML for CI: one test case per expectation, failures carrying what was expected and seen.
public enum JUnitWriter {
    public static func xml(_ result: SimulationRun.Result, verdict: Verdict) -> String {
        suite(result.scenario.name, elapsed: result.elapsed, cases: verdict.checks)
    }

    /// The file for a run that could not be made (exit 2: bad scenario, engine that did not start):
    /// one failing test case naming the error, so CI shows why instead of a missing file.
    public static func error(scenario: String, message: String) -> String {
        suite(scenario, elapsed: 0, cases: [Verdict.Check(name: "scenario", passed: false, detail: message, calls: [])])
    }

    static func suite(_ name: String, elapsed: Double, cases: [Verdict.Check]) -> String {
        let failures = cases.filter { $0.status == .failed }.count, skipped = cases.filter { $0.status == .skipped }.count
        let counts = "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(String(format: "%.3f", elapsed))\""
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<testsuites \(counts)>\n"
        s += "  <testsuite name=\"\(escape(name))\" \(counts)>\n"
        for c in cases {
            s += "    <testcase classname=\"ccsim.\(escape(name))\" name=\"\(escape(c.name))\">\n"
            switch c.status {
            case .passed: s += "      <system-out>\(escape(c.detail))</system-out>\n"
            case .skipped: s += "      <skipped message=\"\(escape(c.detail))\"/>\n"
            case .failed:
                s += "      <failure message=\"\(escape(c.detail))\">\(escape(c.detail + (c.calls.isEmpty ? "" : "\ncalls: " + c.calls.joined(separator: ", "))))</failure>\n"
            }
            s += "    </testcase>\n"
        }
        s += "  </testsuite>\n</testsuites>\n"
        return s
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
