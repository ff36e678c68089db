import Foundation
import Testing
@testable import HTMLReport

@Suite struct AxisAndFormatTests {
    @Test func niceStepsAreOneTwoFive() {
        let cases: [(Double, Double)] = [(0.7, 1), (1, 1), (1.3, 2), (2, 2), (3, 5), (5, 5), (7, 10),
                                         (0.03, 0.05), (0.011, 0.02), (1234, 2000), (45_000, 50_000)]
        for (raw, expected) in cases {
            #expect(abs(AxisTicks.niceStep(raw) - expected) < expected * 1e-12, "\(raw)")
        }
    }

    @Test(arguments: [(0.0, 97.0), (0, 1), (0.001, 0.0093), (-37, 112), (1_000, 1_003), (3, 3_600_000), (0, 0.85)])
    func ticksCoverTheRangeInOneTwoFiveSteps(lo: Double, hi: Double) {
        let ticks = AxisTicks.ticks(from: lo, to: hi)
        #expect(ticks.count >= 3 && ticks.count <= 12, "\(ticks)")
        #expect(ticks.first! <= lo && ticks.last! >= hi)
        let step = ticks[1] - ticks[0]
        for (a, b) in zip(ticks, ticks.dropFirst()) { #expect(abs((b - a) - step) < step * 1e-9) }
        let mantissa = step / pow(10, floor(log10(step)))
        #expect([1.0, 2, 5].contains { abs($0 - mantissa) < 1e-9 }, "\(step)")
        #expect(ticks.allSatisfy { abs($0 / step - ($0 / step).rounded()) < 1e-9 })
    }

    @Test func exactTicks() {
        #expect(AxisTicks.ticks(from: 0, to: 97) == [0, 20, 40, 60, 80, 100])
        #expect(AxisTicks.ticks(from: 0, to: 1) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        #expect(AxisTicks.ticks(from: 0, to: 0) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        #expect(AxisTicks.ticks(from: 5, to: 5).first! <= 5 && AxisTicks.ticks(from: 5, to: 5).last! >= 5)
        #expect(AxisTicks.ticks(from: .nan, to: 1) == AxisTicks.ticks(from: 0, to: 1))
        #expect(AxisTicks.timeTicks(from: 0, to: 3600) == [0, 900, 1800, 2700, 3600])
        #expect(AxisTicks.timeTicks(from: 0, to: 60) == AxisTicks.ticks(from: 0, to: 60))
    }

    @Test func numberFormatting() {
        let f = ValueFormat.number
        #expect(f.format(950) == "950")
        #expect(f.format(1234) == "1.23k")
        #expect(f.format(1200) == "1.2k")
        #expect(f.format(3_400_000) == "3.4M")
        #expect(f.format(0.25) == "0.25")
        #expect(f.format(0) == "0")
        #expect(f.format(-2_500) == "-2.5k")
        #expect(f.format(.nan) == "–")
        #expect(f.format(1500, reference: 2000, step: 500) == "1.5k")
        #expect(f.format(250, reference: 2000, step: 250) == "0.25k")
        #expect(f.format(0.6000000000000001, reference: 1, step: 0.2) == "0.6")
        #expect(ValueFormat.integer.format(1_234_567.4) == "1,234,567")
        #expect(ValueFormat.integer.format(-12) == "-12")
        #expect(ValueFormat.percent.format(0.853) == "85.3%")
        #expect(ValueFormat.percent.format(0.4, reference: 1, step: 0.2) == "40%")
    }

    @Test func durationFormatting() {
        #expect(ValueFormat.seconds.format(0.0123) == "12.3ms")
        #expect(ValueFormat.seconds.format(42) == "42s")
        #expect(ValueFormat.seconds.format(900, reference: 3600, step: 900) == "15min")
        #expect(ValueFormat.seconds.format(5400, reference: 7200, step: 1800) == "1.5h")
        #expect(ValueFormat.milliseconds.format(0.5) == "500µs")
        #expect(ValueFormat.microseconds.format(1500) == "1.5ms")
        #expect(ValueFormat.microseconds.format(0.25) == "250ns")
        #expect(ValueFormat.microseconds.format(0) == "0")
        #expect(ValueFormat.custom { "\(Int($0))x" }.format(3) == "3x")
    }

    @Test func axesShareOneUnit() {
        let axis = Axis.values([0, 1800], format: .number, includeZero: true)
        #expect(axis.ticks.map(\.label) == ["0", "0.5k", "1k", "1.5k", "2k"])
        let time = Axis.positions(lo: 0, hi: 3600, format: .seconds)
        #expect(time.ticks.map(\.label) == ["0", "10min", "20min", "30min", "40min", "50min", "60min"])
        let counts = Axis.values([0, 1, 3], format: .integer, includeZero: true)
        #expect(counts.ticks.map(\.value) == [0, 1, 2, 3])
        let sl = Axis.values([0.7, 0.95], format: .percent, includeZero: false)
        #expect(sl.lo == 0 && sl.hi == 1 && sl.ticks.last?.label == "100%")
    }
}
