import Testing
import domain_conf
import libvirt_abi

/// Drive addresses from target names, as libvirt gives them
/// (`virDiskNameToIndex`, `virDomainDiskDefAssignAddress` with the QEMU
/// driver's wide SCSI buses).
@Suite struct DomainDriveAddressTests {
    static func address(_ target: String, bus: String) throws -> String? {
        let xml = """
            <domain type='qemu'><name>d</name><memory>1024</memory><os><type>hvm</type></os><devices>
            <disk type='file' device='disk'><source file='/x.img'/><target dev='\(target)' bus='\(bus)'/></disk>
            </devices></domain>
            """
        var def = try DomainDef.parse(xml)
        try def.assignDriveAddresses()
        let a = def.disks.first?.node.child("address")
        return a.map { "\($0.attribute("controller") ?? ""):\($0.attribute("bus") ?? ""):\($0.attribute("target") ?? ""):\($0.attribute("unit") ?? "")" }
    }

    @Test func namesGiveLibvirtsPlaces() throws {
        #expect(DomainDef.diskNameIndex("hda") == 0)
        #expect(DomainDef.diskNameIndex("sdz") == 25)
        #expect(DomainDef.diskNameIndex("vdaa") == 26)
        #expect(DomainDef.diskNameIndex("sda1") == 0, "a partition number is ignored")
        #expect(DomainDef.diskNameIndex("sd") == nil)
        #expect(DomainDef.diskNameIndex("nvme0") == nil)

        #expect(try Self.address("hda", bus: "ide") == "0:0:0:0")
        #expect(try Self.address("hdc", bus: "ide") == "0:1:0:0")
        #expect(try Self.address("hdd", bus: "ide") == "0:1:0:1")
        #expect(try Self.address("hde", bus: "ide") == "1:0:0:0")
        #expect(try Self.address("sdb", bus: "sata") == "0:0:0:1")
        #expect(try Self.address("sdg", bus: "sata") == "1:0:0:0")
        #expect(try Self.address("sdg", bus: "scsi") == "0:0:0:6")
        #expect(try Self.address("sdh", bus: "scsi") == "0:0:0:8", "unit 7 is the controller's")
        #expect(try Self.address("sdp", bus: "scsi") == "1:0:0:0")
        #expect(try Self.address("fdb", bus: "fdc") == "0:0:0:1")
        #expect(try Self.address("vda", bus: "virtio") == nil, "virtio disks are PCI devices")
    }

    @Test func anAddressGivenIsKept() throws {
        var def = try DomainDef.parse("""
            <domain type='qemu'><name>d</name><memory>1024</memory><os><type>hvm</type></os><devices>
            <disk type='file' device='disk'><source file='/x.img'/><target dev='sda' bus='scsi'/>
            <address type='drive' controller='0' bus='0' target='0' unit='3'/></disk>
            </devices></domain>
            """)
        try def.assignDriveAddresses()
        #expect(def.disks.first?.node.child("address")?.attribute("unit") == "3")
    }
}
