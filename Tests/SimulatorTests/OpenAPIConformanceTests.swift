import Foundation
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// docs/openapi.yaml and the server agree: schemathesis (PyPI, in .build/venv: `make deps`)
/// sends requests generated from the document to a running ccengine with an admin token and
/// checks that none is a server error and every response matches the document (status,
/// content type, schema).
@Suite(.serialized) struct OpenAPIConformanceTests {
    static let venv = E2E.root + "/.build/venv"

    @Test func schemathesisFindsNoServerErrorAndNoSchemaViolation() throws {
        let schemathesis = Self.venv + "/bin/schemathesis"
        guard FileManager.default.isExecutableFile(atPath: schemathesis) else {
            Issue.record("schemathesis is not installed in \(Self.venv): run `make deps`")
            return
        }
        let (engine, api, port) = try OperationsAPITests.start("openapi", rtp: "27200-27299")
        defer { engine.stop() }
        // Some state to read: a registered agent and a waiting call.
        let alice = RawPhone("alice", engine: port)
        #expect(alice.register())
        #expect(HTTPTestClient(base: api.base, token: OperationsAPITests.tokens["admin"])("PUT", "/v1/agents/alice/state", body: #"{"state": "released"}"#).status == 200)
        _ = RawPhone("carol", engine: port).invite("support", callID: "oa-1")
        let dir = E2E.tempDirectory("openapi")
        let run = try E2E.run(schemathesis, [
            "run", E2E.root + "/docs/openapi.yaml", "--url", api.base,
            "-H", "Authorization: Bearer \(OperationsAPITests.tokens["admin"]!)",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance",
            "--max-examples", "25", "--generation-deterministic", "--request-timeout", "10",
            "--report", "junit", "--report-dir", dir,
        ], timeout: 600, cwd: dir)
        #expect(run.status == 0, "schemathesis:\n\(run.output.suffix(6000))")
        #expect(run.output.contains("passed") || run.output.contains("PASSED"), "\(run.output.suffix(2000))")
        #expect(engine.isRunning, "the engine survived every generated request")
    }
}
