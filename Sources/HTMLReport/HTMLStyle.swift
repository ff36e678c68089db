/// The report's inline stylesheet: readable on screen, printable, no external fonts.
/// (No `<` or `&`, so it stays well-formed as XHTML.)
enum HTMLStyle {
    static let css = """

        :root { color-scheme: light; }
        body { margin: 0; background: #fff; color: #1b1f24; line-height: 1.45;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
        header, main { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
        header { padding-top: 22px; padding-bottom: 10px; border-bottom: 2px solid #0072B2; }
        main { padding-bottom: 40px; }
        h1 { font-size: 1.65em; margin: 0 0 2px; }
        h2 { font-size: 1.25em; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #e3e6ea; }
        h3 { font-size: 1.05em; margin: 20px 0 8px; }
        p { margin: 8px 0; max-width: 75ch; }
        .subtitle { color: #57606a; margin: 0; }
        .empty { color: #777; font-style: italic; }
        nav.toc { margin: 14px 0 0; font-size: 0.95em; }
        nav.toc ol { margin: 0; padding-left: 1.4em; columns: 2; }
        nav.toc a { color: #0b5cad; text-decoration: none; }
        table { border-collapse: collapse; margin: 8px 0 18px; font-size: 0.92em; }
        th, td { padding: 4px 12px; border-bottom: 1px solid #e3e6ea; text-align: left; vertical-align: top; }
        th { background: #f3f5f7; font-weight: 600; border-bottom: 1px solid #cfd5db; }
        tbody tr:nth-child(even) { background: #fafbfc; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        caption { caption-side: top; text-align: left; color: #57606a; padding-bottom: 4px; }
        dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 3px 20px; margin: 8px 0 18px; }
        dl.kv dt { color: #57606a; }
        dl.kv dd { margin: 0; font-variant-numeric: tabular-nums; }
        .pass { color: #1a7f37; font-weight: 600; white-space: nowrap; }
        .fail { color: #cf222e; font-weight: 600; white-space: nowrap; }
        .skip { color: #6e7781; font-weight: 600; white-space: nowrap; }
        p.verdict { font-weight: 600; }
        figure.chart { margin: 10px 0 22px; max-width: 920px; padding: 4px;
          border: 1px solid #e3e6ea; border-radius: 6px; break-inside: avoid; page-break-inside: avoid; }
        figure.chart svg { display: block; width: 100%; height: auto; }
        pre { background: #f6f8fa; border: 1px solid #e3e6ea; border-radius: 4px; padding: 10px 12px;
          overflow-x: auto; font-size: 0.86em; line-height: 1.35; }
        @media print {
          body { font-size: 10.5pt; }
          header, main { max-width: none; padding-left: 0; padding-right: 0; }
          nav.toc { display: none; }
          h2, h3 { break-after: avoid; page-break-after: avoid; }
          table, pre, dl.kv { break-inside: avoid; }
          figure.chart { border: none; }
          a { color: inherit; }
        }
        @page { margin: 14mm; }

        """
}
