import Foundation
import Glibc
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_capabilities
import qemu_monitor
@testable import qemu_process

/// The status index is a cache of the status files' headers: what it gives
/// back is what the file says, and only while the file is the one it read.
@Suite struct QemuStatusIndexTests {
    /// A state directory with one instance directory and its status file.
    struct Fixture {
        let root: TestRoot
        let stateDir: String
        let statusPath: String

        init(_ label: String, name: String = "vm", id: Int = 7, emulator: String = "/usr/bin/qemu-system-x86_64",
             extra: [XMLElement] = []) throws {
            root = TestRoot(label)
            stateDir = root.path + "/run/qemu"
            let dir = stateDir + "/domain-\(id)-vm"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            statusPath = dir + "/status.xml"
            try Self.status(name: name, id: id, emulator: emulator, extra: extra).write(to: statusPath)
        }

        static func status(name: String, id: Int, emulator: String, extra: [XMLElement] = [],
                           state: DomainStateReason = .paused(.user)) -> QemuStatusFile {
            var def = DomainDef(name: name, virtType: "qemu", memoryKiB: 16384)
            def.id = id
            return QemuStatusFile(state: state, pid: 4242, startTime: 99, emulator: emulator,
                                  binary: QemuBinaryIdentity(path: emulator, device: 2049, inode: 77, size: 1234,
                                                             modified: 1_700_000_000_123_456_789, changed: 1_700_000_000_987_654_321),
                                  qemuVersion: QemuVersion(major: 7, minor: 2, micro: 22, package: "Debian 1:7.2+dfsg-7+deb12u%7\t"),
                                  monitorPath: "/r/run/qemu/domain-\(id)-vm/monitor.sock", persistent: true, def: def,
                                  extra: extra, taint: [.customMonitor, .customArgv], addressesAssigned: true)
        }

        /// The header as read from the file, and the file's key.
        func entry() throws -> QemuStatusIndex.Entry {
            QemuStatusIndex.Entry(key: try #require(QemuStatusIndex.FileKey.of(statusPath)),
                                  header: try QemuStatusHeader(path: statusPath))
        }

        var indexPath: String { QemuStatusIndex.path(stateDir: stateDir) }
    }

