/// Recipe operations (seed 000 and REFERENCE §1).
public indirect enum RecipeOperation: Sendable, Equatable {
    /// Move the call to another queue; it keeps its enqueue time (so its place in line by
    /// wait), loses the old queue's skills, gains the new queue's, and takes its recipe.
    case newQueue(String)
    case addSkills([Skill])
    case removeSkills([Skill])
    case setPriority(Int)
    /// priority - 1, floored at 0 (lower is served first).
    case prioritize
    /// priority + 1.
    case deprioritize
    /// The call leaves the queue into voicemail.
    case voicemail
    case announce(String)
    /// Append a step to this call's recipe.
    case addRecipe(RecipeStep)

    /// The seed's operation atoms, accepted by `parse(name:args:context:)`.
    public static let names = [
        "new_queue", "add_skills", "remove_skills", "set_priority", "prioritize", "deprioritize",
        "voicemail", "announce", "add_recipe",
    ]

    public var name: String {
        switch self {
        case .newQueue: "new_queue"
        case .addSkills: "add_skills"
        case .removeSkills: "remove_skills"
        case .setPriority: "set_priority"
        case .prioritize: "prioritize"
        case .deprioritize: "deprioritize"
        case .voicemail: "voicemail"
        case .announce: "announce"
        case .addRecipe: "add_recipe"
        }
    }

    /// Builds an operation from its seed name and string arguments.
    public static func parse(
        name: String, args: [String], context: String
    ) throws(CallCenterConfigError) -> RecipeOperation {
        func exactly(_ n: Int) throws(CallCenterConfigError) {
            guard args.count == n else {
                throw .invalidArguments(
                    operation: name, reason: "expected \(n) argument(s), got \(args.count)",
                    context: context)
            }
        }
        switch name {
        case "new_queue":
            try exactly(1)
            return .newQueue(args[0])
        case "add_skills", "remove_skills":
            guard !args.isEmpty else {
                throw .invalidArguments(operation: name, reason: "expected skills", context: context)
            }
            let skills = args.map { Skill($0) }
            return name == "add_skills" ? .addSkills(skills) : .removeSkills(skills)
        case "set_priority":
            try exactly(1)
            guard let n = Int(args[0]) else {
                throw .invalidArguments(
                    operation: name, reason: "'\(args[0])' is not an integer", context: context)
            }
            return .setPriority(n)
        case "prioritize", "deprioritize", "voicemail":
            try exactly(0)
            return name == "prioritize" ? .prioritize : name == "deprioritize" ? .deprioritize : .voicemail
        case "announce":
            try exactly(1)
            return .announce(args[0])
        case "add_recipe":
            guard args.count >= 3, let ticks = Int(args[0]),
                let mode = RunMode(rawValue: args[args.count - 1])
            else {
                throw .invalidArguments(
                    operation: name, reason: "expected [ticks, operation, args..., run_once|run_many]",
                    context: context)
            }
            return .addRecipe(
                try RecipeStep.shorthand(
                    ticks: ticks, operation: args[1], args: Array(args[2..<(args.count - 1)]),
                    runMode: mode))
        default:
            throw .unknownOperation(name, context: context)
        }
    }
}
