import Foundation

/// How fast the forensic reader gets through a capture, beside tshark on the same file
/// (REFERENCE §4: tshark 4.0.17 analyses about 280k RTP packets/s here).
public struct ForensicsTiming: Codable, Sendable, Equatable {
    public var file: String
    public var packets: Int
    public var rtpPackets: Int
    /// Reading the file into memory.
    public var readSeconds: Double
    /// Best of `repetitions` analyses of the in-memory capture.
    public var analyseSeconds: Double
    public var packetsPerSecond: Double
    /// `tshark -n -q -z rtp,streams -r FILE` wall time, when tshark was run.
    public var tsharkSeconds: Double?
    /// tsharkSeconds / (readSeconds + analyseSeconds).
    public var speedupOverTshark: Double?

    /// Times `CaptureForensics` on `path`; runs tshark once too when `compareWithTshark` and
    /// `/usr/bin/tshark` exists.
    public static func measure(
        path: String, repetitions: Int = 3, compareWithTshark: Bool = true
    ) throws(CaptureFileError) -> ForensicsTiming {
        let readStart = monotonicNanos()
        let reader = try PcapReader(contentsOf: path)
        let readSeconds = Double(monotonicNanos() - readStart) / 1e9
        var best = Double.infinity
        var report: ForensicsReport?
        for _ in 0..<max(1, repetitions) {
            let start = monotonicNanos()
            report = CaptureForensics.analyze(reader)
            best = min(best, Double(monotonicNanos() - start) / 1e9)
        }
        let packets = report?.packets ?? 0
        var timing = ForensicsTiming(
            file: path, packets: packets, rtpPackets: report?.rtpPackets ?? 0, readSeconds: readSeconds,
            analyseSeconds: best, packetsPerSecond: best > 0 ? Double(packets) / best : 0)
        if compareWithTshark, let tshark = tsharkSeconds(path: path) {
            timing.tsharkSeconds = tshark
            timing.speedupOverTshark = tshark / (readSeconds + best)
        }
        return timing
    }

    /// Wall time of one `tshark -n -q -z rtp,streams -r path`, or nil without tshark.
    public static func tsharkSeconds(path: String, tshark: String = "/usr/bin/tshark") -> Double? {
        guard FileManager.default.isExecutableFile(atPath: tshark) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tshark)
        process.arguments = ["-n", "-q", "-z", "rtp,streams", "-r", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = monotonicNanos()
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? Double(monotonicNanos() - start) / 1e9 : nil
    }
}
