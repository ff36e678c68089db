import Foundation
import Testing
@testable import Bench

/// Interop with the real reference (HOUSE_STYLE: real peers where the point is interop): our
/// figures against `tshark -q -z rtp,streams` on the same file.
@Suite struct TsharkComparisonTests {
    /// A call with SDP both ways (so tshark decodes the RTP), impairments in both directions,
    /// a sequence wrap, a marker bit mid-stream and packets whose RTP timestamp goes backwards.
    static func call() -> CaptureWriter {
        var w = SIPLadderTests.twoCalls()
        var forward = RTPStreamAnalyzerTests.impairedPlan()
        for i in forward.packets.indices { forward.packets[i].arrivalMs += 1200 }
        forward.write(into: &w, from: ("10.2.0.1", 20_000), to: ("10.2.0.2", 30_000), ssrc: 0x1111)
        var back = StreamPlan(count: 150, firstSequence: 65_450, firstTimestamp: 4_294_960_000, startMs: 1205)
        for i in stride(from: 3, to: 150, by: 7) { back.delay(i, by: Double(i % 5) * 1.75) }
        back.drop([30, 31, 99])
        back.reorder(0)  // the second packet's timestamp is behind the first; the marker moves mid-stream
        back.reorder(50)
        back.reorder(120)
        back.duplicate(80, after: 0.25)
        back.write(into: &w, from: ("10.2.0.2", 30_000), to: ("10.2.0.1", 20_000), ssrc: 0x2222)
        w.sortByTime()
        return w
    }

    static func compare(_ ours: ForensicsReport, _ theirs: [TsharkTable.Row]) {
        #expect(theirs.count == ours.streams.count)
        for row in theirs {
            let match = ours.streams.first {
                $0.key.source.description == row.source && $0.key.destination.description == row.destination
                    && $0.key.ssrc == row.ssrc
            }
            guard let s = match else {
                Issue.record("tshark stream \(row.source) -> \(row.destination) 0x\(String(row.ssrc, radix: 16)) not found")
                continue
            }
            #expect(s.packets == row.packets, "packets \(row.source)")
            #expect(s.lost == Int64(row.lost), "lost \(row.source)")
            for (name, mine, tshark) in [
                ("min delta", s.minDeltaMs, row.minDelta), ("mean delta", s.meanDeltaMs, row.meanDelta),
                ("max delta", s.maxDeltaMs, row.maxDelta), ("min jitter", s.minJitterMs, row.minJitter),
                ("mean jitter", s.meanJitterMs, row.meanJitter), ("max jitter", s.maxJitterMs, row.maxJitter),
            ] {
                #expect(abs(mine - tshark) <= 0.01, "\(name) \(row.source): ours \(mine), tshark \(tshark)")
            }
        }
    }

    @Test func rtpStreamsMatchTshark() throws {
        guard TsharkTable.available else {
            print("SKIPPED rtpStreamsMatchTshark: \(TsharkTable.path) not installed")
            return
        }
        let writer = Self.call()
        let path = try writer.write(writer.classicPcap(), name: "call.pcap")
        let theirs = try TsharkTable.run(on: path)
        let ours = try CaptureForensics.analyze(path: path)
        #expect(theirs.count == 4)  // two streams of the SIP test call, two impaired ones
        Self.compare(ours, theirs)
        #expect(ours.streams.allSatisfy { $0.callID == "call-A" })
    }

    @Test func pcapngInputGivesTheSameFigures() throws {
        guard TsharkTable.available else {
            print("SKIPPED pcapngInputGivesTheSameFigures: \(TsharkTable.path) not installed")
            return
        }
        let writer = Self.call()
        let ngPath = try writer.write(writer.pcapng(), name: "call.pcapng")
        let theirs = try TsharkTable.run(on: ngPath)
        Self.compare(try CaptureForensics.analyze(path: ngPath), theirs)
        // And a pcapng written by Wireshark's own editcap from the classic file.
        let classic = try writer.write(writer.classicPcap(nanosecond: true), name: "call-ns.pcap")
        let converted = classic + ".editcap.pcapng"
        if TsharkTable.tool("/usr/bin/editcap", ["-F", "pcapng", classic, converted]) {
            let report = try CaptureForensics.analyze(path: converted)
            #expect(report.format == .pcapng)
            Self.compare(report, theirs)
        } else {
            print("SKIPPED editcap conversion: /usr/bin/editcap not available")
        }
    }

    @Test func heuristicStreamsMatchTsharkWithItsHeuristicOn() throws {
        guard TsharkTable.available else {
            print("SKIPPED heuristicStreamsMatchTshark: \(TsharkTable.path) not installed")
            return
        }
        var w = CaptureWriter(link: .linuxCooked)
        RTPStreamAnalyzerTests.impairedPlan().write(into: &w, from: ("10.3.0.1", 7078), to: ("10.3.0.2", 9000), ssrc: 5)
        let path = try w.write(w.classicPcap(), name: "nosip.pcap")
        let process = try TsharkTable.runHeuristic(on: path)
        let ours = try CaptureForensics.analyze(path: path)
        #expect(ours.streams.count == 1 && ours.streams.first?.detection == .heuristic)
        Self.compare(ours, process)
    }
}

extension TsharkTable {
    static func runHeuristic(on file: String) throws -> [Row] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-n", "-q", "--enable-heuristic", "rtp_udp", "-z", "rtp,streams", "-r", file]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return parse(String(decoding: data, as: UTF8.self))
    }
}
