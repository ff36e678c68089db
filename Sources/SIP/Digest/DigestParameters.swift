/// The parameters of one `Authorization`, `Proxy-Authorization`, `WWW-Authenticate` or
/// `Proxy-Authenticate` header value (RFC 3261 §25.1 `challenge` / `credentials`, RFC 7616 §3):
/// `Digest name=token, name="quoted \"string\", with commas"`. Names are case-insensitive and kept
/// lowercased; a quoted value is unescaped.
public struct DigestParameters: Sendable, Equatable {
    public var scheme: String
    public private(set) var values: [String: String]

    public init(scheme: String, values: [String: String]) {
        self.scheme = scheme
        self.values = Dictionary(uniqueKeysWithValues: values.map { ($0.key.lowercased(), $0.value) })
    }

    public subscript(_ name: String) -> String? { values[name.lowercased()] }

    public var isDigest: Bool { scheme.lowercased() == "digest" }

    /// Parses one header value. Throws with a message naming what is wrong and where.
    public static func parse(_ text: String) throws(DigestParseError) -> DigestParameters {
        var p = Parser(Array(text.utf8))
        return try p.parse()
    }

    /// One header value: the scheme, then `name=value` pairs in the given order; `quoted` values
    /// get quotes and backslash escapes (RFC 3261 §25.1 quoted-pair).
    public static func format(scheme: String, _ params: [(name: String, value: String, quoted: Bool)]) -> String {
        scheme + " " + params.map { p in
            p.quoted ? "\(p.name)=\(quote(p.value))" : "\(p.name)=\(p.value)"
        }.joined(separator: ", ")
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for c in s {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}

/// Why an authentication header value could not be read. The peer's fault: answer 400 or challenge.
public struct DigestParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

private struct Parser {
    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static let space: UInt8 = 0x20, tab: UInt8 = 0x09, comma: UInt8 = 0x2C, equals: UInt8 = 0x3D
    static let quote: UInt8 = 0x22, backslash: UInt8 = 0x5C, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A

    mutating func parse() throws(DigestParseError) -> DigestParameters {
        skipWhitespace()
        let scheme = token()
        guard !scheme.isEmpty else { throw DigestParseError("no authentication scheme (expected \"Digest\")") }
        // Other schemes (Basic's token68, Bearer, ...) are not ours to read.
        guard scheme.lowercased() == "digest" else { return DigestParameters(scheme: scheme, values: [:]) }
        var values: [String: String] = [:]
        while true {
            skipWhitespaceAndCommas()
            if i == bytes.count { break }
            let name = token().lowercased()
            guard !name.isEmpty else { throw DigestParseError("unexpected character '\(char(at: i))' at offset \(i)") }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == Self.equals else { throw DigestParseError("parameter \(name) has no '=value'") }
            i += 1
            skipWhitespace()
            let value: String
            if i < bytes.count, bytes[i] == Self.quote {
                value = try quoted(name)
            } else {
                value = token()
                guard !value.isEmpty else { throw DigestParseError("parameter \(name) has an empty value") }
            }
            guard values[name] == nil else { throw DigestParseError("parameter \(name) appears twice") }
            values[name] = value
            skipWhitespace()
            guard i == bytes.count || bytes[i] == Self.comma else {
                throw DigestParseError("expected ',' after parameter \(name) at offset \(i)")
            }
        }
        return DigestParameters(scheme: scheme, values: values)
    }

    /// RFC 3261 §25.1 token characters, plus '/' and ':' which unquoted nonces and URIs carry in
    /// the wild; stops at whitespace, ',', '=' and '"'.
    mutating func token() -> String {
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == Self.space || b == Self.tab || b == Self.cr || b == Self.lf || b == Self.comma || b == Self.equals || b == Self.quote { break }
            i += 1
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func quoted(_ name: String) throws(DigestParseError) -> String {
        i += 1  // opening quote
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == Self.backslash {
                guard i + 1 < bytes.count else { break }
                out.append(bytes[i + 1])
                i += 2
            } else if b == Self.quote {
                i += 1
                return String(decoding: out, as: UTF8.self)
            } else {
                out.append(b)
                i += 1
            }
        }
        throw DigestParseError("the quoted value of parameter \(name) never ends")
    }

    mutating func skipWhitespace() {
        while i < bytes.count, [Self.space, Self.tab, Self.cr, Self.lf].contains(bytes[i]) { i += 1 }
    }

    mutating func skipWhitespaceAndCommas() {
        while i < bytes.count, [Self.space, Self.tab, Self.cr, Self.lf, Self.comma].contains(bytes[i]) { i += 1 }
    }

    func char(at index: Int) -> String {
        index < bytes.count ? String(decoding: [bytes[index]], as: UTF8.self) : "end"
    }
}
