import Foundation

/// 95% confidence intervals from independent (or nearly independent) estimates: batch means of
/// one long run, or the results of independent replications.
enum BatchMeans {
    /// Student's t quantile 0.975 for `df` degrees of freedom.
    static func t975(_ df: Int) -> Double {
        let table: [Double] = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ]
        if df < 1 { return .infinity }
        if df <= table.count { return table[df - 1] }
        // Cornish-Fisher expansion around the normal quantile; < 1e-3 off for df > 30.
        let z = 1.959964, n = Double(df)
        return z + (z * z * z + z) / (4 * n) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * n * n)
    }

    /// `estimate` with a half-width of t * s / sqrt(k) over the `values` (k of them).
    static func interval(estimate: Double, values: [Double], method: String) -> ConfidenceInterval {
        let k = values.count
        guard k >= 2 else { return ConfidenceInterval(estimate: estimate, halfWidth: .infinity, method: method) }
        let mean = values.reduce(0, +) / Double(k)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(k - 1)
        return ConfidenceInterval(
            estimate: estimate, halfWidth: t975(k - 1) * (variance / Double(k)).squareRoot(),
            method: method)
    }

    /// A replication CI: the estimate is the mean of the replications.
    static func interval(replications values: [Double]) -> ConfidenceInterval {
        let mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        return interval(estimate: mean, values: values, method: "\(values.count) replications")
    }
}
