import Foundation
import Testing
import TestSupport
import libvirt_abi
@testable import qemu_capabilities

/// The capabilities cache against the two real QEMUs: what each offers,
/// pinned machine names, the cache file, and a binary replaced on disk.
@Suite(.serialized) struct QemuCapsCacheTests {
    @Test func eachQemuResolvesItsAliasesToItsOwnVersionedMachines() throws {
        let cache = QemuCapsCache(directory: nil)
        let old = try cache.lookup(Emulators.qemu72)
        #expect(old.version.major == 7 && old.version.minor == 2)
        #expect(old.version.package.hasPrefix("Debian 1:7.2"))
        #expect(old.canonicalMachine("pc") == "pc-i440fx-7.2")
        #expect(old.canonicalMachine("q35") == "pc-q35-7.2")
        #expect(old.canonicalMachine("pc-i440fx-6.2") == "pc-i440fx-6.2")
        #expect(old.preferredMachine == "pc-i440fx-7.2")
        #expect(!old.supportsMachine("pc-i440fx-10.0"))

        let new = try cache.lookup(Emulators.qemu100)
        #expect(new.version.description == "10.0.2")
        #expect(new.canonicalMachine("pc") == "pc-i440fx-10.0")
        #expect(new.canonicalMachine("q35") == "pc-q35-10.0")
        #expect(new.supportsMachine("pc-i440fx-7.2"), "10.0 still runs 7.2's machine types")
    }

    @Test func aSecondProcessReadsTheCacheFileAndAReplacedBinaryIsProbedAgain() throws {
        let root = TestRoot("caps")
        defer { #expect(root.cleanup() == []) }
        let emulator = try Emulators.replaceablePath(in: root.path)
        try Emulators.install(Emulators.qemu72, at: emulator)
        let first = try QemuCapsCache(directory: root.path).lookup(emulator)
        #expect(first.version.major == 7)
        let file = try #require(QemuCapsCache(directory: root.path).file(for: emulator))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(QemuCaps.parseCache(text, url: file) == first)

        // A marker only the file holds: a new cache (a new virsh) that
        // answers with it read the file instead of starting QEMU.
        try text.replacingOccurrences(of: "package='Debian", with: "package='cached Debian")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let again = try QemuCapsCache(directory: root.path).lookup(emulator)
        #expect(again.version.package.hasPrefix("cached Debian"))

        // `apt-get upgrade`: another file at the same path.
        try Emulators.install(Emulators.qemu100, at: emulator)
        let upgraded = try QemuCapsCache(directory: root.path).lookup(emulator)
        #expect(upgraded.version.major == 10)
        #expect(upgraded.identity != first.identity)
        #expect(upgraded.canonicalMachine("pc") == "pc-i440fx-10.0")

        // A damaged file is a miss, not an error.
        try "<qemuCaps format='1'><emulator".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try QemuCapsCache(directory: root.path).lookup(emulator).version.major == 10)
    }

    @Test func aMissingOrNonExecutableEmulatorIsRefusedWithLibvirtsMessages() throws {
        let root = TestRoot("capsbad")
        defer { #expect(root.cleanup() == []) }
        let cache = QemuCapsCache(directory: root.path)
        let missing = root.path + "/nowhere"
        #expect(throws: VirError.self) { try cache.lookup(missing) }
        do { _ = try cache.lookup(missing) } catch {
            #expect(error.message.hasPrefix("Cannot check QEMU binary \(missing): No such file or directory"))
        }
        let plain = root.path + "/plain"
        #expect(FileManager.default.createFile(atPath: plain, contents: Data("x".utf8)))
        do { _ = try cache.lookup(plain) } catch {
            #expect(error.message.hasPrefix("QEMU binary \(plain) is not executable"))
        }
        let notQemu = root.path + "/true"
        try Emulators.install("/bin/true", at: notQemu)
        do {
            _ = try cache.lookup(notQemu)
            Issue.record("/bin/true probed as a QEMU")
        } catch {
            #expect(error.message == "internal error: Failed to start QEMU binary \(notQemu) for probing: exit status 0 before answering query-version and query-machines")
        }
    }
}
