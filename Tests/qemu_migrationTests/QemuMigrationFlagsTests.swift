import Testing
import libvirt_abi
@testable import qemu_migration

/// One list says which migration flags a local migration takes; every other
/// flag libvirt knows is refused, with a reason.
struct QemuMigrationFlagsTests {
    @Test func everyKnownFlagIsEitherSupportedOrRefusedWithAReason() throws {
        let refused = QemuMigration.unsupportedFlagReasons.reduce(MigrateFlags()) { $0.union($1.0) }
        #expect(QemuMigration.supportedFlags.intersection(refused).isEmpty)
        #expect(QemuMigration.supportedFlags.union(refused) == MigrateFlags.known)
        try QemuMigration.checkFlags(QemuMigration.supportedFlags)
        for (flag, name, why) in QemuMigration.unsupportedFlagReasons {
            let error = #expect(throws: VirError.self) { try QemuMigration.checkFlags([.live, .local, flag]) }
            #expect(error?.code == .argumentUnsupported)
            #expect(error?.message == "argument unsupported: migration flag \(name) is not supported for local migration: \(why)")
        }
        let unknown = #expect(throws: VirError.self) { try QemuMigration.checkFlags(MigrateFlags(rawValue: 1 << 30)) }
        #expect(unknown?.message == "unsupported flags (0x40000000) in function qemuDomainMigrateBegin3Params")
    }
}
