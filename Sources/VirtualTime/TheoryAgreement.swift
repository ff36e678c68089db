import Foundation

/// Whether simulated estimates agree with queueing theory, judged by the simulation's own
/// confidence intervals rather than a fixed percentage: a run that measures ±3 % cannot be
/// held to 2 %. Each interval is widened for the number of comparisons judged together
/// (Bonferroni), so that a correct simulator fails a whole run by chance at most 5 % of the time.
public enum TheoryAgreement {
    /// Fewer calls per comparison than this give intervals too wide to say anything (and batch
    /// means too short to be independent): refused rather than passed.
    public static let minimumCalls = 20_000

    /// How much wider than a 95 % interval the judged interval is when `comparisons` are judged at once:
    /// z(1 - 0.025/m) / z(0.975).
    public static func widening(comparisons m: Int) -> Double {
        normalQuantile(1 - 0.025 / Double(max(1, m))) / normalQuantile(0.975)
    }

    /// True when theory lies inside the estimate's interval widened for `comparisons`.
    public static func agrees(_ ci: ConfidenceInterval, theory: Double, comparisons: Int) -> Bool {
        guard ci.isEstimated, theory.isFinite else { return false }
        return abs(ci.estimate - theory) <= ci.halfWidth * widening(comparisons: comparisons)
    }

    /// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
    public static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a probability strictly between 0 and 1")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -normalQuantile(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
