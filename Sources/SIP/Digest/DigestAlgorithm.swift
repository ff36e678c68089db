import Crypto

/// The digest algorithms we offer and accept (RFC 7616 §3.3, RFC 8760 for SIP). SHA-256 first:
/// it is preferred wherever both are possible.
public enum DigestAlgorithm: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case sha256 = "SHA-256"
    case md5 = "MD5"

    /// The `algorithm` parameter's token, case-insensitively; nil for algorithms we do not do
    /// (the `-sess` variants, SHA-512-256).
    public init?(token: String) {
        switch token.lowercased() {
        case "sha-256": self = .sha256
        case "md5": self = .md5
        default: return nil
        }
    }

    public var description: String { rawValue }

    /// H(data) as lowercase hex (RFC 7616 §3.4.1: the 32 or 64 hex digits of the hash).
    public func hash(_ text: String) -> String {
        switch self {
        case .md5: hex(Insecure.MD5.hash(data: Array(text.utf8)))
        case .sha256: hex(SHA256.hash(data: Array(text.utf8)))
        }
    }

    /// RFC 7616 §3.4.2: A1 = username ":" realm ":" passwd, HA1 = H(A1). Registrars store this,
    /// never the password.
    public func ha1(username: String, realm: String, password: String) -> String {
        hash("\(username):\(realm):\(password)")
    }

    /// RFC 7616 §3.4.1 / RFC 2617 §3.2.2.1: the `response` value. With qop=auth:
    /// H(HA1:nonce:nc:cnonce:qop:H(method:uri)); without qop (RFC 2069): H(HA1:nonce:H(method:uri)).
    public func response(
        ha1: String, nonce: String, nc: String?, cnonce: String?, qop: String?, method: String, uri: String
    ) -> String {
        let ha2 = hash("\(method):\(uri)")
        if let qop, let nc, let cnonce {
            return hash("\(ha1):\(nonce):\(nc):\(cnonce):\(qop):\(ha2)")
        }
        return hash("\(ha1):\(nonce):\(ha2)")
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    var out: [UInt8] = []
    for b in bytes {
        out.append(hexDigits[Int(b >> 4)])
        out.append(hexDigits[Int(b & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Compares two strings in time that depends only on their lengths, so a response or MAC check
/// does not leak how many leading characters were right.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in x.indices { diff |= x[i] ^ y[i] }
    return diff == 0
}
