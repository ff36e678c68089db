import Foundation
import Testing
@testable import HTMLReport

@Suite struct DocumentTests {
    static let hostile = "<script>alert('x & \"y\"')</script>"

    static func everySection(_ text: String) -> [Section] {
        [
            .heading(text), .subheading(text), .paragraph(text),
            .keyValues([(text, text), ("calls", "1,234")]),
            .checks([Check(text, passed: true, detail: text), Check("b", passed: false)]),
            .table(Table(header: [text, "n"], rows: [[text, "1"], ["b", "2"]], caption: text)),
            .chart(.lines(title: text, xLabel: text, yLabel: text,
                          series: [Series(name: text, points: [(0, 1), (1, 2)]), Series(name: "b", points: [(0, 3)])])),
            .chart(.stackedArea(title: text, xLabel: text, yLabel: text, series: [Series(name: text, points: [(0, 1), (1, 2)])])),
            .chart(.histogram(title: text, xLabel: text, bins: [(0, 1, 3), (1, 2, 5)])),
            .chart(.bars(title: text, yLabel: text, bars: [(text, 1), ("b", 2)])),
            .chart(.percentiles(title: text, series: [(text, [(50, 1), (99, 5)])])),
            .preformatted(text),
        ]
    }

    @Test func everySectionIsWellFormedAndBalanced() {
        var doc = HTMLDocument(title: "Report", subtitle: "run 1")
        doc.add(contentsOf: Self.everySection("plain"))
        let html = doc.render()
        #expect(MarkupChecker.problems(html) == [])
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(MarkupChecker.count("<svg", in: html) == 5)
        #expect(MarkupChecker.count("</svg>", in: html) == 5)
        #expect(MarkupChecker.count("<table", in: html) == MarkupChecker.count("</table>", in: html))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=") && !html.contains("<link") && !html.contains("@import"))
    }

    @Test func everyValueIsEscaped() {
        var doc = HTMLDocument(title: Self.hostile, subtitle: Self.hostile)
        doc.add(contentsOf: Self.everySection(Self.hostile))
        let html = doc.render()
        #expect(MarkupChecker.problems(html) == [])
        #expect(!html.contains("<script"))
        #expect(!html.contains("'x"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;"))
    }

    @Test func escapeHandlesAllFiveCharactersAndControls() {
        #expect(HTML.escape(#"a&b<c>d"e'f"#) == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        #expect(HTML.escape("x\u{01}y\tz\n") == "x\u{FFFD}y\tz\n")
        #expect(HTML.escape("µs ✓") == "µs ✓")
    }

    @Test func numericColumnsAreRightAligned() {
        let html = HTMLDocument.render(Table(header: ["agent", "calls", "occ"],
                                             rows: [["a1", "1,204", "85%"], ["a2", "12", "3.5 ms"], ["a3", "", "-1.2k"]]))
        #expect(html.contains("<th>agent</th><th class=\"num\">calls</th><th class=\"num\">occ</th>"))
        #expect(html.contains("<td>a1</td><td class=\"num\">1,204</td>"))
        #expect(MarkupChecker.problems(html) == [])
    }

    @Test func numericDetection() {
        for s in ["12", "-3.5", "1,234", "85%", "1.2k", "3.4 ms", ".5", "+7", "40/s"] {
            #expect(HTMLDocument.looksNumeric(s), "\(s)")
        }
        for s in ["a1", "", "-", "v1.2.3x-long", "12 agents busy", "queue"] {
            #expect(!HTMLDocument.looksNumeric(s), "\(s)")
        }
    }

    @Test func raggedAndEmptyTables() {
        let ragged = HTMLDocument.render(Table(header: ["a"], rows: [["1", "2", "3"], []]))
        #expect(MarkupChecker.problems(ragged) == [])
        #expect(MarkupChecker.count("<td", in: ragged) == 6)
        #expect(HTMLDocument.render(Table(header: [], rows: [])).contains("no data"))
        #expect(HTMLDocument.render(Table(header: ["a"], rows: [])).contains("no rows"))
    }

    @Test func checksSummarize() {
        let html = HTMLDocument.render([Check("a", passed: true), Check("b", passed: false, detail: "late")])
        #expect(html.contains("1 of 2 checks failed"))
        #expect(html.contains("✗ FAIL") && html.contains("✓ pass"))
        #expect(HTMLDocument.render([Check("a", passed: true)]).contains("All 1 checks passed"))
    }

    @Test func tableOfContentsLinksHeadings() {
        var doc = HTMLDocument(title: "t")
        for h in ["one", "two", "three"] { doc.add(.heading(h)) }
        let html = doc.render()
        #expect(html.contains("<a href=\"#s3\">three</a>") && html.contains("<h2 id=\"s3\">three</h2>"))
        #expect(MarkupChecker.problems(html) == [])
    }

    @Test func checkerCatchesBrokenMarkup() {
        #expect(!MarkupChecker.problems("<p><b>x</p></b>").isEmpty)
        #expect(!MarkupChecker.problems("<p>a < b</p>").isEmpty)
        #expect(!MarkupChecker.problems("<p>a & b</p>").isEmpty)
        #expect(!MarkupChecker.problems("<svg><g></svg>").isEmpty)
        #expect(!MarkupChecker.problems("<a href=x>y</a>").isEmpty)
        #expect(MarkupChecker.problems("<p a=\"1\">x &amp; <br/> &#39;</p>") == [])
    }

    @Test func writesToFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("htmlreport-write-\(getpid()).html")
        defer { try? FileManager.default.removeItem(at: url) }
        try HTMLDocument(title: "t").write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8).contains("<h1>t</h1>"))
    }
}
