import Foundation
import Glibc
import Testing
import TestSupport
import virutil

/// The owner of a file given to QEMU, remembered as libvirt remembers it:
/// the first holder records it, the last one restores it, and a record
/// that is not this boot's is dropped.
@Suite(.serialized) struct VirSecurityLabelTests {
    static func owner(_ path: String) -> (uid_t, gid_t)? {
        var st = stat()
        return stat(path, &st) == 0 ? (st.st_uid, st.st_gid) : nil
    }

    static func file(_ root: TestRoot) throws -> String {
        let path = root.path + "/image"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(count: 4096)))
        #expect(chown(path, 65534, 65534) == 0)
        return path
    }

    @Test func theLastHolderRestoresTheOwner() throws {
        let root = TestRoot("label")
        defer { #expect(root.cleanup() == []) }
        let path = try Self.file(root)
        #expect(try VirSecurityLabel.set(path, uid: 64055, gid: 107) == .remembered)
        #expect(Self.owner(path)! == (64055, 107))
        #expect(try VirSecurityLabel.set(path, uid: 64055, gid: 107) == .shared(holders: 2))
        #expect(try VirSecurityLabel.restore(path) == nil)
        #expect(Self.owner(path)! == (64055, 107), "one holder left")
        #expect(VirSecurityLabel.holders(path) == 1)
        let restored = try VirSecurityLabel.restore(path)
        #expect(restored?.uid == 65534 && restored?.gid == 65534)
        #expect(Self.owner(path)! == (65534, 65534))
        #expect(VirSecurityLabel.holders(path) == nil && VirSecurityLabel.rememberedOwner(path) == nil)
    }

    @Test func aRecordFromAnotherBootIsDropped() throws {
        let root = TestRoot("label-stale")
        defer { #expect(root.cleanup() == []) }
        let path = try Self.file(root)
        _ = try VirSecurityLabel.set(path, uid: 64055, gid: 107)
        _ = try VirSecurityLabel.set(path, uid: 64055, gid: 107)
        // As if the host had rebooted with two holders that died with it.
        let r = try Subprocess.run("/usr/bin/python3", ["-c", """
            import os, sys
            os.setxattr(sys.argv[1], 'trusted.libvirt.security.timestamp_dac', b'1')
            """, path])
        #expect(r.status == 0, "\(r.stderr)")
        // Not restored (its holders are gone): QEMU's owner stays, the record goes.
        #expect(try VirSecurityLabel.restore(path) == nil)
        #expect(VirSecurityLabel.holders(path) == nil)
        #expect(Self.owner(path)! == (64055, 107))
        // A new holder starts a new record, from the owner the file has now.
        #expect(try VirSecurityLabel.set(path, uid: 64055, gid: 107) == .remembered)
        #expect(VirSecurityLabel.rememberedOwner(path)! == (64055, 107))
        #expect(try VirSecurityLabel.restore(path)?.uid == 64055)
    }
}
