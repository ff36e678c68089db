import Foundation

/// Where the engine finds what ships beside it: `share/ccengine/NAME` next to an installed
/// program (`make install`), else the source tree's folder (a build in `.build/<triple>/<config>/`).
public enum InstalledFolder {
    /// The first of the two that holds `marker` (a file inside it).
    public static func find(installed name: String, source: String, containing marker: String) -> String? {
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        let dir = exe.deletingLastPathComponent()
        for candidate in [dir.appendingPathComponent("../share/ccengine/" + name), dir.appendingPathComponent("../../../" + source)] {
            let path = candidate.standardizedFileURL.path
            if FileManager.default.fileExists(atPath: path + "/" + marker) { return path }
        }
        return nil
    }
}
