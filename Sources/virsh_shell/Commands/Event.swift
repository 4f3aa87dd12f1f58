import Foundation
import Synchronization
import libvirt_abi
import virutil

/// `event`: lists the event types, or waits for domain events and prints
/// them, one (`--event NAME`) or all kinds (`--all`), once or with
/// `--loop` until `--timeout` or Ctrl-C.
///
/// libvirt: `cmdEvent`, `virshEventPrint` (tools/virsh-domain-event.c),
/// `vshEventStart`/`vshEventWait` (tools/vsh.c).
enum EventCommand: VirshCommand {
    static let name = "event"
    static let group = CommandGroup.events
    static let help = "Domain Events"
    static let description = "List event types, or wait for domain events to occur"
    static let options: [OptionDef] = [
        .string("domain", "filter by domain name, id or uuid"),
        .string("event", "which event type to wait for"),
        .bool("all", "wait for all events instead of just one type"),
        .bool("loop", "loop until timeout or interrupt, rather than one-shot"),
        .int("timeout", "timeout seconds"),
        .bool("list", "list valid event types"),
        .bool("timestamp", "show timestamp for each printed event"),
    ]

    /// The events received, in order, until the command takes them.
    final class Received: Sendable {
        private struct State {
            var pending: [String] = []
            var count = 0
            var done = false
        }
        private let state = Mutex(State())
        let loop: Bool
        let timestamp: Bool

        init(loop: Bool, timestamp: Bool) {
            self.loop = loop
            self.timestamp = timestamp
        }

        /// virshEventPrint: without `--loop` only the first event counts.
        func add(_ e: VirshDomainEvent) {
            let stamp = timestamp ? VirTime.stringNowRaw() + ": " : ""
            let text = stamp + DomainEventText.text(e)
            state.withLock { s in
                guard loop || s.count == 0 else { return }
                s.pending.append(text)
                s.count += 1
                if !loop { s.done = true }
            }
        }

        func take() -> (lines: [String], done: Bool) {
            state.withLock { s in
                defer { s.pending = [] }
                return (s.pending, s.done)
            }
        }

        var count: Int { state.withLock { $0.count } }
    }

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.exclusive("all", "event", ctl), cmd.exclusive("list", "all", ctl), cmd.exclusive("list", "event", ctl) else {
            return false
        }
        if cmd.bool("list") {
            for n in DomainEventText.names { ctl.print(n + "\n") }
            return true
        }
        guard case .success(let eventName) = cmd.string("event", ctl) else { return false }
        if eventName == nil && !cmd.bool("all") {
            ctl.error("one of --list, --all, or --event <type> is required")
            return false
        }
        let ids = DomainEventText.names.indices.filter { eventName == nil || DomainEventText.names[$0] == eventName }.map { Int32($0) }
        if ids.isEmpty {
            ctl.error("unknown event type \(eventName ?? "")")
            return false
        }
        // vshCommandOptTimeoutToMs
        guard case .success(let timeout) = cmd.unsigned("timeout", max: UInt64(UInt32.max), ctl) else { return false }
        if let t = timeout, t == 0 || t > UInt64(Int32.max / 1000) {
            ctl.error("Numeric value '\(t)' for <timeout> option is malformed or out of range")
            return false
        }
        var dom: (any VirshDomain)?
        if cmd.stringQuiet("domain") != nil {
            guard let (d, _) = await cmd.domain(ctl) else { return false }
            dom = d
        }
        guard let conn = try? ctl.connected else { return false }

        let received = Received(loop: cmd.bool("loop"), timestamp: cmd.bool("timestamp"))
        var registered: [Int32] = []
        var ok = true
        for (i, id) in ids.enumerated() {
            do {
                registered.append(try await conn.registerDomainEvent(id, domain: dom) { received.add($0) })
            } catch {
                // For --all, a later registration's failure is ignored, on
                // the assumption that the server knows fewer events.
                if i == 0 {
                    ctl.save(error)
                    ok = false
                    break
                }
            }
        }
        if ok {
            let outcome = await wait(received, timeoutSeconds: timeout, ctl)
            switch outcome {
            case .interrupted: ctl.print("event loop interrupted\n")
            case .timedOut: ctl.print("event loop timed out\n")
            case .done: break
            }
            ctl.print("events received: \(received.count)\n")
            ok = received.count > 0
        }
        for id in registered {
            do { try await conn.deregisterDomainEvent(id) } catch {
                ctl.save(error)
                ok = false
            }
        }
        return ok
    }

    enum Outcome { case done, interrupted, timedOut }

    /// vshEventWait: prints events as they come until the first one
    /// (without `--loop`), the timeout, or Ctrl-C.
    @MainActor static func wait(_ received: Received, timeoutSeconds: UInt64?, _ ctl: Control) async -> Outcome {
        let interrupted = OnceFlag()
        let deadline = timeoutSeconds.map { ContinuousClock.now + .seconds(Int64($0)) }
        return await Signals.whileWatching(onInterrupt: { interrupted.set() }) {
            while true {
                let (lines, done) = received.take()
                for l in lines { ctl.print(l) }
                if done { return .done }
                if interrupted.isSet { return .interrupted }
                if let deadline, ContinuousClock.now >= deadline { return .timedOut }
                await VirTime.pause(.milliseconds(10))
            }
        }
    }
}
