import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_driver
import qemu_monitor

/// The real upgrade: running guests move between Debian's QEMU 7.2 and
/// QEMU 10.0 (bookworm-backports), by a destination XML naming the other
/// emulator and in place (the file at the emulator's path replaced).
@Suite(.serialized) struct QemuUpgradeTests {
    static func runningVersion(_ f: MigrationFixture) async throws -> String {
        let instance = try #require(try f.obj.qemu.instance)
        let reply = try await instance.monitor().execute("query-version")
        let qemu = try #require(reply["qemu"])
        return "\(qemu["major"]?.intValue ?? -1).\(qemu["minor"]?.intValue ?? -1).\(qemu["micro"]?.intValue ?? -1)"
    }

    static func destXML(_ f: MigrationFixture, emulator: String, machine: String? = nil) throws -> DomainDef {
        var def = try DomainDef.parse(try f.conn.xmlDesc(try f.dom, flags: .migratable))
        def.emulator = emulator
        if let machine { def.os.machine = machine }
        return def
    }

    @Test func aGuestDefinedWithPcMovesFrom72To100AndBack() async throws {
        let f = try await MigrationFixture.start("up-xml")
        defer { f.close() }
        let before = try f.dom
        let inactive = try DomainDef.parse(try f.conn.xmlDesc(before, flags: .inactive))
        #expect(inactive.os.machine == "pc-i440fx-7.2", "the alias is pinned at define time")
        #expect(inactive.emulator == Emulators.qemu72)
        #expect(try await Self.runningVersion(f).hasPrefix("7.2."))

        // --persistent: the persistent definition takes the new emulator too.
        let up = try await f.conn.migrate3(before, to: f.conn.driver.connect(),
                                           params: f.migrationParams(destXML: try Self.destXML(f, emulator: Emulators.qemu100).format()),
                                           flags: [.live, .local, .persistDest])
        #expect(try DomainDef.parse(try f.conn.xmlDesc(up, flags: .inactive)).emulator == Emulators.qemu100)
        #expect(up.uuid == before.uuid && up.id != before.id)
        #expect(try await Self.runningVersion(f) == "10.0.2")
        #expect(try f.obj.qemu.instance?.version?.description == "10.0.2")
        let live = try DomainDef.parse(try f.conn.xmlDesc(up))
        #expect(live.emulator == Emulators.qemu100)
        #expect(live.os.machine == "pc-i440fx-7.2", "the guest keeps its machine type on the newer QEMU")
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
        #expect(try f.runsExactlyOnce())
        let log = try String(contentsOfFile: f.root.path + "/log/qemu/vm.log", encoding: .utf8)
        #expect(log.contains("starting up instance id \(try #require(up.id)) (incoming migration), emulator \(Emulators.qemu100)"))

        // Changing the guest ABI on the way is refused, and changes nothing.
        var bigger = try Self.destXML(f, emulator: Emulators.qemu72)
        bigger.memory = 32768
        let abi = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(up, to: f.conn.driver.connect(), params: f.migrationParams(destXML: bigger.format()),
                                      flags: [.live, .local])
        }
        #expect(abi?.message == "unsupported configuration: Target domain max memory 32768 does not match source 16384")
        // An alias in the destination XML is resolved by the destination's
        // emulator, so it names another machine: refused as libvirt does.
        let alias = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(up, to: f.conn.driver.connect(),
                                      params: f.migrationParams(destXML: try Self.destXML(f, emulator: Emulators.qemu100, machine: "pc").format()),
                                      flags: [.live, .local])
        }
        #expect(alias?.message == "unsupported configuration: Target domain machine type pc-i440fx-10.0 does not match source pc-i440fx-7.2")
        #expect(try f.conn.lookup(name: "vm") == up)
        #expect(try await Self.runningVersion(f) == "10.0.2")

        // And back: 7.2 has the machine type.
        let down = try await f.conn.migrate3(up, to: f.conn.driver.connect(),
                                             params: f.migrationParams(destXML: try Self.destXML(f, emulator: Emulators.qemu72).format()),
                                             flags: [.live, .local])
        #expect(try DomainDef.parse(try f.conn.xmlDesc(down, flags: .inactive)).emulator == Emulators.qemu100,
                "without --persistent the persistent definition keeps what it had")
        #expect(try await Self.runningVersion(f).hasPrefix("7.2."))
        #expect(down.uuid == before.uuid)
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
        #expect(try f.runsExactlyOnce())
    }

    /// What `apt-get upgrade` does: the file at the emulator's path is
    /// replaced under the running guest; a migration with no destination
    /// XML starts the binary now on disk.
    @Test func inPlaceUpgradeStartsTheBinaryNowOnDisk() async throws {
        let dir = TestRoot("up-bin")
        defer { #expect(dir.cleanup() == []) }
        let emulator = try Emulators.replaceablePath(in: dir.path)
        try Emulators.install(Emulators.qemu72, at: emulator)
        let f = try await MigrationFixture.start("up-place", emulator: emulator)
        defer { f.close() }
        let before = try f.dom
        #expect(try await Self.runningVersion(f).hasPrefix("7.2."))
        #expect(try f.conn.obj(before).qemu.instance?.binary?.inode != nil)

        try Emulators.install(Emulators.qemu100, at: emulator)
        let after = try await f.conn.migrate3(before, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
        #expect(try await Self.runningVersion(f) == "10.0.2")
        let live = try DomainDef.parse(try f.conn.xmlDesc(after))
        #expect(live.emulator == emulator)
        #expect(live.os.machine == "pc-i440fx-7.2")
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
        #expect(try f.runsExactlyOnce())
        // The status file records what the new instance runs.
        let status = try String(contentsOfFile: try #require(try f.obj.qemu.instance?.paths.statusFile), encoding: .utf8)
        #expect(status.contains("<version major='10' minor='0' micro='2'"))
    }

    @Test func aMachineTypeOnly100KnowsIsRefusedA72Destination() async throws {
        let f = try await MigrationFixture.start("up-new", emulator: Emulators.qemu100)
        defer { f.close() }
        let source = try f.dom
        #expect(try DomainDef.parse(try f.conn.xmlDesc(source)).os.machine == "pc-i440fx-10.0")
        let error = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(source, to: f.conn.driver.connect(),
                                      params: f.migrationParams(destXML: try Self.destXML(f, emulator: Emulators.qemu72).format()),
                                      flags: [.live, .local])
        }
        #expect(error?.code == .configUnsupported)
        #expect(error?.message == "unsupported configuration: Emulator '\(Emulators.qemu72)' does not support machine type 'pc-i440fx-10.0'")
        #expect(try f.conn.lookup(name: "vm") == source)
        #expect(try await Self.runningVersion(f) == "10.0.2")
        #expect(f.counterAdvances())
        #expect(try f.runsExactlyOnce())
    }
}
