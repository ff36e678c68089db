/// A SIP request or response as a value. The codec (`SIPCodec`) turns bytes into this type and back
/// through libosip2; everything above the codec works on this type only.
public struct SIPMessage: Sendable, Equatable {
    public enum StartLine: Sendable, Equatable {
        case request(method: String, uri: SIPURI)
        case response(status: Int, reason: String)
    }

    public var startLine: StartLine
    public var via: [Via]
    public var from: NameAddress
    public var to: NameAddress
    public var callID: String
    public var cseq: CSeq
    public var contact: [NameAddress]
    public var route: [NameAddress]
    public var recordRoute: [NameAddress]
    public var contentType: String?
    /// Every other header, in order, as name and value.
    public var headers: [Header]
    public var body: [UInt8]

    public init(
        startLine: StartLine, via: [Via], from: NameAddress, to: NameAddress, callID: String, cseq: CSeq,
        contact: [NameAddress] = [], route: [NameAddress] = [], recordRoute: [NameAddress] = [],
        contentType: String? = nil, headers: [Header] = [], body: [UInt8] = []
    ) {
        self.startLine = startLine
        self.via = via
        self.from = from
        self.to = to
        self.callID = callID
        self.cseq = cseq
        self.contact = contact
        self.route = route
        self.recordRoute = recordRoute
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    public var isRequest: Bool { if case .request = startLine { true } else { false } }
    public var method: String? { if case .request(let m, _) = startLine { m } else { nil } }
    public var requestURI: SIPURI? { if case .request(_, let u) = startLine { u } else { nil } }
    public var status: Int? { if case .response(let s, _) = startLine { s } else { nil } }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    public mutating func setHeader(_ name: String, _ value: String?) {
        headers.removeAll { $0.name.equalsIgnoringASCIICase(name) }
        if let value { headers.append(Header(name, value)) }
    }

    /// The `Expires` header as seconds, if present and numeric.
    public var expires: Int? { header("Expires").flatMap { Int($0.trimmingWhitespace) } }
    public var maxForwards: Int? { header("Max-Forwards").flatMap { Int($0.trimmingWhitespace) } }

    /// The top Via's branch: the RFC 3261 §17 transaction key, with the method.
    public var branch: String? { via.first?.branch }
}

public struct CSeq: Hashable, Sendable, CustomStringConvertible {
    public var number: UInt32
    public var method: String
    public init(_ number: UInt32, _ method: String) {
        self.number = number
        self.method = method
    }
    public var description: String { "\(number) \(method)" }
}

public struct Header: Hashable, Sendable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension String {
    /// Header and parameter names compare without case (RFC 3261 §7.3.1); they are ASCII tokens,
    /// so this compares bytes and allocates nothing (it sits on every message's path).
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        var a = utf8.makeIterator(), b = other.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x != y && (x | 0x20 != y | 0x20 || !((x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A)) { return false }
            default: return false
            }
        }
    }

    var trimmingWhitespace: String {
        func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
        guard let f = utf8.first, let l = utf8.last, blank(f) || blank(l) else { return self }
        return String(SIPValidation.trimmed(Substring(self)))
    }
}
