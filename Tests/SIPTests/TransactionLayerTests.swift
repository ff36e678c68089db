import Testing
@testable import SIP

private func at(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
private typealias F = TransactionFixtures

/// What the TU is handed, in order.
private func tuEvents(_ actions: [TransactionLayerAction]) -> [TransactionUserEvent] {
    actions.compactMap { if case .deliverToTU(let e) = $0 { e } else { nil } }
}

private func transmitted(_ actions: [TransactionLayerAction]) -> [(SIPMessage, Endpoint)] {
    actions.compactMap { if case .transmit(let m, let to) = $0 { (m, to) } else { nil } }
}

private func stamped(_ m: SIPMessage, from source: Endpoint = F.phone) -> SIPMessage {
    var m = m
    m.stampTopVia(receivedFrom: source)
    return m
}

@Test func transactionKeysMatchAckToItsInviteAndGiveCancelItsOwn() throws {
    let invite = F.invite()
    let inviteKey = try #require(TransactionKey.server(receiving: invite))
    #expect(inviteKey == TransactionKey(role: .server, branch: "z9hG4bK-inv1", sentBy: "127.0.0.1:5070", method: "INVITE"))
    // §17.2.3: ACK matches the INVITE's server transaction; CANCEL has its own.
    #expect(TransactionKey.server(receiving: F.request("ACK")) == inviteKey)
    let cancelKey = try #require(TransactionKey.server(receiving: F.request("CANCEL")))
    #expect(cancelKey != inviteKey)
    #expect(cancelKey.method == "CANCEL")
    #expect(cancelKey.cancelledInvite == inviteKey)
    // Another branch or another sent-by is another transaction.
    #expect(TransactionKey.server(receiving: F.invite(branch: "z9hG4bK-other")) != inviteKey)
    #expect(TransactionKey.server(receiving: F.request("INVITE", viaPort: 5071)) != inviteKey)
    // An absent port is 5060.
    #expect(TransactionKey.server(receiving: F.request("INVITE", viaPort: nil)) == TransactionKey.server(receiving: F.request("INVITE", viaPort: 5060)))
    // §17.1.3: a response finds its client transaction by branch and CSeq method.
    #expect(TransactionKey.client(receiving: invite.response(180)) == TransactionKey.client(sending: invite))
    #expect(TransactionKey.client(sending: invite)?.role == .client)
    // The TU's response finds the server transaction.
    #expect(TransactionKey.server(sending: invite.response(200, toTag: "x")) == inviteKey)
}

@Test func rfc2543RequestsWithoutTheMagicCookieStillMatchTheirAck() throws {
    let invite = F.invite(branch: "oldstyle-1")
    let key = try #require(TransactionKey.server(receiving: invite))
    #expect(TransactionKey.server(receiving: F.request("ACK", branch: "oldstyle-1", toTag: "e1")) == key)
    #expect(TransactionKey.server(sending: invite.response(486, toTag: "e1")) == key)
    #expect(TransactionKey.server(receiving: F.request("INVITE", branch: "oldstyle-1", cseq: 2)) != key)
}

@Test func layerDeliversANewInviteOnceAndWalksItThroughCompletedAndConfirmed() throws {
    var layer = TransactionLayer()
    let invite = F.invite()
    let request = stamped(invite)
    let key = try #require(TransactionKey.server(receiving: invite))
    let trying = TransactionTimerID(key: key, timer: .trying)
    #expect(request.via[0].parameter("rport") == "5070")
    #expect(layer.received(invite, from: F.phone, now: .zero)
        == [.deliverToTU(.request(request, from: F.phone, transaction: key)), .startTimer(trying, at: at(0.2))])
    #expect(layer.state(of: key) == .serverInvite(.proceeding))
    // The retransmission is answered by the transaction, not delivered again.
    #expect(layer.received(invite, from: F.phone, now: at(0.1))
        == [.cancelTimer(trying), .transmit(request.tryingResponse(), to: F.phone)])

    let busy = request.response(486, toTag: "e1")
    let sent = try layer.send(response: busy, now: at(1))
    #expect(transmitted(sent).map(\.1) == [F.phone])
    #expect(layer.state(of: key) == .serverInvite(.completed))
    #expect(tuEvents(layer.received(invite, from: F.phone, now: at(1.1))).isEmpty)

    let ack = F.request("ACK", toTag: "e1")
    let acked = layer.received(ack, from: F.phone, now: at(1.2))
    #expect(acked == [
        .cancelTimer(TransactionTimerID(key: key, timer: .g)), .cancelTimer(TransactionTimerID(key: key, timer: .h)),
        .startTimer(TransactionTimerID(key: key, timer: .i), at: at(6.2)),
    ])
    #expect(layer.state(of: key) == .serverInvite(.confirmed))
    #expect(layer.timerFired(TransactionTimerID(key: key, timer: .i), now: at(6.2)) == [])
    #expect(layer.count == 0)
}

