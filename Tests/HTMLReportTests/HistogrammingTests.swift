import Testing
@testable import HTMLReport

@Suite struct HistogrammingTests {
    @Test func equalWidthBinsCountEveryValue() {
        let bins = Histogramming.bins((0...10).map(Double.init), count: 5)
        #expect(bins.map(\.count) == [2, 2, 2, 2, 3])
        #expect(bins.map(\.lower) == [0, 2, 4, 6, 8])
        #expect(bins.last?.upper == 10)
    }

    @Test func nonFiniteEmptyAndDegenerateInputs() {
        #expect(Histogramming.bins([.nan, 1, .infinity, 3], count: 2).map(\.count) == [1, 1])
        #expect(Histogramming.bins([], count: 5).isEmpty)
        #expect(Histogramming.bins([1, 2], count: 0).isEmpty)
        let same = Histogramming.bins([4, 4, 4], count: 10)
        #expect(same.count == 1 && same[0].count == 3 && same[0].lower < 4 && same[0].upper > 4)
        #expect(Histogramming.bins([1], width: 0).isEmpty)
    }

    @Test func fixedWidthBinsAlignToOrigin() {
        let bins = Histogramming.bins([0.5, 1.2, 4.9, 5.0, 17], width: 5)
        #expect(bins.map(\.lower) == [0, 5, 10, 15])
        #expect(bins.map(\.count) == [3, 1, 0, 1])
        let shifted = Histogramming.bins([-0.1, 0.1], width: 1, origin: 0.5)
        #expect(shifted.count == 1 && shifted[0].lower == -0.5 && shifted[0].count == 2)
    }

    @Test func niceBinsKeepEveryValue() {
        let values = (0..<1000).map { Double(($0 * 7919) % 997) / 10 }
        let bins = Histogramming.niceBins(values, count: 20)
        #expect(bins.reduce(0) { $0 + $1.count } == 1000)
        #expect(bins.count >= 10 && bins.count <= 40)
        #expect(bins[0].upper - bins[0].lower == 5)
    }

    @Test func nearestRankPercentiles() {
        let values = (1...100).map(Double.init)
        let p = Histogramming.percentiles(values, at: [0, 50, 99, 99.9, 100])
        #expect(p.map(\.value) == [1, 50, 99, 100, 100])
        #expect(Histogramming.percentiles([], at: [50]).isEmpty)
    }

    @Test func eventCountsPerInterval() {
        let s = Histogramming.eventCounts([0, 1, 5, 9.9, 10, 25, .nan], interval: 10)
        #expect(s.points.map(\.x) == [0, 10, 20])
        #expect(s.points.map(\.y) == [4, 1, 1])
        #expect(Histogramming.eventCounts([], interval: 10).points.isEmpty)
    }

    @Test func levelCountsOpenIntervals() {
        let s = Histogramming.level([(0, 3), (1, nil), (2, 2), (4, 5)], step: 1)
        #expect(s.points.map(\.x) == [0, 1, 2, 3, 4, 5])
        #expect(s.points.map(\.y) == [1, 2, 2, 1, 2, 1])
    }
}
