/// RFC 3261 §20.10 / §25.1 name-addr and addr-spec in From, To, Contact, Route and Record-Route.
extension SIPValidation {
    static let addressHeaders: [(name: String, forms: [String], single: Bool)] = [
        ("From", ["from", "f"], true), ("To", ["to", "t"], true), ("Contact", ["contact", "m"], false),
        ("Route", ["route"], false), ("Record-Route", ["record-route"], false),
    ]

    static func checkAddresses(_ raw: RawHeaders) throws(SIPParseError) {
        for h in addressHeaders {
            for value in raw.all(h.forms) {
                let elements = try listElements(value, header: h.name)
                if h.single && elements.count > 1 {
                    // RFC 4475 baddn: an unquoted "Bell, Alexander" makes two values.
                    throw .malformed("\(h.name) has a comma outside quotes and <>, so it is two values: \(value.prefix(80))")
                }
                for e in elements { try checkAddress(e, header: h.name) }
            }
        }
    }

    /// The value split at commas outside quotes and `<>`, with quotes (RFC 4475 quotbal) and
    /// angle brackets balanced.
    static func listElements(_ value: String, header: String) throws(SIPParseError) -> [Substring] {
        var out: [Substring] = []
        var start = value.startIndex
        var inQuotes = false, escaped = false, inAngle = false
        for i in value.unicodeScalars.indices {
            let c = value.unicodeScalars[i]
            if inQuotes {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false }
            } else if inAngle {
                if c == ">" { inAngle = false } else if c == "<" { throw .malformed("\(header) has '<' inside <...>: \(value.prefix(80))") }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "<" {
                inAngle = true
            } else if c == ">" {
                throw .malformed("\(header) has '>' without '<': \(value.prefix(80))")
            } else if c == "," {
                out.append(value[start..<i])
                start = value.unicodeScalars.index(after: i)
            }
        }
        if inQuotes { throw .malformed("\(header) has an unterminated quoted string: \(value.prefix(80))") }
        if inAngle { throw .malformed("\(header) has '<' without '>': \(value.prefix(80))") }
        out.append(value[start...])
        return out
    }

    /// One name-addr or addr-spec. name-addr: a quoted or token display name, `<uri>` with no LWS
    /// inside (RFC 4475 badaspec), then only `;params`. addr-spec: a URI with no LWS and no
    /// `?headers` (regbadct: RFC 3261 §20 requires <> then), then only `;params`.
    static func checkAddress(_ element: Substring, header: String) throws(SIPParseError) {
        let e = Substring(String(element).trimmingWhitespace)
        guard !e.isEmpty else { throw .malformed("\(header) has an empty value") }
        let rest: Substring
        if let open = indexOutsideQuotes(of: "<", in: e) {
            let display = e[..<open]
            if !display.hasPrefix("\""), !display.utf8.allSatisfy({ isTokenByte($0) || $0 == 0x20 || $0 == 0x09 }) {
                throw .malformed("\(header) display name has characters a token does not allow; quote it: \(e.prefix(80))")
            }
            guard let close = e[open...].firstIndex(of: ">") else { throw .malformed("\(header) has '<' without '>'") }
            try checkURI(e[e.index(after: open)..<close], header: header, headersAllowed: true)
            rest = e[e.index(after: close)...]
        } else {
            let uriEnd = e.firstIndex(of: ";") ?? e.endIndex
            let uri = Substring(String(e[..<uriEnd]).trimmingWhitespace)
            if uri != "*" { try checkURI(uri, header: header, headersAllowed: false) }
            rest = e[uriEnd...]
        }
        let params = rest.drop { $0 == " " || $0 == "\t" }
        if let first = params.first, first != ";" {
            throw .malformed("\(header) has text after its URI that is not a parameter: \(e.prefix(80))")
        }
        // RFC 4475 badinv01: ";;;;" is a run of empty parameters; each needs a token name.
        for p in splitOutsideQuotes(params.dropFirst(), at: ";") where !params.isEmpty {
            let name = String(p.prefix { $0 != "=" }).trimmingWhitespace
            if name.isEmpty || !name.utf8.allSatisfy(isTokenByte) {
                throw .malformed("\(header) has an empty or malformed parameter: \(e.prefix(80))")
            }
        }
    }

    /// RFC 3261 §19.1 and §25.1: no LWS or brackets, "%" only as %HH (oSIP stops unescaping at a
    /// bad one), at most one bare "@" (user, password and headers hold none), and `?headers` only
    /// where the URI is enclosed in <>.
    static func checkURI(_ uri: Substring, header: String, headersAllowed: Bool) throws(SIPParseError) {
        guard uri.contains(":") else { throw .malformed("\(header) URI \(uri.prefix(80)) has no scheme") }
        let scalars = Array(uri.unicodeScalars)
        for (i, c) in scalars.enumerated() {
            if c.value <= 0x20 || c.value >= 0x7F || c == "<" || c == ">" || c == "\"" {
                throw .malformed("\(header) URI \(uri.prefix(80)) has whitespace, brackets, quotes or non-ASCII in it")
            }
            if c == "%" && !isEscape(scalars, at: i) {
                throw .malformed("\(header) URI \(uri.prefix(80)) has a '%' that is not an %HH escape")
            }
        }
        let ats = uri.filter { $0 == "@" }.count
        if ats > 1 { throw .malformed("\(header) URI \(uri.prefix(80)) has more than one '@'") }
        // A '?' in the user part is legal (RFC 4475 intmeth); one after the host starts headers.
        let afterUser = uri.firstIndex(of: "@").map { uri[uri.index(after: $0)...] } ?? uri
        if !headersAllowed && afterUser.contains("?") {
            throw .malformed("\(header) URI has headers but is not enclosed in <>: \(uri.prefix(80))")
        }
    }

    /// `;a=1;b="x;y"` -> `a=1`, `b="x;y"`: a quoted-string may hold the separator.
    static func splitOutsideQuotes(_ s: Substring, at separator: Character) -> [Substring] {
        var out: [Substring] = []
        var rest = s
        while let i = indexOutsideQuotes(of: separator, in: rest) {
            out.append(rest[..<i])
            rest = rest[rest.index(after: i)...]
        }
        out.append(rest)
        return out
    }

    static func indexOutsideQuotes(of target: Character, in s: Substring) -> Substring.Index? {
        var inQuotes = false, escaped = false
        for i in s.indices {
            let c = s[i]
            if inQuotes {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false }
            } else if c == "\"" {
                inQuotes = true
            } else if c == target {
                return i
            }
        }
        return nil
    }

    /// RFC 3261 §25.1: in a URI, "%" only as escaped = "%" HEXDIG HEXDIG.
    static func isEscape(_ s: [Unicode.Scalar], at i: Int) -> Bool {
        i + 2 < s.count && s[i + 1].properties.isASCIIHexDigit && s[i + 2].properties.isASCIIHexDigit
    }
}
