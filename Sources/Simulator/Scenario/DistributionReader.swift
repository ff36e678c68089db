import YAMLConfig

/// Distributions in scenarios: a plain duration (`3s`, constant) or a one-key mapping:
/// `{uniform: [1s, 5s]}`, `{exponential: 180s}` (mean), `{lognormal: {mean: 180s, stddev: 60s}}`,
/// `{empirical: [30s, 45s, 200s]}`.
enum DistributionReader {
    static func read(_ v: YAMLValue) throws(ConfigError) -> Distribution {
        if case .scalar = v.node { return .constant(try v.duration().seconds) }
        let m = try v.mapping(allowed: ["constant", "uniform", "exponential", "lognormal", "empirical"])
        guard m.keys.count == 1, let key = m.keys.first, let x = m[key] else {
            throw v.error("a distribution is one of constant, uniform, exponential, lognormal, empirical")
        }
        switch key {
        case "constant": return .constant(try x.duration().seconds)
        case "uniform":
            let bounds = try x.array()
            guard bounds.count == 2 else { throw x.error("uniform needs [LOW, HIGH]") }
            let a = try bounds[0].duration().seconds, b = try bounds[1].duration().seconds
            guard a <= b else { throw x.error("uniform needs LOW <= HIGH") }
            return .uniform(a, b)
        case "exponential":
            let mean = try x.duration().seconds
            guard mean > 0 else { throw x.error("the mean must be greater than zero") }
            return .exponential(mean: mean)
        case "lognormal":
            let p = try x.mapping(allowed: ["mean", "stddev"])
            let mean = try p.required("mean").duration().seconds
            let sd = try p.required("stddev").duration().seconds
            guard mean > 0, sd >= 0 else { throw x.error("lognormal needs mean > 0 and stddev >= 0") }
            return .lognormal(mean: mean, stddev: sd)
        default:
            var xs: [Double] = []
            for e in try x.array() { xs.append(try e.duration().seconds) }
            guard !xs.isEmpty else { throw x.error("empirical needs at least one value") }
            return .empirical(xs)
        }
    }
}
