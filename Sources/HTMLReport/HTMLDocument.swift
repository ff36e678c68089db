import Foundation

/// One pass/fail check shown in a report, e.g. a simulation verdict. A skipped check (not
/// available in that kind of run) is shown as such, never as a pass.
public struct Check: Sendable {
    public var name: String
    public var passed: Bool
    public var skipped: Bool
    public var detail: String

    public init(_ name: String, passed: Bool, skipped: Bool = false, detail: String = "") {
        self.name = name
        self.passed = passed && !skipped
        self.skipped = skipped
        self.detail = detail
    }
}

/// A plain table. Columns whose cells all look numeric are right-aligned.
public struct Table: Sendable {
    public var header: [String]
    public var rows: [[String]]
    public var caption: String?

    public init(header: [String], rows: [[String]], caption: String? = nil) {
        self.header = header
        self.rows = rows
        self.caption = caption
    }
}

/// A block of a report, in document order.
public enum Section: Sendable {
    case heading(String)
    case subheading(String)
    case paragraph(String)
    case keyValues([(String, String)])
    case checks([Check])
    case table(Table)
    case chart(Chart)
    case preformatted(String)
    case sequence(SequenceDiagram)
}

/// A self-contained HTML report: one file, inline CSS and SVG, no scripts, no network,
/// printable. Well-formed XHTML as well as HTML5; every value is escaped.
public struct HTMLDocument: Sendable {
    public var title: String
    public var subtitle: String?
    public private(set) var sections: [Section] = []

    public init(title: String, subtitle: String? = nil) {
        self.title = title
        self.subtitle = subtitle
    }

    public mutating func add(_ section: Section) {
        sections.append(section)
    }

    public mutating func add(contentsOf sections: [Section]) {
        self.sections += sections
    }

    public func render() -> String {
        var out = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>\(HTML.escape(title))</title>
            <style>\(HTMLStyle.css)</style>
            </head>
            <body>
            <header>
            <h1>\(HTML.escape(title))</h1>\n
            """
        if let subtitle { out += "<p class=\"subtitle\">\(HTML.escape(subtitle))</p>\n" }
        out += "</header>\n<main>\n"
        var headingNumber = 0
        let headings = sections.compactMap { if case .heading(let h) = $0 { h } else { nil } }
        if headings.count >= 3 {
            out += "<nav class=\"toc\"><ol>\n"
            for (i, h) in headings.enumerated() { out += "<li><a href=\"#s\(i + 1)\">\(HTML.escape(h))</a></li>\n" }
            out += "</ol></nav>\n"
        }
        for section in sections {
            if case .heading = section { headingNumber += 1 }
            out += Self.render(section, id: "s\(headingNumber)")
        }
        return out + "</main>\n</body>\n</html>\n"
    }

    /// Renders and writes the document as UTF-8.
    public func write(to url: URL) throws {
        try Data(render().utf8).write(to: url, options: .atomic)
    }

    static func render(_ section: Section, id: String) -> String {
        switch section {
        case .heading(let text):
            return "<h2 id=\"\(id)\">\(HTML.escape(text))</h2>\n"
        case .subheading(let text):
            return "<h3>\(HTML.escape(text))</h3>\n"
        case .paragraph(let text):
            return "<p>\(HTML.escape(text))</p>\n"
        case .keyValues(let pairs):
            guard !pairs.isEmpty else { return "<p class=\"empty\">no data</p>\n" }
            return "<dl class=\"kv\">\n" + pairs.map {
                "<dt>\(HTML.escape($0.0))</dt><dd>\(HTML.escape($0.1))</dd>\n"
            }.joined() + "</dl>\n"
        case .checks(let checks):
            return render(checks)
        case .table(let table):
            return render(table)
        case .chart(let chart):
            return "<figure class=\"chart\">\n\(chart.svg())\n</figure>\n"
        case .preformatted(let text):
            return "<pre>\(HTML.escape(text))</pre>\n"
        case .sequence(let diagram):
            return "<figure class=\"chart\">\n\(diagram.svg())\n</figure>\n"
        }
    }

    static func render(_ checks: [Check]) -> String {
        guard !checks.isEmpty else { return "<p class=\"empty\">no checks</p>\n" }
        let failed = checks.filter { !$0.passed && !$0.skipped }.count
        let skipped = checks.filter(\.skipped).count
        let ran = checks.count - skipped
        var summary = failed == 0 ? "All \(ran) checks passed" : "\(failed) of \(ran) checks failed"
        if skipped > 0 { summary += "; \(skipped) skipped (not available in this run)" }
        var out = "<p class=\"verdict \(failed == 0 ? "pass" : "fail")\">\(summary)</p>\n"
        out += "<table class=\"checks\">\n<thead><tr><th>result</th><th>check</th><th>detail</th></tr></thead>\n<tbody>\n"
        for c in checks {
            let status = c.skipped ? "<td class=\"skip\">– skipped</td>" : c.passed ? "<td class=\"pass\">✓ pass</td>" : "<td class=\"fail\">✗ FAIL</td>"
            out += "<tr>\(status)<td>\(HTML.escape(c.name))</td><td>\(HTML.escape(c.detail))</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    static func render(_ table: Table) -> String {
        let width = max(table.header.count, table.rows.map(\.count).max() ?? 0)
        guard width > 0 else { return "<p class=\"empty\">no data</p>\n" }
        let numeric = (0..<width).map { col in
            let cells = table.rows.compactMap { col < $0.count ? $0[col] : nil }.filter { !$0.isEmpty }
            return !cells.isEmpty && cells.allSatisfy(looksNumeric)
        }
        func cell(_ tag: String, _ text: String, _ col: Int) -> String {
            "<\(tag)\(numeric[col] ? " class=\"num\"" : "")>\(HTML.escape(text))</\(tag)>"
        }
        var out = "<table>\n"
        if let caption = table.caption { out += "<caption>\(HTML.escape(caption))</caption>\n" }
        if !table.header.isEmpty {
            let header = table.header + Array(repeating: "", count: width - table.header.count)
            out += "<thead><tr>" + header.enumerated().map { cell("th", $1, $0) }.joined() + "</tr></thead>\n"
        }
        out += "<tbody>\n"
        if table.rows.isEmpty {
            out += "<tr><td class=\"empty\" colspan=\"\(width)\">no rows</td></tr>\n"
        }
        for row in table.rows {
            let padded = row + Array(repeating: "", count: width - row.count)
            out += "<tr>" + padded.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// A number with an optional short unit: `12`, `-3.5`, `1,234`, `85%`, `1.2k`, `3.4 ms`.
    static func looksNumeric(_ text: String) -> Bool {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        if s.first == "-" || s.first == "+" || s.first == "−" { s = s.dropFirst() }
        let number = s.prefix { $0.isNumber || $0 == "." || $0 == "," }
        guard number.contains(where: \.isNumber), number.first?.isNumber ?? false || number.first == "." else {
            return false
        }
        let unit = s.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
        return unit.count <= 4 && unit.allSatisfy { $0.isLetter || $0 == "%" || $0 == "/" || $0 == "µ" }
    }
}
