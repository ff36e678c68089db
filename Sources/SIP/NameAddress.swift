/// The value of From, To, Contact, Route and Record-Route: `"Display" <uri>;params`.
public struct NameAddress: Hashable, Sendable, CustomStringConvertible {
    public var displayName: String?
    public var uri: SIPURI
    public var parameters: [Parameter]

    public init(displayName: String? = nil, uri: SIPURI, parameters: [Parameter] = []) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    public var tag: String? {
        get { parameter("tag") }
        set { setParameter("tag", newValue) }
    }

    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    public mutating func setParameter(_ name: String, _ value: String?) {
        parameters.removeAll { $0.name.equalsIgnoringASCIICase(name) }
        if let value { parameters.append(Parameter(name, value)) }
    }

    public var description: String {
        var s = ""
        if let displayName, !displayName.isEmpty {
            s += displayName.hasPrefix("\"") ? displayName + " " : "\"\(displayName)\" "
        }
        s += "<\(uri)>"
        for p in parameters { s += p.description }
        return s
    }
}