@Test func responsesGoToTheSourceAddressWhenTheClientAskedForRport() throws {
    var layer = TransactionLayer()
    let invite = F.request("OPTIONS", viaHost: "phone.invalid", viaPort: 5070)
    let natted = Endpoint(host: "127.0.0.2", port: 40000)
    let events = tuEvents(layer.received(invite, from: natted, now: .zero))
    guard case .request(let request, let from, _) = events.first else { Issue.record("no request"); return }
    #expect(from == natted)
    // RFC 3261 §18.2.1 / RFC 3581: received and rport name the real source.
    #expect(request.via[0].parameter("received") == "127.0.0.2")
    #expect(request.via[0].parameter("rport") == "40000")
    let sent = try layer.send(response: request.response(200, toTag: "s"), now: at(0.1))
    #expect(transmitted(sent).map(\.1) == [natted])
}

@Test func aViaFromItsOwnSourceGetsNoReceivedParameter() throws {
    // §20.42: `received` always has a value; a bare `;received` made Kamailio drop the whole response.
    let request = stamped(F.request("OPTIONS", viaHost: "127.0.0.1", viaPort: 5070), from: Endpoint(host: "127.0.0.1", port: 5070))
    #expect(!request.via[0].hasParameter("received"))
    #expect(!String(decoding: SIPCodec.encode(request.response(200)), as: UTF8.self).contains(";received"))
    // A stale `received` the client wrote itself is dropped too.
    var forged = F.request("OPTIONS", viaHost: "127.0.0.1", viaPort: 5070)
    forged.via[0].setParameter("received", "192.0.2.1")
    #expect(!stamped(forged, from: Endpoint(host: "127.0.0.1", port: 5070)).via[0].hasParameter("received"))
}

@Test func layerRoutesResponsesToTheClientTransactionAndDropsStrayOnes() throws {
    var layer = TransactionLayer()
    let register = F.request("REGISTER", branch: "z9hG4bK-reg")
    let key = try #require(TransactionKey.client(sending: register))
    #expect(try layer.send(request: register, to: F.engine, now: .zero) == [
        .transmit(register, to: F.engine),
        .startTimer(TransactionTimerID(key: key, timer: .e), at: at(0.5)),
        .startTimer(TransactionTimerID(key: key, timer: .f), at: at(32)),
    ])
    #expect(throws: TransactionError.duplicateTransaction(key)) { try layer.send(request: register, to: F.engine, now: at(0.1)) }

    // A response for no transaction is dropped (RFC 6026).
    #expect(layer.received(F.request("REGISTER", branch: "z9hG4bK-nope").response(200), from: F.engine, now: at(0.2)) == [])
    let ok = register.response(200, toTag: "r")
    #expect(tuEvents(layer.received(ok, from: F.engine, now: at(0.3))) == [.response(ok, transaction: key)])
    #expect(tuEvents(layer.received(ok, from: F.engine, now: at(0.4))) == [])
    #expect(layer.state(of: key) == .clientNonInvite(.completed))
    #expect(layer.timerFired(TransactionTimerID(key: key, timer: .k), now: at(5.3)) == [])
    #expect(layer.count == 0)
}

@Test func layerAcksANon2xxToTheInvitesDestinationAndSendsTheTUsAckStatelessly() throws {
    var layer = TransactionLayer()
    let invite = F.invite(branch: "z9hG4bK-out")
    _ = try layer.send(request: invite, to: F.engine, now: .zero)
    let busy = invite.response(486, toTag: "b")
    let actions = layer.received(busy, from: F.engine, now: at(1))
    #expect(transmitted(actions).map { $0.0.method } == ["ACK"])
    #expect(transmitted(actions).map(\.1) == [F.engine])
    #expect(transmitted(actions).first?.0.branch == "z9hG4bK-out")

    // The ACK for a 2xx is the TU's, sent without a transaction (§13.2.2.4).
    let ack = F.request("ACK", branch: "z9hG4bK-ack2xx", toTag: "b")
    #expect(try layer.send(request: ack, to: F.engine, now: at(2)) == [.transmit(ack, to: F.engine)])
    #expect(layer.count == 1)
}