    @Test func aHeaderComesBackAsTheFileSaysIt() throws {
        let f = try Fixture("idxrt", name: "vm%1\tx", emulator: "/opt/q%20emu\t/bin")
        defer { #expect(f.root.cleanup() == []) }
        let written = try f.entry()
        try QemuStatusIndex.save([written], stateDir: f.stateDir)
        let text = try String(contentsOfFile: f.indexPath, encoding: .utf8)
        #expect(text.hasPrefix("lmstatusindex 1\n"))
        #expect(text.split(separator: "\n").count == 2, "one line per instance")
        #expect(text.contains("vm%251%09x"), "escaped")

        let loaded = QemuStatusIndex.load(stateDir: f.stateDir)
        let entry = try #require(loaded[f.statusPath])
        #expect(entry.key == written.key)
        #expect(entry.header.instance == written.header.instance)
        #expect(entry.header.name == written.header.name)
        #expect(entry.header.uuid == written.header.uuid)
        #expect(entry.header.id == 7)
        #expect(entry.header.path == f.statusPath)
        // The live definition is read from the file when asked for.
        #expect(try entry.header.read() == QemuStatusFile.read(f.statusPath))
    }

    @Test func everyCharacterTheFormatEscapesComesBack() throws {
        let odd = "a%b\tc\nd\re%09"
        let status = Fixture.status(name: odd, id: 3, emulator: "/e\(odd)")
        let header = QemuStatusHeader(path: "/s/domain-3-\(odd)/status.xml", instance: status.instance, name: odd,
                                      uuid: status.def.uuid, id: 3)
        let entry = QemuStatusIndex.Entry(key: .init(inode: 1, size: 2, modified: -3, changed: 4), header: header)
        let line = QemuStatusIndex.encode(entry)
        #expect(!line.contains("\n") && !line.contains("\r"))
        let (path, back) = try #require(QemuStatusIndex.decode(ArraySlice(line.utf8), stateDir: "/s"))
        #expect(path == header.path)
        #expect(back.key == entry.key)
        #expect(back.header.name == odd)
        #expect(back.header.instance == status.instance)
    }

    @Test func aRewrittenFileNoLongerMatchesItsEntry() throws {
        let f = try Fixture("idxkey")
        defer { #expect(f.root.cleanup() == []) }
        let before = try f.entry()
        try QemuStatusIndex.save([before], stateDir: f.stateDir)
        // Same size, same content but the state: what a state change writes.
        try Fixture.status(name: "vm", id: 7, emulator: "/usr/bin/qemu-system-x86_64", state: .paused(.migration))
            .write(to: f.statusPath)
        let now = try #require(QemuStatusIndex.FileKey.of(f.statusPath))
        #expect(now != before.key, "a status file is replaced by a rename: a new inode")
        #expect(QemuStatusIndex.FileKey.of(f.root.path + "/none") == nil)
        #expect(QemuStatusIndex.FileKey.of(f.stateDir) == nil, "a directory is no status file")
    }

    @Test func aHeaderWhoseFileNowDescribesAnotherDomainIsRefused() throws {
        let f = try Fixture("idxother")
        defer { #expect(f.root.cleanup() == []) }
        try QemuStatusIndex.save([try f.entry()], stateDir: f.stateDir)
        try Fixture.status(name: "other", id: 7, emulator: "/usr/bin/qemu-system-x86_64").write(to: f.statusPath)
        let entry = try #require(QemuStatusIndex.load(stateDir: f.stateDir)[f.statusPath])
        let error = #expect(throws: VirError.self) { try entry.header.read() }
        #expect(error?.detail == "status file \(f.statusPath) no longer describes domain vm")
    }

    @Test func aDamagedIndexGivesOnlyWhatParses() throws {
        let f = try Fixture("idxbad")
        defer { #expect(f.root.cleanup() == []) }
        let good = QemuStatusIndex.encode(try f.entry())
        let fields = good.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        func with(_ i: Int, _ value: String) -> String {
            var g = fields
            g[i] = value
            return g.joined(separator: "\t")
        }
        let bad = [
            with(0, "../domain-7-vm"), with(0, "a/b"), with(0, ""), with(1, "12x"), with(2, "99999999999999999999999"),
            with(5, "77"), with(7, "0"), with(9, "2"), with(11, "1,999"), with(14, "1,2,3"), with(15, "7.2"),
            with(16, "%ZZ"), with(18, ""), with(19, "not-a-uuid"), fields.dropLast().joined(separator: "\t"),
            good + "\textra",
        ]
        try (["lmstatusindex 1"] + bad + [good, ""]).joined(separator: "\n").write(toFile: f.indexPath, atomically: true, encoding: .utf8)
        let loaded = QemuStatusIndex.load(stateDir: f.stateDir)
        #expect(loaded.count == 1, "only the good line")
        #expect(loaded[f.statusPath]?.header.instance == (try f.entry()).header.instance)

        // Another format, or none, gives nothing.
        try (["lmstatusindex 2", good]).joined(separator: "\n").write(toFile: f.indexPath, atomically: true, encoding: .utf8)
        #expect(QemuStatusIndex.load(stateDir: f.stateDir).isEmpty)
        try Data([0xff, 0xfe, 0x00]).write(to: URL(fileURLWithPath: f.indexPath))
        #expect(QemuStatusIndex.load(stateDir: f.stateDir).isEmpty)
        try QemuStatusIndex.remove(stateDir: f.stateDir)
        #expect(!FileManager.default.fileExists(atPath: f.indexPath))
        try QemuStatusIndex.remove(stateDir: f.stateDir)
        #expect(QemuStatusIndex.load(stateDir: f.stateDir).isEmpty)
    }

    @Test func anInstanceWithTheDriversOwnElementsIsNotCached() throws {
        let f = try Fixture("idxextra", extra: [XMLElement("migration", attributes: [XMLAttribute("role", "incoming")])])
        defer { #expect(f.root.cleanup() == []) }
        let entry = try f.entry()
        #expect(!QemuStatusIndex.isCacheable(entry.header))
        try QemuStatusIndex.save([entry], stateDir: f.stateDir)
        #expect(QemuStatusIndex.load(stateDir: f.stateDir).isEmpty)
        #expect(try String(contentsOfFile: f.indexPath, encoding: .utf8) == "lmstatusindex 1\n")
    }
}
