/// A SIP request or response as a value. The codec (`SIPCodec`) turns bytes into this type
/// (through libosip2) and back; everything above the codec works on this type only.
public struct SIPMessage: Sendable, Equatable {
    public enum StartLine: Sendable, Equatable {
        case request(method: String, uri: SIPURI)
        case response(status: Int, reason: String)
    }

    /// The fields live in one reference-counted box, copied only when a shared message is
    /// changed: a message passes through the codec, the transaction layer, the B2BUA and the
    /// driver, and each hand-over of the plain struct retained and released every one of its
    /// dozen strings and arrays (`ccbench sip`).
    private final class Storage: @unchecked Sendable {  // changed only while uniquely referenced
        var startLine: StartLine
        var via: [Via]
        var from: NameAddress
        var to: NameAddress
        var callID: String
        var cseq: CSeq
        var contact: [NameAddress]
        var route: [NameAddress]
        var recordRoute: [NameAddress]
        var contentType: String?
        var headers: [Header]
        var body: [UInt8]

        init(startLine: StartLine, via: [Via], from: NameAddress, to: NameAddress, callID: String, cseq: CSeq, contact: [NameAddress], route: [NameAddress], recordRoute: [NameAddress], contentType: String?, headers: [Header], body: [UInt8]) {
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

        func copy() -> Storage {
            Storage(startLine: startLine, via: via, from: from, to: to, callID: callID, cseq: cseq, contact: contact, route: route, recordRoute: recordRoute, contentType: contentType, headers: headers, body: body)
        }
    }

    private var storage: Storage

    private mutating func unique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    public var startLine: StartLine {
        get { storage.startLine }
        _modify {
            unique()
            yield &storage.startLine
        }
    }
    public var via: [Via] {
        get { storage.via }
        _modify {
            unique()
            yield &storage.via
        }
    }
    public var from: NameAddress {
        get { storage.from }
        _modify {
            unique()
            yield &storage.from
        }
    }
    public var to: NameAddress {
        get { storage.to }
        _modify {
            unique()
            yield &storage.to
        }
    }
    public var callID: String {
        get { storage.callID }
        _modify {
            unique()
            yield &storage.callID
        }
    }
    public var cseq: CSeq {
        get { storage.cseq }
        _modify {
            unique()
            yield &storage.cseq
        }
    }
    public var contact: [NameAddress] {
        get { storage.contact }
        _modify {
            unique()
            yield &storage.contact
        }
    }
    public var route: [NameAddress] {
        get { storage.route }
        _modify {
            unique()
            yield &storage.route
        }
    }
    public var recordRoute: [NameAddress] {
        get { storage.recordRoute }
        _modify {
            unique()
            yield &storage.recordRoute
        }
    }
    public var contentType: String? {
        get { storage.contentType }
        _modify {
            unique()
            yield &storage.contentType
        }
    }
    /// Every other header, in order, as name and value.
    public var headers: [Header] {
        get { storage.headers }
        _modify {
            unique()
            yield &storage.headers
        }
    }
    public var body: [UInt8] {
        get { storage.body }
        _modify {
            unique()
            yield &storage.body
        }
    }

    public init(
        startLine: StartLine, via: [Via], from: NameAddress, to: NameAddress, callID: String, cseq: CSeq,
        contact: [NameAddress] = [], route: [NameAddress] = [], recordRoute: [NameAddress] = [],
        contentType: String? = nil, headers: [Header] = [], body: [UInt8] = []
    ) {
        storage = Storage(
            startLine: startLine, via: via, from: from, to: to, callID: callID, cseq: cseq, contact: contact,
            route: route, recordRoute: recordRoute, contentType: contentType, headers: headers, body: body)
    }

    public static func == (a: SIPMessage, b: SIPMessage) -> Bool {
        if a.storage === b.storage { return true }
        let x = a.storage, y = b.storage
        return x.startLine == y.startLine && x.via == y.via && x.from == y.from && x.to == y.to && x.callID == y.callID
            && x.cseq == y.cseq && x.contact == y.contact && x.route == y.route && x.recordRoute == y.recordRoute
            && x.contentType == y.contentType && x.headers == y.headers && x.body == y.body
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
