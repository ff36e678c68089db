import Foundation
import Media
import Testing

/// `DescriptorTable.reserve` grows the process's descriptor table at once (the kernel's
/// `FDSize` in /proc), so relay sockets opened later never wait for it to grow.
@Suite struct DescriptorTableTests {
    static func tableSize() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("FDSize:") }
            .flatMap { Int($0.dropFirst("FDSize:".count).trimmingCharacters(in: .whitespaces)) }
    }

    @Test func reservingGrowsTheTable() throws {
        let before = try #require(Self.tableSize())
        let wanted = max(before * 2, 4_096)
        let problem = DescriptorTable.reserve(wanted)
        let after = try #require(Self.tableSize())
        if problem == nil {
            #expect(after >= wanted, "FDSize \(after) after reserving \(wanted)")
        } else {
            #expect(problem!.contains("RLIMIT_NOFILE"))  // a low hard limit here: said, not hidden
        }
    }
}
