import Foundation
import Testing

/// RFC 3261 §12.2.1.1 in one place: outside the SIP module's `Dialog`, the engine and the
/// simulator build only requests that start a dialog or stand outside one (INVITE with CSeq 1,
/// REGISTER, MESSAGE, OPTIONS). An ACK, BYE, CANCEL, re-INVITE, INFO, REFER or NOTIFY built by
/// hand would miss the route set or the CSeq rules somewhere; this test names the line if one appears.
@Suite struct InDialogRequestLintTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let checked = ["Sources/Engine", "Sources/EngineAPI", "Sources/Simulator"]
    static let allowedMethods: Set<String> = ["INVITE", "REGISTER", "MESSAGE", "OPTIONS"]

    static func swiftFiles() -> [URL] {
        checked.flatMap { dir -> [URL] in
            let e = FileManager.default.enumerator(at: root.appendingPathComponent(dir), includingPropertiesForKeys: nil)
            return (e?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
        }
    }

    @Test func noRequestInsideADialogIsBuiltByHand() throws {
        let files = Self.swiftFiles()
        #expect(files.count > 20)  // the scan found the sources
        let request = try NSRegularExpression(pattern: #"\.request\(method:\s*"([A-Z]+)""#)
        let cseq = try NSRegularExpression(pattern: #"CSeq\(([^,]+),\s*"([A-Z]+)"\)"#)
        var offences: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let s = String(line)
                let range = NSRange(s.startIndex..., in: s)
                for m in request.matches(in: s, range: range) {
                    let method = (s as NSString).substring(with: m.range(at: 1))
                    if !Self.allowedMethods.contains(method) { offences.append("\(file.lastPathComponent):\(n + 1): \(method) built by hand") }
                }
                for m in cseq.matches(in: s, range: range) {
                    let number = (s as NSString).substring(with: m.range(at: 1)).trimmingCharacters(in: .whitespaces)
                    let method = (s as NSString).substring(with: m.range(at: 2))
                    let initialInvite = method == "INVITE" && number == "1"
                    if !initialInvite && !["REGISTER", "MESSAGE", "OPTIONS"].contains(method) {
                        offences.append("\(file.lastPathComponent):\(n + 1): CSeq \(number) \(method) set by hand")
                    }
                }
            }
        }
        #expect(offences.isEmpty, "use SIP.Dialog (request, ack(for:), cancel(of:)) instead:\n\(offences.joined(separator: "\n"))")
    }
}
