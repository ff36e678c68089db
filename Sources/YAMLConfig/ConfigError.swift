/// A problem in a configuration or scenario file, located at a line, with what to do about it.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var problem: String
    public var fix: String?

    public init(file: String, line: Int?, problem: String, fix: String? = nil) {
        self.file = file
        self.line = line
        self.problem = problem
        self.fix = fix
    }

    /// `file:line: problem (fix: ...)`, the form editors and CI logs link to.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": \(problem)"
        if let fix { s += " (fix: \(fix))" }
        return s
    }
}
