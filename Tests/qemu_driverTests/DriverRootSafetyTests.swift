import Foundation
import Glibc
import Testing
import TestSupport
import libvirt_abi
import qemu_driver

/// A driver root is checked before the driver opens anything in it: its
/// directories must be real directories of the driver's user that nobody
/// else can write to, a directory above it that everyone can write to must
/// be sticky, and the lock (like the logs) is not opened through a symbolic link.
@Suite(.serialized) struct DriverRootSafetyTests {
    func openError(_ root: TestRoot) async -> String? {
        do {
            let d = try await QemuDriver.open(uri: root.uri)
            d.close()
            return nil
        } catch {
            return error.message
        }
    }

    @Test func aRootUnderStickyTmpIsFineAndItsDirectoriesArePrivate() async throws {
        let root = TestRoot("safe-ok")
        defer { #expect(root.cleanup() == []) }
        #expect(await openError(root) == nil)
        var st = stat()
        for dir in ["", "/run", "/run/qemu", "/lib/qemu", "/log/qemu"] {
            #expect(lstat(root.path + dir, &st) == 0)
            #expect(st.st_mode & 0o022 == 0, "\(dir)")
        }
    }

    @Test func aRootOthersCanWriteToIsRefused() async throws {
        let root = TestRoot("safe-w")
        defer { #expect(root.cleanup() == []) }
        chmod(root.path, 0o777)
        #expect(await openError(root) == "operation failed: cannot use directory '\(root.path)': it is writable by other users (mode 777)")
        chmod(root.path, 0o700)
        try FileManager.default.createDirectory(atPath: root.path + "/run", withIntermediateDirectories: true)
        chmod(root.path + "/run", 0o775)
        #expect(await openError(root) == "operation failed: cannot use directory '\(root.path)/run': it is writable by other users (mode 775)")
    }

    @Test func aRootDirectoryThatIsASymbolicLinkOrAnotherUsersIsRefused() async throws {
        let root = TestRoot("safe-ln")
        defer { #expect(root.cleanup() == []) }
        let elsewhere = TestRoot("safe-el")
        defer { #expect(elsewhere.cleanup() == []) }
        try FileManager.default.createDirectory(atPath: root.path + "/run", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.path + "/run/qemu", withDestinationPath: elsewhere.path)
        #expect(await openError(root) == "operation failed: cannot use directory '\(root.path)/run/qemu': it is a symbolic link")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        unlink(root.path + "/run/qemu")
        chown(root.path + "/run", 65534, 65534)
        #expect(await openError(root) == "operation failed: cannot use directory '\(root.path)/run': it is owned by uid 65534, not \(geteuid())")
    }

    @Test func aParentEveryoneCanWriteToMustBeSticky() async throws {
        let parent = TestRoot("safe-par")
        defer { #expect(parent.cleanup() == []) }
        chmod(parent.path, 0o777)
        let path = parent.path + "/root"
        let root = TestRoot(existing: path)
        #expect(await openError(root) == "operation failed: cannot use directory '\(path)': '\(parent.path)' is writable by every user and not sticky")
        chmod(parent.path, 0o1777)
        #expect(await openError(root) == nil)
        chmod(parent.path, 0o700)
    }

    @Test func theLockIsNotOpenedThroughASymbolicLink() async throws {
        let root = TestRoot("safe-lk")
        defer { #expect(root.cleanup() == []) }
        #expect(await openError(root) == nil)
        let victim = root.path + "/victim"
        try "keep\n".write(toFile: victim, atomically: false, encoding: .utf8)
        unlink(root.path + "/run/qemu/driver.lock")
        try FileManager.default.createSymbolicLink(atPath: root.path + "/run/qemu/driver.lock", withDestinationPath: victim)
        #expect(await openError(root) == "Failed to open pid file '\(root.path)/run/qemu/driver.lock': Too many levels of symbolic links")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep\n")
    }
}
