import Foundation

/// Runs `tshark -q -z rtp,streams` and reads its table. Rows are parsed from both ends, since
/// the payload column may hold spaces ("DVI4 8k"): seven fixed fields on the left; on the right
/// an optional "X", six figures, "(x%)", lost and packets.
struct TsharkTable {
    struct Row {
        var source: String
        var destination: String
        var ssrc: UInt32
        var packets: Int
        var lost: Int
        var minDelta, meanDelta, maxDelta, minJitter, meanJitter, maxJitter: Double
    }

    static let path = "/usr/bin/tshark"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }

    static func run(on file: String) throws -> [Row] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-n", "-q", "-z", "rtp,streams", "-r", file]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return parse(String(decoding: data, as: UTF8.self))
    }

    static func parse(_ text: String) -> [Row] {
        var rows: [Row] = []
        for line in text.split(separator: "\n") {
            var t = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard t.count >= 17, t[6].hasPrefix("0x"), let ssrc = UInt32(t[6].dropFirst(2), radix: 16) else { continue }
            if t.last == "X" { t.removeLast() }
            let figures = t.suffix(6).compactMap(Double.init)
            guard figures.count == 6, let lost = Int(t[t.count - 8]), let packets = Int(t[t.count - 9]) else { continue }
            rows.append(Row(
                source: "\(t[2]):\(t[3])", destination: "\(t[4]):\(t[5])", ssrc: ssrc, packets: packets,
                lost: lost, minDelta: figures[0], meanDelta: figures[1], maxDelta: figures[2],
                minJitter: figures[3], meanJitter: figures[4], maxJitter: figures[5]))
        }
        return rows
    }

    /// Runs a tool such as editcap; false when it is missing or fails.
    static func tool(_ path: String, _ arguments: [String]) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: path) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
