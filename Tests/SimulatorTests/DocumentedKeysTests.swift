import Foundation
import Testing

/// Every key the engine's and ccsim's YAML readers accept, and every property of the scenario
/// JSON Schema, is documented in README.md, docs/configuration.md or docs/scenarios.md (as
/// `key`, `section.key` or `key:`).
struct DocumentedKeysTests {
    static let readers = ["Sources/Engine/Config", "Sources/Simulator/Scenario"]

    /// String literals in `mapping(allowed: [...])` and `Set<String> = [...]` of the readers.
    static func readerKeys() throws -> Set<String> {
        var keys = Set<String>()
        let list = try NSRegularExpression(pattern: #"(?:mapping\(allowed: |Set<String> = )\[([^\]]*)\]"#)
        let literal = try NSRegularExpression(pattern: #""([a-z_][a-z0-9_]*)""#)
        for dir in readers {
            for file in try FileManager.default.contentsOfDirectory(atPath: E2E.root + "/" + dir) where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: E2E.root + "/\(dir)/\(file)", encoding: .utf8)
                for m in list.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let inner = String(text[Range(m.range(at: 1), in: text)!])
                    for l in literal.matches(in: inner, range: NSRange(inner.startIndex..., in: inner)) {
                        keys.insert(String(inner[Range(l.range(at: 1), in: inner)!]))
                    }
                }
            }
        }
        return keys
    }

    static func schemaKeys() throws -> Set<String> {
        let data = try Data(contentsOf: URL(fileURLWithPath: E2E.root + "/docs/scenario.schema.json"))
        var keys = Set<String>()
        func walk(_ o: Any) {
            if let d = o as? [String: Any] {
                if let props = d["properties"] as? [String: Any] { keys.formUnion(props.keys) }
                d.values.forEach(walk)
            } else if let a = o as? [Any] { a.forEach(walk) }
        }
        walk(try JSONSerialization.jsonObject(with: data))
        return keys
    }

    static func documented(_ key: String, in docs: String) -> Bool {
        docs.contains("`\(key)") || docs.contains(".\(key)`") || docs.contains("\(key):") || docs.contains("\(key)`")
    }

    @Test func everyAcceptedKeyIsDocumented() throws {
        let docs = try ["README.md", "docs/configuration.md", "docs/scenarios.md"]
            .map { try String(contentsOfFile: E2E.root + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        let reader = try Self.readerKeys(), schema = try Self.schemaKeys()
        #expect(reader.count > 60, "the reader scan found only \(reader.count) keys")
        #expect(schema.count > 40, "the schema scan found only \(schema.count) keys")
        let missing = reader.union(schema).filter { !Self.documented($0, in: docs) }.sorted()
        #expect(missing.isEmpty, "keys accepted but not documented: \(missing.joined(separator: ", "))")
    }
}
