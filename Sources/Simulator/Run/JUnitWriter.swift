import Foundation

/// JUnit XML for CI: one test case per expectation, failures carrying what was expected and seen.
public enum JUnitWriter {
    public static func xml(_ result: SimulationRun.Result, verdict: Verdict) -> String {
        let failures = verdict.checks.filter { !$0.passed }.count
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<testsuites tests=\"\(verdict.checks.count)\" failures=\"\(failures)\" time=\"\(String(format: "%.3f", result.elapsed))\">\n"
        s += "  <testsuite name=\"\(escape(result.scenario.name))\" tests=\"\(verdict.checks.count)\" failures=\"\(failures)\" time=\"\(String(format: "%.3f", result.elapsed))\">\n"
        for c in verdict.checks {
            s += "    <testcase classname=\"ccsim.\(escape(result.scenario.name))\" name=\"\(escape(c.name))\">\n"
            if c.passed {
                s += "      <system-out>\(escape(c.detail))</system-out>\n"
            } else {
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
