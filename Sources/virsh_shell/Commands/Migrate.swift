import Foundation
import libvirt_abi

/// `migrate`: moves a domain to another host, or with `--local` (patch 1
/// of the series, `VIR_MIGRATE_LOCAL`) into a new QEMU process on this
/// same host. Without `--p2p` virsh opens the destination connection and
/// the five phases run over the two connections (`virDomainMigrate3`);
/// with `--p2p` the source driver reaches the destination itself
/// (`virDomainMigrateToURI3`).
///
/// libvirt: `cmdMigrate`, `doMigrate` (tools/virsh-domain.c).
enum MigrateCommand: VirshCommand {
    static let name = "migrate"
    static let group = CommandGroup.domain
    static let help = "migrate domain to another host"
    static let description = "Migrate domain to another host.  Add --live for live migration."
    static let options: [OptionDef] = [
        .domainFull,
        .data("desturi", "connection URI of the destination host as seen from the client(normal migration) or source(p2p migration)"),
        .bool("live", "live migration"),
        .bool("offline", "offline migration"),
        .bool("local", "local migration: move the domain into a new QEMU process on this same host"),
        .string("local-mode", "how a local migration moves the guest: cpr-transfer or normal (default: cpr-transfer when both QEMUs and the guest's shared RAM allow it)"),
        .bool("p2p", "peer-2-peer migration"),
        .bool("direct", "direct migration"),
        .alias("tunneled", for: "tunnelled"),
        .bool("tunnelled", "tunnelled migration"),
        .bool("persistent", "persist VM on destination"),
        .bool("undefinesource", "undefine VM on source"),
        .bool("suspend", "do not restart the domain on the destination host"),
        .bool("copy-storage-all", "migration with non-shared storage with full disk copy"),
        .bool("copy-storage-inc", "migration with non-shared storage with incremental copy (same base image shared between source and destination)"),
        .bool("copy-storage-synchronous-writes", "force guest disk writes to be synchronously written to the destination to improve storage migration convergence"),
        .bool("change-protection", "prevent any configuration changes to domain until migration ends"),
        .bool("unsafe", "force migration even if it may be unsafe"),
        .bool("verbose", "display the progress of migration"),
        .bool("compressed", "compress repeated pages during live migration"),
        .bool("auto-converge", "force convergence during live migration"),
        .bool("rdma-pin-all", "pin all memory before starting RDMA live migration"),
        .bool("abort-on-error", "abort on soft errors during migration"),
        .bool("postcopy", "enable post-copy migration; switch to it using migrate-postcopy command"),
        .bool("postcopy-after-precopy", "automatically switch to post-copy migration after one pass of pre-copy"),
        .bool("postcopy-resume", "resume failed post-copy migration"),
        .bool("zerocopy", "use zero-copy mechanism for migrating memory pages"),
        .string("migrateuri", "migration URI, usually can be omitted"),
        .string("graphicsuri", "graphics URI to be used for seamless graphics migration"),
        .string("listen-address", "listen address that destination should bind to for incoming migration"),
        .string("dname", "rename to new name during migration (if supported)"),
        .int("timeout", "run action specified by --timeout-* option (suspend by default) if live migration exceeds timeout (in seconds)"),
        .bool("timeout-suspend", "suspend the guest after timeout"),
        .bool("timeout-postcopy", "switch to post-copy after timeout"),
        .string("xml", "filename containing updated XML for the target"),
        .string("migrate-disks", "comma separated list of disks to be migrated"),
        .int("disks-port", "port to use by target server for incoming disks migration"),
        .string("disks-uri", "URI to use for disks migration (overrides --disks-port)"),
        .string("comp-methods", "comma separated list of compression methods to be used"),
        .int("comp-mt-level", "compress level for multithread compression"),
        .int("comp-mt-threads", "number of compression threads for multithread compression"),
        .int("comp-mt-dthreads", "number of decompression threads for multithread compression"),
        .int("comp-xbzrle-cache", "page cache size for xbzrle compression"),
        .int("auto-converge-initial", "initial CPU throttling rate for auto-convergence"),
        .int("auto-converge-increment", "CPU throttling rate increment for auto-convergence"),
        .string("persistent-xml", "filename containing updated persistent XML for the target"),
        .bool("tls", "use TLS for migration"),
        .int("postcopy-bandwidth", "post-copy migration bandwidth limit in MiB/s"),
        .bool("parallel", "enable parallel migration"),
        .int("parallel-connections", "number of connections for parallel migration"),
        .int("bandwidth", "migration bandwidth limit in MiB/s"),
        .string("tls-destination", "override the destination host name used for TLS verification"),
    ]

