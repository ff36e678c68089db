import Logging

/// A log handler in front of another that makes every line safe to read on a terminal or in a
/// log file: control characters (C0, DEL, C1) in the message and in metadata values, which SIP
/// headers can carry from anyone on the network, are written as `\xNN`, and each message and
/// value is cut at `maxLength` characters. The engine's log lines all pass through it.
public struct EscapingLogHandler: LogHandler {
    public static let maxLength = 1024
    private var inner: any LogHandler

    public init(_ inner: any LogHandler) { self.inner = inner }

    public func log(event: LogEvent) {
        var e = event
        e.message = "\(Self.escape(event.message.description))"
        e.metadata = event.metadata.map(Self.escape)
        inner.log(event: e)
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.escape) }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = Self.escape(newValue) }
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    /// `text` with control characters as `\xNN`, at most `maxLength` characters (then `…(+N)`).
    public static func escape(_ text: String) -> String {
        var out = ""
        var count = 0
        var cut = 0
        for scalar in text.unicodeScalars {
            if count >= maxLength {
                cut += 1
                continue
            }
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) {
                out += "\\x" + (v < 0x10 ? "0" : "") + String(v, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        if cut > 0 { out += "…(+\(cut))" }
        return out
    }

    static func escape(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.mapValues(escape)
    }

    static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let s): .string(escape(s))
        case .stringConvertible(let c): .string(escape(c.description))
        case .array(let a): .array(a.map(escape))
        case .dictionary(let d): .dictionary(escape(d))
        }
    }
}
