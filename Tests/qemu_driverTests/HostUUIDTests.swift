import libvirt_abi
import Foundation
import Testing
import TestSupport
import domain_conf
import qemu_domain

/// The host UUID, in libvirt's order of sources.
@Suite struct HostUUIDTests {
    let root = TestRoot("hostuuid")

    func file(_ name: String, _ text: String) throws -> String {
        let path = root.path + "/" + name
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    @Test func configuredThenDMIThenMachineIDThenKept() throws {
        defer { #expect(root.cleanup() == []) }
        let none = root.path + "/none"
        let state = root.path + "/host-uuid"
        let conf = try file("qemu.conf", "# a comment\nhost_uuid = \"8b3f4dc4-6a8e-5f9b-94a5-4c35babd8d95\"\n")
        let dmi = try file("dmi", "4A802F00-4CBA-5DF6-9679-A08C4C5B577F\n")
        let machineID = try file("machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n")
        #expect(try HostUUID.read(configFile: conf, stateFile: state, dmiPaths: [dmi], machineIDPath: machineID).description
                == "8b3f4dc4-6a8e-5f9b-94a5-4c35babd8d95")
        #expect(try HostUUID.read(configFile: none, stateFile: state, dmiPaths: [dmi], machineIDPath: machineID).description
                == "4a802f00-4cba-5df6-9679-a08c4c5b577f")
        #expect(try HostUUID.read(configFile: none, stateFile: state, dmiPaths: [none], machineIDPath: machineID).description
                == "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4")
        // An SMBIOS UUID of all-equal digits is no UUID (libvirt: virUUIDIsValid).
        let zeros = try file("zeros", "00000000-0000-0000-0000-000000000000\n")
        #expect(try HostUUID.read(configFile: none, stateFile: state, dmiPaths: [zeros], machineIDPath: machineID).description
                == "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4")
        // Nothing at all: one is generated, kept, and read back.
        let generated = try HostUUID.read(configFile: none, stateFile: state, dmiPaths: [none], machineIDPath: none)
        #expect(try HostUUID.read(configFile: none, stateFile: state, dmiPaths: [none], machineIDPath: none) == generated)
        let bad = try file("bad.conf", "host_uuid = \"nope\"\n")
        #expect(throws: VirError.self) { try HostUUID.read(configFile: bad, stateFile: state) }
    }
}