    private static let flagOptions: [(String, MigrateFlags)] = [
        ("live", .live), ("p2p", .peer2peer), ("tunnelled", .tunnelled), ("persistent", .persistDest),
        ("undefinesource", .undefineSource), ("suspend", .paused), ("copy-storage-all", .nonSharedDisk),
        ("copy-storage-inc", .nonSharedInc), ("change-protection", .changeProtection), ("unsafe", .unsafe),
        ("compressed", .compressed), ("auto-converge", .autoConverge), ("rdma-pin-all", .rdmaPinAll),
        ("offline", .offline), ("abort-on-error", .abortOnError), ("postcopy", .postcopy),
        ("postcopy-resume", .postcopyResume), ("zerocopy", .zerocopy), ("tls", .tls), ("parallel", .parallel),
        ("local", .local),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.exclusive("live", "offline", ctl), cmd.exclusive("timeout-suspend", "timeout-postcopy", ctl),
              cmd.requires("postcopy-after-precopy", "postcopy", ctl), cmd.requires("postcopy-resume", "postcopy", ctl),
              cmd.requires("timeout-postcopy", "postcopy", ctl), cmd.requires("persistent-xml", "persistent", ctl),
              cmd.requires("tls-destination", "tls", ctl) else { return false }
        guard let (dom, _) = await cmd.domain(ctl), let conn = try? ctl.connected else { return false }

        let verbose = cmd.bool("verbose")
        guard case .success(let t) = cmd.unsigned("timeout", max: UInt64(UInt32.max), ctl) else { return false }
        let timeout = t ?? 0
        if timeout > 0 && !cmd.bool("live") {
            ctl.error("migrate: Unexpected timeout for offline migration")
            return false
        }
        if timeout == 0 && (cmd.bool("timeout-suspend") || cmd.bool("timeout-postcopy")) {
            ctl.error("migrate: Unexpected --timeout-* option without --timeout")
            return false
        }
        if cmd.bool("timeout-postcopy") || cmd.bool("postcopy-after-precopy") {
            ctl.error("post-copy migration is not supported by this virsh")
            return false
        }

        let p2p = cmd.bool("p2p") || cmd.bool("direct")
        var dconn: (any VirshConnection)?
        if !p2p {
            guard case .success(let d) = cmd.string("desturi", ctl), let desturi = d else { return false }
            do {
                dconn = try await OpenConnections.open(desturi, readonly: false)
            } catch {
                ctl.save(error)
                return false
            }
        }
        guard let (params, flags, desturi) = buildRequest(cmd, ctl) else {
            if let dconn { await OpenConnections.close(dconn) }
            return false
        }
        if cmd.bool("copy-storage-synchronous-writes") && !flags.contains(.nonSharedDisk) && !flags.contains(.nonSharedInc) {
            ctl.error("'--copy-storage-synchronous-writes' requires one of '--copy-storage-all', 'copy-storage-inc'")
            if let dconn { await OpenConnections.close(dconn) }
            return false
        }
        let allFlags = cmd.bool("copy-storage-synchronous-writes") ? flags.union(.nonSharedSynchronousWrites) : flags

        let done = OnceFlag()
        let destination = dconn
        let job = Task.detached { () -> Result<Void, VirshError> in
            defer { done.set() }
            do throws(VirshError) {
                if let destination {
                    _ = try await conn.migrate(dom, to: destination, params: params, flags: allFlags)
                } else {
                    try await conn.migrateToURI(dom, dconnuri: desturi, params: params, flags: allFlags)
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        await JobWatch.watch(dom, verbose: verbose, timeoutSeconds: timeout, label: "Migration", done: done)
        let result = await job.value
        if let dconn {
            await OpenConnections.close(dconn)
        }
        switch result {
        case .success:
            if verbose { JobWatch.printProgress("Migration", remaining: 0, total: 1) }
            return true
        case .failure(let e):
            ctl.save(e)
            return false
        }
    }

    /// The typed parameters and flags (`doMigrate`).
    @MainActor
    private static func buildRequest(_ cmd: ParsedCommand, _ ctl: Control) -> ([TypedParameter], MigrateFlags, String)? {
        guard case .success(let d) = cmd.string("desturi", ctl), let desturi = d else { return nil }
        var params: [TypedParameter] = []
        let strings: [(String, String)] = [
            ("migrateuri", MigrateParam.uri), ("graphicsuri", MigrateParam.graphicsURI),
            ("listen-address", MigrateParam.listenAddress), ("local-mode", MigrateParam.localMode),
        ]
        for (opt, param) in strings {
            guard case .success(let v) = cmd.string(opt, ctl) else { return nil }
            if let v { params.append(TypedParameter(param, .string(v))) }
        }
        guard case .success(let port) = cmd.int("disks-port", ctl) else { return nil }
        if let port, port != 0 { params.append(TypedParameter(MigrateParam.disksPort, .int(port))) }
        for (opt, param) in [("disks-uri", MigrateParam.disksURI), ("dname", MigrateParam.destName)] {
            guard case .success(let v) = cmd.string(opt, ctl) else { return nil }
            if let v { params.append(TypedParameter(param, .string(v))) }
        }
        for (opt, param) in [("migrate-disks", MigrateParam.migrateDisks), ("comp-methods", MigrateParam.compression)] {
            guard case .success(let v) = cmd.string(opt, ctl) else { return nil }
            if let v {
                for part in v.split(separator: ",", omittingEmptySubsequences: false) {
                    params.append(TypedParameter(param, .string(String(part))))
                }
            }
        }
        let ints: [(String, String)] = [
            ("comp-mt-level", "compression.mt.level"), ("comp-mt-threads", "compression.mt.threads"),
            ("comp-mt-dthreads", "compression.mt.dthreads"),
        ]
        for (opt, param) in ints {
            guard case .success(let v) = cmd.int(opt, ctl) else { return nil }
            if let v { params.append(TypedParameter(param, .int(v))) }
        }
        guard case .success(let xbzrle) = cmd.unsigned("comp-xbzrle-cache", max: .max, ctl) else { return nil }
        if let xbzrle { params.append(TypedParameter("compression.xbzrle.cache", .ullong(xbzrle))) }
        for (opt, param) in [("xml", MigrateParam.destXML), ("persistent-xml", MigrateParam.persistXML)] {
            guard case .success(let file) = cmd.string(opt, ctl) else { return nil }
            if let file {
                switch XMLFile.read(file) {
                case .success(let xml): params.append(TypedParameter(param, .string(xml)))
                case .failure(let e):
                    ctl.error("cannot read file '\(file)'")
                    ctl.save(e)
                    return nil
                }
            }
        }
        for (opt, param) in [("auto-converge-initial", MigrateParam.autoConvergeInitial),
                             ("auto-converge-increment", MigrateParam.autoConvergeIncrement)] {
            guard case .success(let v) = cmd.int(opt, ctl) else { return nil }
            if let v { params.append(TypedParameter(param, .int(v))) }
        }
        guard case .success(let pcbw) = cmd.unsigned("postcopy-bandwidth", max: .max, ctl) else { return nil }
        if let pcbw { params.append(TypedParameter(MigrateParam.bandwidthPostcopy, .ullong(pcbw))) }
        guard case .success(let conns) = cmd.int("parallel-connections", ctl) else { return nil }
        if let conns { params.append(TypedParameter(MigrateParam.parallelConnections, .int(conns))) }
        guard case .success(let bw) = cmd.unsigned("bandwidth", max: .max, ctl) else { return nil }
        if let bw { params.append(TypedParameter(MigrateParam.bandwidth, .ullong(bw))) }
        guard case .success(let tlsDest) = cmd.string("tls-destination", ctl) else { return nil }
        if let tlsDest { params.append(TypedParameter(MigrateParam.tlsDestination, .string(tlsDest))) }

        var flags: MigrateFlags = []
        for (opt, f) in flagOptions where cmd.bool(opt) { flags.insert(f) }
        return (params, flags, desturi)
    }
}
