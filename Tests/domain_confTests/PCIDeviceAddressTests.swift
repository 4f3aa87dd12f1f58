import Testing
import domain_conf
import libvirt_abi

/// `<address type='pci'>` as libvirt 9.0 parses, checks and formats it
/// (src/conf/device_conf.c, src/util/virpci.c).
@Suite struct PCIDeviceAddressTests {
    static func def(_ devices: String, machine: String = "pc-i440fx-7.2") throws -> DomainDef {
        try DomainDef.parse("""
            <domain type='qemu'>
              <name>pci</name>
              <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
              <memory unit='MiB'>16</memory>
              <os><type arch='x86_64' machine='\(machine)'>hvm</type></os>
              <devices>\(devices)</devices>
            </domain>
            """)
    }

    static let nic = "<interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/>ADDR</interface>"

    static func nicDef(_ address: String) throws -> DomainDef {
        try def(nic.replacingOccurrences(of: "ADDR", with: address))
    }

    @Test func parsedInAnyBaseAndFormattedInLibvirtsLayout() throws {
        for written in ["<address type='pci' domain='0' bus='0' slot='3' function='0'/>",
                        "<address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>",
                        "<address type='pci' slot='03'/>"] {
            let d = try Self.nicDef(written)
            #expect(d.interfaces[0].address == .pci(PCIDeviceAddress(slot: 3)))
            #expect(d.format().contains("""
                      <model type='virtio'/>
                      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
                    </interface>
                """), "\(d.format())")
        }
        // strtoul's base 0: a leading 0 is octal.
        #expect(try Self.nicDef("<address type='pci' slot='010'/>").interfaces[0].address?.pci?.slot == 8)
        let multi = try Self.nicDef("<address type='pci' domain='0x0000' bus='0x00' slot='0x1f' function='0x7' multifunction='on'/>")
        #expect(multi.format().contains("<address type='pci' domain='0x0000' bus='0x00' slot='0x1f' function='0x7' multifunction='on'/>"))
        #expect(multi.interfaces[0].address?.pci?.description == "0000:00:1f.7")
        // An empty PCI address asks for one and is written back as it was.
        let empty = try Self.nicDef("<address type='pci'/>")
        #expect(empty.interfaces[0].address == .pci(PCIDeviceAddress(slot: 0)))
        #expect(empty.interfaces[0].address?.pci == nil)
        #expect(empty.format().contains("<address type='pci'/>"))
        // No domain, bus or slot is empty whatever the function (libvirt
        // checks a non-empty address only).
        #expect(try Self.nicDef("<address type='pci' function='1'/>").interfaces[0].address?.pci == nil)
    }

    @Test(arguments: [
        ("<address type='pci' slot='0x20'/>", "XML error: Invalid PCI address slot='0x20', must be <= 0x1F"),
        ("<address type='pci' bus='256' slot='1'/>", "XML error: Invalid PCI address bus='0x100', must be <= 0xFF"),
        ("<address type='pci' slot='1' function='8'/>", "XML error: Invalid PCI address function=0x8, must be <= 7"),
        ("<address type='pci' slot='x'/>", "XML error: Invalid value for attribute 'slot' in element 'address': 'x'. Expected non-negative integer value"),
        ("<address type='pci' slot='-1'/>", "XML error: Invalid value for attribute 'slot' in element 'address': '-1'. Expected non-negative integer value"),
        ("<address type='pci' slot='1' multifunction='yes'/>", "XML error: Invalid value for attribute 'multifunction' in element 'address': 'yes'."),
        ("<address slot='1'/>", "internal error: No type specified for device address"),
        ("<address type='pcie' slot='1'/>", "unsupported configuration: unknown address type 'pcie'"),
    ])
    func invalidAddressesGetLibvirtsMessage(_ address: String, _ message: String) throws {
        let error = #expect(throws: VirError.self) { try Self.nicDef(address) }
        #expect(error?.message == message)
    }

    @Test func everyPCIDeviceKindCarriesItsAddress() throws {
        let d = try Self.def("""
            <disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/>\
            <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></disk>
            <disk type='file' device='disk'><source file='/b.img'/><target dev='hda' bus='ide'/>\
            <address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>
            <controller type='ide' index='0'><address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x1'/></controller>
            <memballoon model='virtio'><address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/></memballoon>
            """)
        #expect(d.disks[0].address?.pci == PCIDeviceAddress(slot: 4))
        #expect(d.disks[1].address == .other(type: "drive"))
        #expect(d.controllers.count == 1)
        #expect(d.controllers[0].type == .ide && d.controllers[0].address?.pci == PCIDeviceAddress(slot: 1, function: 1))
        #expect(d.memballoon?.address?.pci == PCIDeviceAddress(slot: 5))
        let out = d.format()
        #expect(out.contains("<address type='drive' controller='0' bus='0' target='0' unit='0'/>"))
        #expect(out.contains("<memballoon model='virtio'>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>\n    </memballoon>"))
        #expect(try DomainDef.parse(out) == d)
    }
}
