import Foundation
import Testing
@testable import Simulator

/// `ccbench pcap` on a real quickstart capture: its sip,stat counts equal tshark's, and its HTML
/// ladders are checked in headless Chromium (title, no negative time, every lane inside the
/// drawing) with a screenshot.
@Suite(.serialized) struct PcapLadderTests {
    static var ccbench: String { (E2E.engineBinary as NSString).deletingLastPathComponent + "/ccbench" }

    /// The quickstart through ccsim with a capture (own SIP port and relay ports).
    static func capture(_ dir: String) throws -> String {
        let scenario = try String(contentsOfFile: E2E.scenario("quickstart.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "20000-20999", with: "25600-25699")
        try scenario.write(toFile: dir + "/quickstart.yaml", atomically: true, encoding: .utf8)
        let pcap = dir + "/quickstart.pcap"
        let (status, output) = try E2E.run(VerdictModesTests.ccsimBinary, ["run", dir + "/quickstart.yaml", "--pcap", pcap,
                                                                           "--sip-port", "\(RawUDP().port)", "--report", dir + "/run"], timeout: 120)
        #expect(status == 0, "\(output)")
        return pcap
    }

    /// "Number of SIP messages: 71" and "SIP 200 OK : 21 Packets" / "INVITE : 8 Packets" lines.
    static func counts(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0].hasPrefix("Number of") || parts[1].hasSuffix("Packets") { out[parts[0]] = parts[1] }
            if parts[0].hasPrefix("* Average setup time") || parts[0].hasPrefix("Min") || parts[0].hasPrefix("Max") { out[parts[0]] = parts[1] }
        }
        return out
    }

    static func setup(_ text: String) -> [Int] {
        text.split(separator: "\n").compactMap { line -> Int? in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("* Average setup time") || t.hasPrefix("Min ") || t.hasPrefix("Max ") else { return nil }
            return Int(t.split(separator: " ").reversed().dropFirst().first ?? "")
        }
    }

    @Test func sipStatCountsEqualTsharksAndTheHTMLLaddersRenderInChromium() throws {
        guard let tshark = E2E.which("tshark"), let chromium = E2E.which("chromium") else {
            Issue.record("tshark or chromium is not installed: run `make test`, which installs them")
            return
        }
        let dir = E2E.tempDirectory("pcap-ladders")
        let pcap = try Self.capture(dir)
        let (status, ours) = try E2E.run(Self.ccbench, ["pcap", pcap, "--report", dir + "/forensics"], timeout: 60)
        #expect(status == 0, "\(ours)")
        let theirs = try E2E.run(tshark, ["-r", pcap, "-q", "-z", "sip,stat"]).output

        // The counts, line for line; setup times within 2 ms (tshark keeps rounded request times).
        let a = Self.counts(ours), b = Self.counts(theirs)
        #expect(b["Number of SIP messages"] != nil && b.count >= 8, "tshark:\n\(theirs)")
        for (key, value) in b where !key.hasPrefix("* Average") && !key.hasPrefix("Min") && !key.hasPrefix("Max") {
            #expect(a[key] == value, "\(key): ccbench \(a[key] ?? "missing"), tshark \(value)")
        }
        let sa = Self.setup(ours), sb = Self.setup(theirs)
        #expect(sa.count == 3 && sb.count == 3, "setup lines: ours \(sa), tshark \(sb)")
        for (x, y) in zip(sa, sb) { #expect(abs(x - y) <= 2, "setup time ccbench \(x) ms, tshark \(y) ms") }

        // One ladder per call with both legs and named lanes, on the capture's clock.
        #expect(ours.contains("(+ 1 agent leg)"))
        #expect(ours.range(of: #"cust1 127\.0\.0\.1:\d+ +engine 127\.0\.0\.1:\d+ +(alice|bob) 127\.0\.0\.1:\d+"#, options: .regularExpression) != nil, "\(ours)")
        #expect(ours.contains("REGISTER: 2 dialogs"))

        // Chromium: the page's own layout check (every text of every ladder inside its drawing,
        // no negative time) and a screenshot.
        let html = dir + "/forensics/report.html"
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<title>ccbench pcap: quickstart.pcap</title>"))
        let check = """
            <script>
            window.addEventListener('load', () => {
              const problems = [];
              document.querySelectorAll('svg').forEach(svg => {
                const width = svg.viewBox.baseVal.width;
                svg.querySelectorAll('text').forEach(t => {
                  const b = t.getBBox();
                  if (b.x < -0.5 || b.x + b.width > width + 0.5) problems.push('outside: ' + t.textContent);
                  if (/^\\s*[-−]|\\+-/.test(t.textContent)) problems.push('negative: ' + t.textContent);
                });
              });

              const pre = document.createElement('pre');
              pre.textContent = 'LAYOUT-CHECK ' + JSON.stringify({problems, svgs: document.querySelectorAll("svg").length});
              document.body.appendChild(pre);
            });
            </script>
            """
        try page.replacingOccurrences(of: "</body>", with: check + "</body>").write(toFile: dir + "/check.html", atomically: true, encoding: .utf8)
        let chrome = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir)/chromium"]
        let dom = try E2E.run(chromium, chrome + ["--virtual-time-budget=3000", "--dump-dom", "file://\(dir)/check.html"], timeout: 90).output
        let line = try #require(dom.split(separator: "\n").first { $0.contains("LAYOUT-CHECK {") }, "no layout check in:\n\(dom.suffix(2000))")
        #expect(line.contains(#""problems":[]"#), "\(line)")
        #expect(line.contains(#""svgs":4"#), "one ladder per call: \(line)")
        let shot = dir + "/ladders.png"
        _ = try E2E.run(chromium, chrome + ["--screenshot=\(shot)", "--window-size=1400,2400", "file://\(html)"], timeout: 90)
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "screenshot \(shot): \(png.count) bytes")
        let width = png.count > 24 ? png[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
        #expect(width == 1400)
    }
}
