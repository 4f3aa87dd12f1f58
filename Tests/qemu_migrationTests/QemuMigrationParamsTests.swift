import Testing
import libvirt_abi
import qemu_domain
import qemu_migration

/// The typed parameters a local migration acts on, and the refusals of the rest.
@Suite struct QemuMigrationParamsTests {
    @Test func knownParameters() throws {
        let p = try QemuMigrationParams([
            TypedParameter(MigrateParam.destXML, .string("<domain/>")),
            TypedParameter(MigrateParam.destName, .string("vm")),
            TypedParameter(MigrateParam.bandwidth, .ullong(8)),
            TypedParameter(MigrateParam.uri, .string("unix:/run/m.sock")),
            TypedParameter(MigrateParam.downtime, .uint(50)),
        ])
        #expect(p.destXML == "<domain/>" && p.destName == "vm" && p.bandwidth == 8)
        #expect(p.migrateURI == "unix:/run/m.sock" && p.downtime == 50 && p.persistXML == nil)
    }

    @Test func unknownParametersAreRefusedByName() {
        let e = #expect(throws: VirError.self) {
            try QemuMigrationParams([TypedParameter(MigrateParam.listenAddress, .string("0.0.0.0"))])
        }
        #expect(e?.message == "argument unsupported: parameter 'listen_address' not supported")
    }

    @Test func badValuesAreRefused() {
        let uri = #expect(throws: VirError.self) {
            try QemuMigrationParams([TypedParameter(MigrateParam.uri, .string("rdma:host:1"))])
        }
        #expect(uri?.code == .argumentUnsupported)
        let zero = #expect(throws: VirError.self) {
            try QemuMigrationParams([TypedParameter(MigrateParam.bandwidth, .ullong(0))])
        }
        #expect(zero?.code == .overflow)
        let type = #expect(throws: VirError.self) {
            try QemuMigrationParams([TypedParameter(MigrateParam.destXML, .int(3))])
        }
        #expect(type?.message == "invalid argument: invalid type for parameter 'destination_xml', expected string")
    }
}
