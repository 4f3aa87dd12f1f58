import Foundation
import libvirt_abi
import qemu_driver
import qemu_monitor

/// `upgrade-qemu`: after a new QEMU is installed, moves every running
/// domain whose QEMU is not the one now on disk (another version, another
/// build, or a replaced binary) into a new QEMU process by local migration
/// (`migrate --live --local`, no XML: the emulator path stays, the file
/// behind it is new). One domain at a time by default; it stops at the
/// first failure, which leaves that domain running on its old QEMU, and
/// prints a summary.
///
/// libvirt has no such command; each step is `cmdMigrate` with
/// `VIR_MIGRATE_LIVE | VIR_MIGRATE_LOCAL`.
enum UpgradeQemuCommand: VirshCommand {
    static let name = "upgrade-qemu"
    static let group = CommandGroup.domain
    static let help = "move running domains to the QEMU now on disk"
    static let description = "Live-migrate, within this host, every running domain whose QEMU is older than the emulator now installed at its emulator path, stopping at the first failure."
    static let options: [OptionDef] = [
        .bool("dry-run", "list the domains that would be upgraded, change nothing"),
        .int("parallel", "number of domains upgraded at once (default 1)"),
    ]

    /// One domain's upgrade.
    struct Outcome: Sendable {
        let name: String
        let candidate: QemuUpgradeCandidate
        var after: String?
        var downtimeMs: UInt64?
        var totalMs: UInt64?
        var error: VirshError?
        var attempted = false
    }

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let p) = cmd.int("parallel", ctl) else { return false }
        let parallel = Int(p ?? 1)
        guard parallel >= 1 else {
            ctl.error("parallel must be at least 1")
            return false
        }
        guard let conn = try? ctl.connected else { return false }
        let uri = ctl.effectiveURI
        if let host = URLComponents(string: uri)?.host, !host.isEmpty {
            ctl.error("upgrade-qemu moves domains within one host: connect to this host's daemon (\(uri) names host '\(host)')")
            return false
        }

        var outcomes: [Outcome] = []
        do {
            let doms = try await conn.listAllDomains(.active).sorted { $0.name < $1.name }
            for dom in doms {
                outcomes.append(Outcome(name: dom.name, candidate: try await dom.upgradeCandidate()))
            }
        } catch {
            ctl.save(error)
            return false
        }
        let stale = outcomes.filter(\.candidate.needsUpgrade)
        if cmd.bool("dry-run") {
            var table = Table("Domain", "Emulator", "Running", "On disk", "Action")
            for o in outcomes {
                table.append(o.name, o.candidate.emulator, version(o.candidate.running, o.candidate.onDisk),
                             version(o.candidate.onDisk, o.candidate.running),
                             o.candidate.needsUpgrade ? (o.candidate.binaryReplaced == true && o.candidate.running == o.candidate.onDisk
                                                            && o.candidate.running.package == o.candidate.onDisk.package
                                                            ? "upgrade (binary replaced)" : "upgrade") : "up to date")
            }
            ctl.print(table.render(withHeader: !ctl.quiet))
            return true
        }
        if stale.isEmpty {
            ctl.print("Every running domain runs the QEMU now on disk.\n")
            return true
        }

        let done = await upgrade(stale, conn: conn, uri: uri, parallel: parallel, ctl: ctl)
        var table = Table("Domain", "QEMU before", "QEMU after", "Downtime (ms)", "Total (ms)", "Result")
        for o in done {
            let result = o.error != nil ? "failed" : (o.attempted ? "upgraded" : "not attempted")
            table.append(o.name, version(o.candidate.running, o.candidate.onDisk), o.after ?? "-",
                         o.downtimeMs.map(String.init) ?? "-", o.totalMs.map(String.init) ?? "-", result)
        }
        ctl.print("\n" + table.render(withHeader: !ctl.quiet))
        if let failed = done.first(where: { $0.error != nil }), let e = failed.error {
            ctl.print("Stopped at \(failed.name), which still runs on its old QEMU: \(done.filter { $0.attempted && $0.error == nil }.count) of \(done.count) upgraded.\n")
            ctl.save(e)
            return false
        }
        return true
    }

    /// Runs the migrations, `parallel` at a time, starting no new one
    /// after a failure.
    @MainActor
    private static func upgrade(_ stale: [Outcome], conn: any VirshConnection, uri: String, parallel: Int,
                                ctl: Control) async -> [Outcome] {
        var results = stale
        var next = 0
        var failed = false
        var finished = 0
        await withTaskGroup(of: (Int, Outcome).self) { group in
            func startNext() {
                guard !failed, next < results.count else { return }
                let i = next
                next += 1
                let item = results[i]
                group.addTask { (i, await upgradeOne(item, conn: conn, uri: uri)) }
            }
            for _ in 0..<parallel { startNext() }
            while let (i, outcome) = await group.next() {
                results[i] = outcome
                finished += 1
                let prefix = "[\(finished)/\(results.count)] \(outcome.name):"
                if let e = outcome.error {
                    failed = true
                    ctl.print("\(prefix) failed, still on QEMU \(outcome.candidate.running): \(e.message)\n")
                } else {
                    ctl.print("\(prefix) QEMU \(outcome.candidate.running) -> \(outcome.after ?? "?") in \(outcome.totalMs ?? 0) ms"
                              + (outcome.downtimeMs.map { " (downtime \($0) ms)" } ?? "") + "\n")
                }
                startNext()
            }
        }
        return results
    }

    private static func upgradeOne(_ item: Outcome, conn: any VirshConnection, uri: String) async -> Outcome {
        var o = item
        o.attempted = true
        let start = ContinuousClock.now
        do throws(VirshError) {
            let dom = try await conn.lookup(name: item.name)
            let dconn = try await OpenConnections.open(uri, readonly: false)
            let after: any VirshDomain
            do {
                after = try await conn.migrate(dom, to: dconn, params: [], flags: [.live, .local])
            } catch {
                await OpenConnections.close(dconn)
                throw error
            }
            await OpenConnections.close(dconn)
            let elapsed = ContinuousClock.now - start
            o.totalMs = UInt64(elapsed.components.seconds) * 1000 + UInt64(elapsed.components.attoseconds / 1_000_000_000_000_000)
            let moved = try await conn.lookup(name: after.name)
            let stats = try await moved.jobStats(completed: true)
            if case .ullong(let d)? = stats.params.first(where: { $0.name == "downtime" })?.value { o.downtimeMs = d }
            o.after = version(try await moved.upgradeCandidate().running, item.candidate.running)
        } catch {
            o.error = error
        }
        return o
    }

    /// A version as the summary shows it: with the package string when
    /// that is what tells two builds of one version apart.
    static func version(_ v: QemuVersion, _ other: QemuVersion) -> String {
        v == other && v.package != other.package && !v.package.isEmpty ? "\(v) (\(v.package))" : v.description
    }
}
