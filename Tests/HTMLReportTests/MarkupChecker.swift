import Foundation

/// A small strict well-formedness checker for the XHTML the reports produce (Foundation's
/// XMLDocument needs libxml2 at run time on Linux, which the project does not install):
/// every tag closed in order, attributes quoted, only known entities, no stray `<` or `&`.
enum MarkupChecker {
    static func problems(_ text: String) -> [String] {
        let b = Array(text.utf8)
        var problems: [String] = []
        var stack: [String] = []
        var i = 0
        func has(_ s: String, at k: Int) -> Bool {
            let p = Array(s.utf8)
            return k + p.count <= b.count && Array(b[k..<k + p.count]) == p
        }
        func find(_ s: String, from k: Int) -> Int? {
            var j = k
            while j < b.count { if has(s, at: j) { return j }; j += 1 }
            return nil
        }
        func isNameByte(_ c: UInt8) -> Bool {
            (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45 || c == 58 || c == 95
        }
        func name(from k: inout Int) -> String {
            let start = k
            while k < b.count && isNameByte(b[k]) { k += 1 }
            return String(decoding: b[start..<k], as: UTF8.self)
        }
        func entity(at k: Int) -> Bool {
            guard let semi = find(";", from: k), semi - k <= 10 else { return false }
            let e = String(decoding: b[(k + 1)..<semi], as: UTF8.self)
            if ["amp", "lt", "gt", "quot", "apos"].contains(e) { return true }
            if e.hasPrefix("#x") { return e.count > 2 && e.dropFirst(2).allSatisfy(\.isHexDigit) }
            return e.hasPrefix("#") && e.count > 1 && e.dropFirst().allSatisfy(\.isNumber)
        }
        func skipSpace(_ k: inout Int) { while k < b.count && [32, 9, 10, 13].contains(b[k]) { k += 1 } }

        while i < b.count {
            if b[i] == 38 /* & */ {
                if !entity(at: i) { problems.append("bad entity at \(i)") }
                i += 1
            } else if b[i] == 60 /* < */ {
                if has("<!--", at: i) { i = (find("-->", from: i) ?? b.count) + 3; continue }
                if has("<!DOCTYPE", at: i) {
                    if i != 0 { problems.append("DOCTYPE not first") }
                    i = (find(">", from: i) ?? b.count) + 1
                    continue
                }
                if has("</", at: i) {
                    var k = i + 2
                    let n = name(from: &k)
                    skipSpace(&k)
                    guard k < b.count, b[k] == 62 else { problems.append("bad end tag at \(i)"); i += 2; continue }
                    if stack.last == n { stack.removeLast() } else { problems.append("</\(n)> closes <\(stack.last ?? "nothing")> at \(i)") }
                    i = k + 1
                    continue
                }
                var k = i + 1
                let n = name(from: &k)
                guard !n.isEmpty else { problems.append("stray < at \(i)"); i += 1; continue }
                var closed = false, selfClosing = false
                while k < b.count && !closed {
                    skipSpace(&k)
                    if has("/>", at: k) { selfClosing = true; closed = true; k += 2; break }
                    if b[k] == 62 { closed = true; k += 1; break }
                    let attr = name(from: &k)
                    guard !attr.isEmpty, k + 1 < b.count, b[k] == 61, b[k + 1] == 34 || b[k + 1] == 39 else {
                        problems.append("bad attribute in <\(n)> at \(k)"); break
                    }
                    let quote = b[k + 1]
                    var j = k + 2
                    while j < b.count && b[j] != quote {
                        if b[j] == 60 { problems.append("< in attribute of <\(n)>") }
                        if b[j] == 38 && !entity(at: j) { problems.append("bad entity in attribute of <\(n)>") }
                        j += 1
                    }
                    k = j + 1
                }
                if !closed { problems.append("unterminated <\(n)> at \(i)"); break }
                if !selfClosing { stack.append(n) }
                i = k
            } else {
                i += 1
            }
        }
        if !stack.isEmpty { problems.append("unclosed: \(stack.joined(separator: " > "))") }
        return problems
    }

    /// How often `needle` occurs in `text`.
    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}