@Test func anAckMatchingNoTransactionGoesToTheTU() {
    var layer = TransactionLayer()
    let ack = F.request("ACK", branch: "z9hG4bK-ack2xx", toTag: "e1")
    #expect(layer.received(ack, from: F.phone, now: .zero) == [.deliverToTU(.ack(stamped(ack), from: F.phone))])
    #expect(layer.count == 0)
}

@Test func acceptedInviteAbsorbsRetransmissionsAndPassesTheAckUp() throws {
    var layer = TransactionLayer()
    let invite = F.invite()
    _ = layer.received(invite, from: F.phone, now: .zero)
    let ok = stamped(invite).response(200, toTag: "e1")
    _ = try layer.send(response: ok, now: at(0.1))
    #expect(layer.received(invite, from: F.phone, now: at(0.5)) == [])
    // The TU's 2xx retransmission goes out through the Accepted transaction...
    #expect(transmitted(try layer.send(response: ok, now: at(0.6))).map(\.1) == [F.phone])
    // ...and after Timer L, statelessly.
    let key = try #require(TransactionKey.server(receiving: invite))
    _ = layer.timerFired(TransactionTimerID(key: key, timer: .l), now: at(32.1))
    #expect(layer.count == 0)
    #expect(transmitted(try layer.send(response: ok, now: at(33))).map(\.1) == [F.phone])
    #expect(throws: TransactionError.noSuchTransaction(key)) { try layer.send(response: stamped(invite).response(486, toTag: "e1"), now: at(33)) }
}

@Test func cancelHasItsOwnTransactionAndNamesTheInviteItCancels() throws {
    var layer = TransactionLayer()
    let invite = F.invite()
    _ = layer.received(invite, from: F.phone, now: .zero)
    let cancel = F.request("CANCEL")
    let inviteKey = try #require(TransactionKey.server(receiving: invite))
    let cancelKey = try #require(TransactionKey.server(receiving: cancel))
    #expect(tuEvents(layer.received(cancel, from: F.phone, now: at(1)))
        == [.cancel(stamped(cancel), from: F.phone, transaction: cancelKey, invite: inviteKey)])
    // §9.2: 200 to the CANCEL, 487 to the INVITE, each in its own transaction.
    #expect(transmitted(try layer.send(response: stamped(cancel).response(200, toTag: "e1"), now: at(1.1))).count == 1)
    #expect(transmitted(try layer.send(response: stamped(invite).response(487, toTag: "e1"), now: at(1.1))).count == 1)
    #expect(layer.state(of: cancelKey) == .serverNonInvite(.completed))
    #expect(layer.state(of: inviteKey) == .serverInvite(.completed))

    var other = TransactionLayer()
    #expect(tuEvents(other.received(cancel, from: F.phone, now: .zero))
        == [.cancel(stamped(cancel), from: F.phone, transaction: cancelKey, invite: nil)])
}

@Test func timeoutsAndTransportErrorsReachTheTUWithTheirKey() throws {
    var layer = TransactionLayer()
    let options = F.request("OPTIONS", branch: "z9hG4bK-o")
    let key = try #require(TransactionKey.client(sending: options))
    _ = try layer.send(request: options, to: F.engine, now: .zero)
    #expect(tuEvents(layer.timerFired(TransactionTimerID(key: key, timer: .f), now: at(32))) == [.timedOut(key)])
    #expect(layer.count == 0)

    let bye = F.request("BYE", branch: "z9hG4bK-b")
    let byeKey = try #require(TransactionKey.client(sending: bye))
    _ = try layer.send(request: bye, to: F.engine, now: .zero)
    #expect(tuEvents(layer.transportFailed(byeKey, now: at(0.1))) == [.transportError(byeKey)])
    #expect(layer.count == 0)
}

@Test func theTUsMistakesAreTypedErrors() {
    var layer = TransactionLayer()
    var noBranch = F.request("OPTIONS")
    noBranch.via[0].parameters = []
    #expect(throws: TransactionError.missingBranch(method: "OPTIONS")) { try layer.send(request: noBranch, to: F.engine, now: .zero) }
    #expect(throws: TransactionError.self) { try layer.send(request: F.invite().response(200), to: F.engine, now: .zero) }
    #expect(throws: TransactionError.self) { try layer.send(response: F.invite(), now: .zero) }
}
