/// Whether a step stays after it fired (REFERENCE §1: a step whose conditions fail always stays).
public enum RunMode: String, Sendable, Equatable, CaseIterable {
    case runOnce = "run_once"
    case runMany = "run_many"
}

/// One step of a delivery recipe: when all `conditions` hold on a tick, run `operations` in order.
public struct RecipeStep: Sendable, Equatable {
    public var conditions: [RecipeCondition]
    public var operations: [RecipeOperation]
    public var runMode: RunMode
    public var comment: String

    public init(
        conditions: [RecipeCondition], operations: [RecipeOperation], runMode: RunMode = .runOnce,
        comment: String = ""
    ) {
        self.conditions = conditions
        self.operations = operations
        self.runMode = runMode
        self.comment = comment
    }

    /// The seed's `{Ticks, operation, [arguments], run_once | run_many}` form, e.g.
    /// `shorthand(ticks: 15, operation: "remove_skills", args: ["_node"], runMode: .runOnce)`.
    /// For `add_recipe` the arguments are themselves a shorthand step:
    /// `[ticks, operation, args..., run_once|run_many]`.
    public static func shorthand(
        ticks: Int, operation: String, args: [String], runMode: RunMode
    ) throws(CallCenterConfigError) -> RecipeStep {
        let context = "recipe step {\(ticks), \(operation)}"
        guard ticks > 0 else { throw .nonPositive(field: "ticks", context: context) }
        let op = try RecipeOperation.parse(name: operation, args: args, context: context)
        return RecipeStep(conditions: [.ticks(ticks)], operations: [op], runMode: runMode)
    }
}
