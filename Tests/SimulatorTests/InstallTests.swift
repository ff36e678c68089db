import Foundation
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// `make install` lays out a working installation: the programs, the pages where an installed
/// ccengine finds them, the example configuration and the systemd unit pointing at PREFIX; and
/// `--log-format json` writes one JSON object per line.
@Suite(.serialized) struct InstallTests {
    @Test func makeInstallLaysOutAnEngineThatServesItsPages() throws {
        let prefix = E2E.tempDirectory("install") + "/usr"
        let bin = (E2E.engineBinary as NSString).deletingLastPathComponent
        let make = try E2E.run("/usr/bin/make", ["-s", "install", "PREFIX=\(prefix)", "BIN=\(bin)"], timeout: 120, cwd: E2E.root)
        #expect(make.status == 0, "\(make.output)")
        for path in ["bin/ccengine", "bin/ccsim", "bin/ccbench"] {
            #expect(FileManager.default.isExecutableFile(atPath: prefix + "/" + path), "\(path)")
        }
        for path in ["share/ccengine/web/agent/index.html", "share/ccengine/web/wallboard/wallboard.js", "share/ccengine/engine.yaml", "share/ccengine/openapi.yaml"] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + path), "\(path)")
        }
        let unit = try String(contentsOfFile: prefix + "/lib/systemd/system/ccengine.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=\(prefix)/bin/ccengine --config /etc/ccengine/engine.yaml"))
        #expect(unit.contains("ExecReload=/bin/kill -HUP $MAINPID") && unit.contains("LimitRTPRIO=11"))

        // The installed engine finds its pages in share/ccengine/web and logs JSON lines.
        let port = RawUDP().port
        let dir = E2E.tempDirectory("installed-run")
        try """
            sip: {address: 127.0.0.1:\(port), require_auth: false}
            media: {rtp_ports: 27300-27399}
            state_dir: \(dir)/state
            api: {listen: 127.0.0.1:0}
            queues: [{name: support}]
            agents: [{login: alice}]
            """.write(toFile: dir + "/engine.yaml", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: prefix + "/bin/ccengine")
        p.arguments = ["--config", dir + "/engine.yaml", "--log-format", "json"]
        let log = dir + "/engine.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        defer { E2E.stop(p) }
        let apiPort = try #require(HTTPTestClient.apiPort(log: log), "no api line in \(log)")
        let page = HTTPTestClient(base: "http://127.0.0.1:\(apiPort)")("GET", "/agent/")
        #expect(page.status == 200 && page.text.contains("agent.js"), "\(page.status)")
        E2E.stop(p)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 3)
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] != nil && object?["message"] != nil && object?["time"] != nil, "not a JSON log line: \(line)")
        }
        #expect(lines.contains { $0.contains(#""message":"ccengine listening""#) })
    }
}
