/// A configuration the core refuses. Every case names the offending input and where it sits
/// (`context`, e.g. "queue 'support' recipe step 2"); the YAML layer adds file and line.
public enum CallCenterConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case duplicateName(kind: String, name: String)
    case unknownQueue(String, context: String)
    case unknownQueueGroup(String, context: String)
    case unknownAgent(String, context: String)
    case unknownOperation(String, context: String)
    case invalidArguments(operation: String, reason: String, context: String)
    case nonPositive(field: String, context: String)
    case unknownMagicSkill(String, context: String)
    case invalidRegex(pattern: String, reason: String, context: String)

    public var description: String {
        switch self {
        case .duplicateName(let kind, let name):
            "duplicate \(kind) name '\(name)': each \(kind) needs a unique name"
        case .unknownQueue(let name, let context):
            "\(context): unknown queue '\(name)'; define it under queues or fix the name"
        case .unknownQueueGroup(let name, let context):
            "\(context): unknown queue group '\(name)'; define it under queue groups or fix the name"
        case .unknownAgent(let login, let context):
            "\(context): unknown agent '\(login)' in _agent skill; define the agent or fix the login"
        case .unknownOperation(let name, let context):
            "\(context): unknown recipe operation '\(name)'; expected one of "
                + RecipeOperation.names.joined(separator: ", ")
        case .invalidArguments(let operation, let reason, let context):
            "\(context): bad arguments for '\(operation)': \(reason)"
        case .nonPositive(let field, let context):
            "\(context): \(field) must be greater than zero"
        case .unknownMagicSkill(let name, let context):
            "\(context): unknown magic skill '\(name)'; names starting with '_' are reserved for "
                + MagicSkill.kinds.joined(separator: ", ")
        case .invalidRegex(let pattern, let reason, let context):
            "\(context): invalid regular expression '\(pattern)': \(reason)"
        }
    }
}
