import CallCenter
import Foundation
import Logging
import Media
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIP

/// The media plane's side of the driver: recordings and voicemail messages written off the SIP
/// loop, prompts and messages handed to the relay.
extension EngineDriver {
    /// Records a call; when it ends the WAV file(s) are written off the SIP loop, in
    /// `STATE/recordings/`, named by the call's id, and a `recordings` row says where (or why
    /// not: the call went on regardless, one log line).
    func record(_ call: CallID, _ format: RecordingFormat, maxSeconds: Int) {
        let dir = (config.stateDirectory as NSString).appendingPathComponent("recordings")
        let base = dir + "/" + Self.fileName(call)
        relay.startRecording(call: call, maxSeconds: Double(maxSeconds), wake: false) { [self] recording in
            let files: [(String, WAVFile)] = switch format {
            case .stereo: [(base + ".wav", recording.stereo)]
            case .split: [(base + "-caller.wav", recording.split.caller), (base + "-agent.wav", recording.split.agent)]
            }
            save(files, in: dir, call: call, what: "recording") { error in
                .recording(.init(callID: call, files: error == nil ? files.map(\.0) : [], format: format.rawValue, seconds: recording.duration,
                                 status: error != nil ? "failed" : recording.truncated ? "truncated" : "ok", error: error))
            }
        }
    }

    /// A voicemail message: the caller's side only, written as `STATE/voicemail/CALLID.wav` when
    /// the call ends, with its `voicemails` row; then it waits in its queue for an agent
    /// (`voicemailSaved`). An empty message (the caller said nothing) is kept but offered to nobody.
    func recordVoicemail(_ call: CallID, queue: String, caller: String, maxSeconds: Int) {
        let dir = (config.stateDirectory as NSString).appendingPathComponent("voicemail")
        let path = dir + "/" + Self.fileName(call) + ".wav"
        relay.startRecording(call: call, maxSeconds: Double(maxSeconds), wake: false) { [self] recording in
            let message = recording.callerSound
            let seconds = Double(message.count) / 8000
            save([(path, WAVFile(samples: message))], in: dir, call: call, what: "voicemail", row: { error in
                .voicemail(.init(callID: call, caller: caller, queue: queue, receivedAt: Date().timeIntervalSince1970,
                                 seconds: seconds, file: error == nil ? path : "",
                                 status: error != nil ? "failed" : recording.truncated ? "truncated" : "ok", error: error))
            }, then: { [self] error in
                guard error == nil, seconds > 0 else { return }
                feed(.voicemailSaved(VoicemailMessage(call: call, queue: queue, caller: caller, file: path, seconds: seconds)))
            })
        }
    }

    /// A Call-ID as a file name (anything but letters, digits and `-_.@` becomes `_`).
    static func fileName(_ call: CallID) -> String {
        String(call.map { $0.isLetter || $0.isNumber || "-_.@".contains($0) ? $0 : "_" })
    }

    /// Writes WAV files (making their folder) on a utility thread, then, on the SIP loop, stores
    /// the row `row(error)` makes and logs a failure once.
    func save(_ files: [(String, WAVFile)], in dir: String, call: CallID, what: String,
                      row: @escaping @Sendable (String?) -> CallRecordStore.Write,
                      then: (@Sendable (String?) -> Void)? = nil) {
        DispatchQueue.global(qos: .utility).async { [self] in
            var error: String?
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                for (path, wav) in files where !FileManager.default.createFile(atPath: path, contents: Data(wav.bytes)) {
                    error = "cannot write \(path): \(String(cString: strerror(errno)))"
                    break
                }
            } catch let e {
                error = "\(e)"
            }
            let failure = error
            loop.execute { [self] in
                guard serving.withLockedValue({ $0 }) else { return }
                if let failure { logger.error("\(what) not saved (the call went on): \(failure)", metadata: ["call.id": "\(call)"]) }
                writer.enqueue(row(failure))
                then?(failure)
            }
        }
    }

    /// Hands a playback to the relay with the loaded clips (`PromptSet`: every prompt was loaded
    /// when the configuration was read, so one missing here is a bug, logged).
    func play(_ playback: MediaPlayback, to call: CallID, _ leg: MediaLeg, _ format: AudioFormat) {
        guard let law = G711.Law(codec: format.codec) else {
            logger.warning("cannot play to the \(leg) of \(call): its codec \(format.codec) is not G.711")
            return
        }
        func clip(_ p: MediaPrompt) -> AudioClip? {
            if let c = config.prompts[p] { return c }
            logger.error("prompt \(p) was not loaded with the configuration; not played", metadata: ["call.id": "\(call)"])
            return nil
        }
        let side: RTPRelay.Leg = leg == .caller ? .caller : .agent
        switch playback {
        case .music(let p):
            relay.play(call: call, leg: side, .music(p.flatMap(clip)), law: law, payloadType: format.payloadType, wake: false)
        case .announce(let prompts):
            relay.play(call: call, leg: side, .announce(prompts.compactMap(clip), finished: nil), law: law, payloadType: format.payloadType, wake: false)
        case .prompt(let prompts, let token):
            let played: @Sendable () -> Void = { [self] in
                guard serving.withLockedValue({ $0 }) else { return }
                loop.execute { self.feed(.promptPlayed(call, token: token)) }
            }
            relay.play(call: call, leg: side, .announce(prompts.compactMap(clip), finished: played), law: law, payloadType: format.payloadType, wake: false)
        case .message(let file, let token):
            playMessage(file, to: call, side, law: law, payloadType: format.payloadType, token: token)
        }
    }

    /// A voicemail message to an agent: the file is read on a utility thread (it may be minutes
    /// long), then played; a file that cannot be read is logged and ends the playback at once.
    func playMessage(_ file: String, to call: CallID, _ side: RTPRelay.Leg, law: G711.Law, payloadType: Int, token: Int) {
        let played: @Sendable () -> Void = { [self] in
            guard serving.withLockedValue({ $0 }) else { return }
            loop.execute { self.feed(.promptPlayed(call, token: token)) }
        }
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            do {
                let clip = try AudioClip(prompt: file)
                loop.execute { self.relay.play(call: call, leg: side, .announce([clip], finished: played), law: law, payloadType: payloadType, wake: true) }
            } catch {
                loop.execute { self.logger.error("voicemail message not played: \(error)", metadata: ["call.id": "\(call)"]) }
                played()
            }
        }
    }
}
