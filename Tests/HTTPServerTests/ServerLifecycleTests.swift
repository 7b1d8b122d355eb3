import Foundation
import Glibc
import Synchronization
import Testing
import TestSupport
@testable import HTTPServer

/// Starting, binding errors, IPv6, graceful stop and signals.
@Suite("HTTPServer lifecycle")
struct ServerLifecycleTests {
    @Test func gracefulStopDrainsInFlightRequestsAndRefusesNewConnections() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        var router = Router()
        router.get("/slow") { _ in
            entered.signal()
            _ = release.wait(timeout: .now() + 5)
            usleep(300_000)
            return .text("done")
        }
        let server = HTTPServer(router: router)
        let port = try server.start(threads: 2)
        let client = try RawConnection(port: port)
        try client.sendRequest("GET", "/slow")
        #expect(entered.wait(timeout: .now() + 5) == .success)

        let outcome = Mutex<StopOutcome?>(nil)
        let stopping = DispatchGroup()
        stopping.enter()
        Thread.detachNewThread {
            let result = server.stop(timeout: .seconds(5))
            outcome.withLock { $0 = result }
            stopping.leave()
        }
        var refused = false
        let deadline = ContinuousClock.now + .seconds(2)
        while !refused && ContinuousClock.now < deadline {
            refused = RawConnection.connectionResult(port: port) == ECONNREFUSED
            if !refused { usleep(1000) }
        }
        #expect(refused, "new connections are still accepted while draining")
        #expect(outcome.withLock { $0 } == nil, "stop returned before the in-flight request finished")
        release.signal()

        let response = try client.readResponse()
        #expect(response.status == 200 && response.text == "done")
        #expect(response.header("Connection")?.lowercased() == "close")
        #expect(stopping.wait(timeout: .now() + 5) == .success)
        #expect(outcome.withLock { $0 } == .drained)
        #expect(RawConnection.connectionResult(port: port) == ECONNREFUSED)
        #expect(server.stop() == .notRunning)
    }

    @Test func stopTimesOutOnAStuckHandler() throws {
        let entered = DispatchSemaphore(value: 0)
        var router = Router()
        router.get("/stuck") { _ in
            entered.signal()
            usleep(600_000)
            return .text("late")
        }
        let server = HTTPServer(router: router)
        let port = try server.start()
        let client = try RawConnection(port: port)
        try client.sendRequest("GET", "/stuck")
        #expect(entered.wait(timeout: .now() + 5) == .success)
        var outcome = StopOutcome.notRunning
        let elapsed = seconds { outcome = server.stop(timeout: .milliseconds(100)) }
        #expect(outcome == .timedOut(abandoned: 1))
        #expect(elapsed < 0.4)
        #expect(server.waitUntilStopped() == .timedOut(abandoned: 1))
        #expect(!server.isRunning)
        #expect(throws: HTTPServerError.alreadyRunning) { try server.start() }
        #expect((try? client.readResponse()) == nil, "an abandoned request's connection is closed, not answered")
    }

    @Test func droppingARunningServerStopsIt() throws {
        var router = Router()
        router.get("/ping") { _ in .text("pong") }
        var server: HTTPServer? = HTTPServer(router: router)
        let port = try #require(try server?.start())
        #expect(try request("GET", "/ping", port: port).text == "pong")
        server = nil
        #expect(RawConnection.connectionResult(port: port) == ECONNREFUSED)
    }

    @Test func waitUntilStoppedReturnsAfterStop() throws {
        let server = HTTPServer(router: Router())
        try server.start()
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            server.waitUntilStopped()
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + 0.1) == .timedOut)
        #expect(server.stop() == .drained)
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(server.waitUntilStopped() == .drained)
    }

    @Test func restartsAfterStopAndRefusesDoubleStart() throws {
        var router = Router()
        router.get("/ping") { _ in .text("pong") }
        let server = HTTPServer(router: router)
        let first = try server.start()
        #expect(server.port == first)
        #expect(throws: HTTPServerError.alreadyRunning) { try server.start() }
        server.stop()
        let second = try server.start()
        #expect(try request("GET", "/ping", port: second).text == "pong")
        server.stop()
    }

    @Test func addressInUseIsAClearError() throws {
        let first = HTTPServer(router: Router())
        let port = try first.start()
        defer { first.stop() }
        let second = HTTPServer(router: Router())
        #expect(throws: HTTPServerError.addressInUse(host: "127.0.0.1", port: port)) {
            try second.start(port: port)
        }
        #expect(HTTPServerError.addressInUse(host: "127.0.0.1", port: port).description
            == "cannot listen on 127.0.0.1:\(port): address already in use (another server is running there?)")
    }

    @Test func invalidAddressesAreClearErrors() {
        let server = HTTPServer(router: Router())
        for host in ["example.com", "300.1.1.1", ""] {
            #expect(throws: HTTPServerError.self) { try server.start(host: host) }
            do {
                try server.start(host: host)
            } catch {
                guard case .invalidAddress(let reported, _) = error else {
                    Issue.record("expected invalidAddress for '\(host)', got \(error)")
                    continue
                }
                #expect(reported == host)
            }
        }
        #expect(throws: HTTPServerError.addressNotAvailable(host: "192.0.2.1", port: 0)) {
            try server.start(host: "192.0.2.1")
        }
        #expect(throws: HTTPServerError.invalidConfiguration("threads must be 1...1024, got 0")) {
            try server.start(threads: 0)
        }
    }

    @Test func servesIPv6Loopback() throws {
        var router = Router()
        router.get("/ip") { request in .text(request.remoteAddress ?? "?") }
        let server = HTTPServer(router: router)
        let port = try server.start(host: "::1")
        defer { server.stop() }
        let connection = try RawConnection(port: port, host: "::1")
        try connection.sendRequest("GET", "/ip")
        #expect(try connection.readResponse().text == "::1")
        #expect(RawConnection.connectionResult(port: port, host: "127.0.0.1") == ECONNREFUSED)
    }

    @Test func signalHandlerRunsOnce() throws {
        let calls = Mutex<[Int32]>([])
        let done = DispatchSemaphore(value: 0)
        let signals = ShutdownSignals.install([SIGUSR2]) { number in
            calls.withLock { $0.append(number) }
            done.signal()
        }
        defer { signals.cancel() }
        kill(getpid(), SIGUSR2)
        #expect(done.wait(timeout: .now() + 5) == .success)
        kill(getpid(), SIGUSR2)
        usleep(50_000)
        #expect(calls.withLock { $0 } == [SIGUSR2])
        #expect(signals.hasFired)
    }
}
