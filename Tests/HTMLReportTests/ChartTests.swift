import Foundation
import Testing
@testable import HTMLReport

@Suite struct ChartTests {
    static func allKinds(series: [Series], bins: [HistogramBin], bars: [(label: String, value: Double)],
                         percentiles: [(name: String, points: [(percentile: Double, value: Double)])]) -> [Chart] {
        [
            .lines(title: "lines", xLabel: "t", yLabel: "y", series: series),
            .stackedArea(title: "stacked", xLabel: "t", yLabel: "y", series: series),
            .histogram(title: "histogram", xLabel: "x", bins: bins),
            .bars(title: "bars", yLabel: "y", bars: bars),
            .percentiles(title: "percentiles", series: percentiles),
        ]
    }

    @Test func emptyChartsSayNoData() {
        let empty = Self.allKinds(series: [], bins: [], bars: [], percentiles: [])
        let emptySeries = Self.allKinds(series: [Series(name: "a", points: [])], bins: [], bars: [],
                                        percentiles: [("a", [])])
        let nan = Double.nan, inf = Double.infinity
        let nonFinite = Self.allKinds(series: [Series(name: "a", points: [(nan, 1), (1, inf), (-inf, nan)])],
                                      bins: [(nan, 1, 3), (2, inf, 1), (3, 3, 2)], bars: [("a", nan), ("b", -inf)],
                                      percentiles: [("a", [(50, nan), (100, 3), (-1, 2)])])
        for chart in empty + emptySeries + nonFinite {
            let svg = chart.svg()
            #expect(svg.contains("no data"), "\(chart.title)")
            #expect(MarkupChecker.problems(svg) == [], "\(chart.title)")
        }
    }

    @Test func singlePointsRenderWithoutNaN() {
        let charts = Self.allKinds(series: [Series(name: "a", points: [(5, 5)])], bins: [(1, 2, 1)],
                                   bars: [("only", 0)], percentiles: [("a", [(99, 0.003)])])
        for chart in charts {
            let svg = chart.svg()
            #expect(!svg.contains("no data"), "\(chart.title)")
            #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"), "\(chart.title)")
            #expect(MarkupChecker.problems(svg) == [], "\(chart.title)")
        }
        #expect(charts[0].svg().contains("<circle"))
    }

    @Test func nonFinitePointsAreSkipped() {
        let s = Series(name: "q", points: [(0, 1), (1, .nan), (2, 3), (.infinity, 2), (3, -.infinity), (4, 2)])
        let svg = Chart.lines(title: "t", xLabel: "x", yLabel: "y", series: [s]).svg()
        #expect(MarkupChecker.count("<circle", in: svg) == 3)
        #expect(MarkupChecker.problems(svg) == [])
    }

    @Test func svgIsResponsiveAndTitled() {
        let svg = Chart.bars(title: "Occupancy", yLabel: "busy", bars: [("a1", 0.8)], yFormat: .percent).svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 800 "))
        #expect(svg.contains("width=\"100%\"") && svg.contains("<title>Occupancy</title>"))
        #expect(svg.contains(">80%</text>"))
    }

    @Test func legendNamesEverySeries() {
        let series = (0..<3).map { i in Series(name: "state \(i)", points: [(0, Double(i)), (10, 1)]) }
        let svg = Chart.lines(title: "t", xLabel: "x", yLabel: "y", series: series).svg()
        for i in 0..<3 {
            #expect(svg.contains(">state \(i)</text>"))
            #expect(svg.contains(Palette.color(i)))
        }
    }

    @Test func percentileAxisIsLogLike() {
        let points: [(percentile: Double, value: Double)] = [(50, 1), (90, 2), (99, 4), (99.9, 8), (99.99, 16)]
        let svg = Chart.percentiles(title: "lat", series: [("p", points)], yFormat: .microseconds).svg()
        for label in ["p50", "p90", "p99", "p99.9", "p99.99"] { #expect(svg.contains(">\(label)</text>"), "\(label)") }
        #expect(Chart.percentilePosition(90) == 1)
        #expect(abs(Chart.percentilePosition(99.9) - 3) < 1e-9)
        #expect(Chart.percentileLabel(99.995) == "p99.995")
    }

    @Test func longSeriesAreDecimated() {
        let series = Series(name: "n", ys: (0..<100_000).map { sin(Double($0) / 500) * 10 + Double($0 % 7) })
        let svg = Chart.lines(title: "big", xLabel: "x", yLabel: "y", series: [series]).svg()
        #expect(svg.count < 120_000)
        #expect(MarkupChecker.problems(svg) == [])
    }

    @Test func stackedAreaInterpolatesAndZeroesOutsideRange() {
        let pts: [(x: Double, y: Double)] = [(0, 0), (10, 10), (20, 0)]
        #expect(Chart.interpolate(pts, at: 5) == 5)
        #expect(Chart.interpolate(pts, at: 10) == 10)
        #expect(Chart.interpolate(pts, at: 15) == 5)
        #expect(Chart.interpolate(pts, at: -1) == 0)
        #expect(Chart.interpolate(pts, at: 21) == 0)
        #expect(Chart.interpolate([], at: 1) == 0)
    }

    @Test func manyBarsRotateLabels() {
        let bars = (1...40).map { (label: "agent-\($0)", value: Double($0)) }
        let svg = Chart.bars(title: "t", yLabel: "y", bars: bars).svg()
        #expect(svg.contains("rotate(-40"))
        #expect(MarkupChecker.problems(svg) == [])
    }
}
