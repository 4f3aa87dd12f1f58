import Foundation
import Synchronization
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import qemu_migration
import virdomainobjlist

/// A driver root with the counter guest running, ready to migrate.
struct MigrationFixture {
    let root: TestRoot
    let conn: QemuConnection
    let serial: String
    let disk: String
    let name: String
    var state: QemuDriverState { conn.driver.state }

    static func start(_ label: String, shared: Bool = true, memfd: Bool = false, ballastMiB: Int? = nil, emulator: String? = nil,
                      persistent: Bool = true, extraDevices: String = "",
                      memballoon: String = "none", dirtier: Bool = false, vcpu: String = "<vcpu>1</vcpu>") async throws -> MigrationFixture {
        let root = TestRoot(label)
        let serial = root.path + "/serial.log"
        let disk = try CounterGuest.disk(in: root.path, dirtier: dirtier)
        let ballast = try ballastMiB.map { try CounterGuest.ballast(in: root.path, mebibytes: $0) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        let xml = CounterGuest.domainXML(name: "vm", disk: disk, serialLog: serial, sharedMemory: shared, memfd: memfd, emulator: emulator,
                                         extraDevices: extraDevices, memballoon: memballoon, ballast: ballast, vcpu: vcpu)
        if persistent {
            try await conn.create(conn.defineXML(xml, validate: true))
        } else {
            try await conn.createXML(xml)
        }
        let f = MigrationFixture(root: root, conn: conn, serial: serial, disk: disk, name: "vm")
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 3), "the guest runs before the migration")
        return f
    }

    func close() {
        conn.driver.close()
        #expect(root.cleanup() == [], "the test leaves nothing behind")
    }

    var dom: DomainRef { get throws { try conn.lookup(name: name) } }
    var obj: DomainObj { get throws { try conn.obj(dom) } }
    /// The incoming instance, while a migration has one.
    var incoming: DomainObj? { get throws { state.domains.findRemote(byUUID: try obj.uuid) } }

    /// QEMU processes of this root.
    var qemuProcesses: [pid_t] { TestRoot.processes(mentioning: root.path) }
    /// Instance directories.
    var instanceDirs: [String] { root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") && !$0.contains("/") } }

    /// The guest keeps counting: the serial log grows by `by` more lines.
    func counterAdvances(by: Int = 3) -> Bool {
        CounterGuest.waitForCounter(inLog: serial, atLeast: (CounterGuest.counters(inLog: serial).last ?? 0) + by)
    }

    /// The counters are 0, 1, 2, ... without a gap or a restart.
    func countersAreContinuous() -> Bool {
        let c = CounterGuest.counters(inLog: serial)
        return !c.isEmpty && c == Array(0..<c.count)
    }

    /// Exactly one running instance of the domain: in the tables and as a
    /// QEMU process.
    func runsExactlyOnce() throws -> Bool {
        let uuid = try obj.uuid
        let inTables = state.domains.list().filter { $0.uuid == uuid && $0.isActive }.count
        return inTables == 1 && state.domains.findRemote(byUUID: uuid) == nil && qemuProcesses.count == 1
    }

    func migrationParams(bandwidth: UInt64? = nil, destXML: String? = nil, mode: QemuMigrationMode? = nil) -> [TypedParameter] {
        var p: [TypedParameter] = []
        if let mode { p.append(TypedParameter(MigrateParam.localMode, .string(mode.rawValue))) }
        if let bandwidth { p.append(TypedParameter(MigrateParam.bandwidth, .ullong(bandwidth))) }
        if let destXML { p.append(TypedParameter(MigrateParam.destXML, .string(destXML))) }
        return p
    }
}

/// Lifecycle events with the instance id they came from.
final class EventRecorder: Sendable {
    private let events = Mutex<[(Int?, LifecycleEvent)]>([])
    init(_ conn: QemuConnection) {
        conn.registerLifecycleEvents { [weak self] e in
            guard let l = e.lifecycle else { return }
            self?.events.withLock { $0.append((e.id, l)) }
        }
    }
    var all: [(Int?, LifecycleEvent)] { events.withLock { $0 } }
}

extension QemuConnection {
    /// How the last completed migration of `dom` moved it
    /// (`migration_mode` in its completed job's statistics).
    func completedMigrationMode(_ dom: DomainRef) async throws -> TypedParameter.Value? {
        try await jobStats(dom, completed: true).params.first { $0.name == QemuMigrationStatistics.modeParameter }?.value
    }
}
