import Dispatch
import Foundation
import Logging

/// Appends queue_log lines to a file (Asterisk's `queue_log`, in the state folder), written off
/// the SIP loop in order; each batch is written with one `write(2)` and so is on disk for
/// readers at once, as Asterisk's flush-per-line is.
final class QueueLogFile: @unchecked Sendable {
    let path: String
    private let handle: FileHandle
    private let queue = DispatchQueue(label: "ccengine.queue_log")
    private let logger: Logger
    private var failed = false

    init(path: String, logger: Logger) throws {
        self.path = path
        self.logger = logger
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw EngineDriver.StartError(description: "cannot open the queue_log file \(path) for writing")
        }
        h.seekToEndOfFile()
        handle = h
    }

    func append(_ lines: [QueueLog.Line]) {
        guard !lines.isEmpty else { return }
        let bytes = Data(lines.map { "\($0)\n" }.joined().utf8)
        queue.async { [self] in
            do {
                try handle.write(contentsOf: bytes)
            } catch where !failed {
                failed = true  // logged once; calls go on
                logger.error("could not write the queue_log \(path): \(error)")
            } catch {}
        }
    }

    /// Everything appended is written.
    func finish() {
        queue.sync { try? handle.synchronize() }
    }
}
