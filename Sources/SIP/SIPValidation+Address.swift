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
    /// angle brackets balanced. Works on UTF-8 bytes: every delimiter is ASCII.
    static func listElements(_ value: String, header: String) throws(SIPParseError) -> [Substring] {
        var out: [Substring] = []
        let u = value.utf8
        var start = u.startIndex
        var inQuotes = false, escaped = false, inAngle = false
        var i = u.startIndex
        while i != u.endIndex {
            let c = u[i]
            if inQuotes {
                if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inQuotes = false }
            } else if inAngle {
                if c == 0x3E { inAngle = false } else if c == 0x3C { throw .malformed("\(header) has '<' inside <...>: \(value.prefix(80))") }
            } else if c == 0x22 {
                inQuotes = true
            } else if c == 0x3C {
                inAngle = true
            } else if c == 0x3E {
                throw .malformed("\(header) has '>' without '<': \(value.prefix(80))")
            } else if c == 0x2C {
                out.append(value[start..<i])
                start = u.index(after: i)
            }
            i = u.index(after: i)
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
        let e = trimmed(element)
        guard !e.isEmpty else { throw .malformed("\(header) has an empty value") }
        let rest: Substring
        if let open = indexOutsideQuotes(of: 0x3C, in: e) {
            let display = e[..<open]
            if !display.hasPrefix("\""), !display.utf8.allSatisfy({ isTokenByte($0) || $0 == 0x20 || $0 == 0x09 }) {
                throw .malformed("\(header) display name has characters a token does not allow; quote it: \(e.prefix(80))")
            }
            guard let close = e.utf8[open...].firstIndex(of: 0x3E) else { throw .malformed("\(header) has '<' without '>'") }
            try checkURI(e[e.utf8.index(after: open)..<close], header: header, headersAllowed: true)
            rest = e[e.utf8.index(after: close)...]
        } else {
            let uriEnd = e.utf8.firstIndex(of: 0x3B) ?? e.endIndex
            let uri = trimmed(e[..<uriEnd])
            if uri != "*" { try checkURI(uri, header: header, headersAllowed: false) }
            rest = e[uriEnd...]
        }
        let params = rest.drop { $0 == " " || $0 == "\t" }
        if let first = params.utf8.first, first != 0x3B {
            throw .malformed("\(header) has text after its URI that is not a parameter: \(e.prefix(80))")
        }
        // RFC 4475 badinv01: ";;;;" is a run of empty parameters; each needs a token name.
        for p in splitOutsideQuotes(params.dropFirst(), at: 0x3B) where !params.isEmpty {
            let name = trimmed(p[..<(p.utf8.firstIndex(of: 0x3D) ?? p.endIndex)])
            if name.isEmpty || !name.utf8.allSatisfy(isTokenByte) {
                throw .malformed("\(header) has an empty or malformed parameter: \(e.prefix(80))")
            }
        }
    }

    /// RFC 3261 §19.1 and §25.1: no LWS or brackets, "%" only as %HH (oSIP stops unescaping at a
    /// bad one), at most one bare "@" (user, password and headers hold none), and `?headers` only
    /// where the URI is enclosed in <>.
    static func checkURI(_ uri: Substring, header: String, headersAllowed: Bool) throws(SIPParseError) {
        let u = uri.utf8
        guard u.contains(0x3A) else { throw .malformed("\(header) URI \(uri.prefix(80)) has no scheme") }
        // One pass over the bytes: no '@' beyond the first; a '?' after it (or anywhere when
        // there is none) starts headers. A '?' in the user part is legal (RFC 4475 intmeth).
        var ats = 0, question = false
        var i = u.startIndex
        while i != u.endIndex {
            let c = u[i]
            if c <= 0x20 || c >= 0x7F || c == 0x3C || c == 0x3E || c == 0x22 {
                throw .malformed("\(header) URI \(uri.prefix(80)) has whitespace, brackets, quotes or non-ASCII in it")
            }
            if c == 0x25 {
                guard isEscape(at: i, in: u) else {
                    throw .malformed("\(header) URI \(uri.prefix(80)) has a '%' that is not an %HH escape")
                }
            }
            if c == 0x40 {
                if ats == 0 { question = false }
                ats += 1
            }
            if c == 0x3F { question = true }
            i = u.index(after: i)
        }
        if ats > 1 { throw .malformed("\(header) URI \(uri.prefix(80)) has more than one '@'") }
        if !headersAllowed && question {
            throw .malformed("\(header) URI has headers but is not enclosed in <>: \(uri.prefix(80))")
        }
    }

    static func splitOutsideQuotes(_ s: Substring, at separator: UInt8) -> [Substring] {
        var out: [Substring] = []
        var rest = s
        while let i = indexOutsideQuotes(of: separator, in: rest) {
            out.append(rest[..<i])
            rest = rest[rest.utf8.index(after: i)...]
        }
        out.append(rest)
        return out
    }

    /// The first `target` byte (an ASCII delimiter) outside a quoted-string.
    static func indexOutsideQuotes(of target: UInt8, in s: Substring) -> Substring.Index? {
        var inQuotes = false, escaped = false
        var i = s.utf8.startIndex
        while i != s.utf8.endIndex {
            let c = s.utf8[i]
            if inQuotes {
                if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inQuotes = false }
            } else if c == 0x22 {
                inQuotes = true
            } else if c == target {
                return i
            }
            i = s.utf8.index(after: i)
        }
        return nil
    }

    /// The '%' at `i` starts an `%HH` escape (RFC 3261 §25.1).
    static func isEscape(at i: Substring.UTF8View.Index, in u: Substring.UTF8View) -> Bool {
        let h1 = u.index(after: i)
        guard h1 != u.endIndex else { return false }
        let h2 = u.index(after: h1)
        return h2 != u.endIndex && isHexDigit(u[h1]) && isHexDigit(u[h2])
    }

    static func isHexDigit(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) }

    /// Without leading and trailing spaces, tabs, CR and LF.
    static func trimmed(_ s: Substring) -> Substring {
        func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
        var a = s.utf8.startIndex, b = s.utf8.endIndex
        while a != b, blank(s.utf8[a]) { a = s.utf8.index(after: a) }
        while b != a, blank(s.utf8[s.utf8.index(before: b)]) { b = s.utf8.index(before: b) }
        return s[a..<b]
    }
}
