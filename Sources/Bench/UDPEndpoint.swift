/// An IPv4 address; encodes as dotted-quad text.
public struct IPv4Address: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// Host byte order: `10.0.0.1` is `0x0A00_0001`.
    public var value: UInt32

    public init(_ value: UInt32) {
        self.value = value
    }

    /// Parses `a.b.c.d`; nil for anything else.
    public init?(_ text: Substring) {
        var value: UInt32 = 0
        var parts = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
            parts += 1
        }
        guard parts == 4 else { return nil }
        self.value = value
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = IPv4Address(Substring(text)) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not an IPv4 address: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A UDP transport address.
public struct UDPEndpoint: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var address: IPv4Address
    public var port: UInt16

    public init(address: IPv4Address, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String { "\(address):\(port)" }

    public static func < (a: UDPEndpoint, b: UDPEndpoint) -> Bool {
        (a.address.value, a.port) < (b.address.value, b.port)
    }
}

/// A UDP datagram inside a captured frame; `payload` points into the capture buffer.
struct UDPDatagram {
    var source: UDPEndpoint
    var destination: UDPEndpoint
    var payload: UnsafeRawBufferPointer
}
