/// Control-variate estimates (Lavenberg & Welch 1981): most of the run-to-run spread of queue
/// statistics comes from how far the sampled load strays from its mean (a run whose talk times
/// happen to average 178 s instead of 180 s waits less). Each batch's mean relative deviation of
/// the talk times (and, for Poisson streams, of the inter-arrival gaps) has known expectation 0;
/// regressing the batch values of a metric on them, the intercept estimates the metric at the
/// nominal load, with a much tighter interval. It is an estimator of the same quantity, not a
/// correction toward theory: nothing about Erlang enters.
enum ControlVariates {
    /// Intercept of the least-squares fit `y = a + b . x` over the batches, with its 95% CI
    /// (t with k - 1 - q degrees of freedom). nil when there are too few batches.
    static func intercept(values y: [Double], controls x: [[Double]], method: String) -> ConfidenceInterval? {
        let k = y.count, q = x.first?.count ?? 0
        guard k == x.count, k >= q + 3 else { return nil }
        let p = q + 1
        // Normal equations Z'Z beta = Z'y with Z = [1 | x].
        var zz = Array(repeating: Array(repeating: 0.0, count: p), count: p)
        var zy = Array(repeating: 0.0, count: p)
        for i in 0..<k {
            let z = [1.0] + x[i]
            for r in 0..<p {
                zy[r] += z[r] * y[i]
                for c in 0..<p { zz[r][c] += z[r] * z[c] }
            }
        }
        guard let inverse = invert(zz) else { return nil }
        let beta = (0..<p).map { r in (0..<p).reduce(0.0) { $0 + inverse[r][$1] * zy[$1] } }
        var rss = 0.0
        for i in 0..<k {
            let z = [1.0] + x[i]
            let fit = (0..<p).reduce(0.0) { $0 + beta[$1] * z[$1] }
            rss += (y[i] - fit) * (y[i] - fit)
        }
        let s2 = rss / Double(k - p)
        let se = (s2 * inverse[0][0]).squareRoot()
        return ConfidenceInterval(
            estimate: beta[0], halfWidth: BatchMeans.t975(k - p) * se, method: method)
    }

    /// Gauss-Jordan with partial pivoting; nil for a singular matrix.
    static func invert(_ m: [[Double]]) -> [[Double]]? {
        let n = m.count
        var a = m.enumerated().map { i, row in row + (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }),
                abs(a[pivot][col]) > 1e-300
            else { return nil }
            a.swapAt(col, pivot)
            let d = a[col][col]
            for c in 0..<(2 * n) { a[col][c] /= d }
            for r in 0..<n where r != col {
                let f = a[r][col]
                if f != 0 { for c in 0..<(2 * n) { a[r][c] -= f * a[col][c] } }
            }
        }
        return a.map { Array($0[n...]) }
    }
}
