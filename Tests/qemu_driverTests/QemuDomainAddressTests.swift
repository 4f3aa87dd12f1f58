import Testing
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_monitor

/// PCI addresses as libvirt 9.0's qemuDomainAssignAddresses gives them,
/// checked against libvirt's own expected output
/// (tests/qemuxml2xmloutdata/*.xml of the 9.0 source).
@Suite struct QemuDomainAddressTests {
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

    static func assigned(_ devices: String, machine: String = "pc-i440fx-7.2") throws -> DomainDef {
        var d = try def(devices, machine: machine)
        try QemuDomainAddress.assign(&d)
        return d
    }

    static func slot(_ a: DomainDeviceAddress?) -> UInt32? { a?.pci?.slot }

    static let nic = "<interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>"
    static let vda = "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/></disk>"
    static let vdb = "<disk type='file' device='disk'><source file='/b.img'/><target dev='vdb'/></disk>"
    static let hda = "<disk type='file' device='disk'><source file='/h.img'/><target dev='hda' bus='ide'/></disk>"
    static let balloon = "<memballoon model='virtio'/>"

    /// net-virtio.xml: the NIC at 0x02 (no video: slot 2 is not kept for
    /// one), the primary IDE controller at 1.1.
    @Test func netVirtioAsLibvirtLaysItOut() throws {
        let d = try Self.assigned(Self.hda + "<controller type='ide' index='0'/>" + Self.nic + "<memballoon model='none'/>")
        #expect(d.interfaces[0].address == .pci(PCIDeviceAddress(slot: 2)))
        #expect(d.controllers[0].address == .pci(PCIDeviceAddress(slot: 1, function: 1)))
        #expect(d.disks[0].address == nil, "an IDE disk has no PCI address")
        #expect(d.memballoon?.address == nil)
        #expect(d.format().contains("<controller type='ide' index='0'>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x1'/>\n    </controller>"))
    }

    /// disk-virtio.xml (vda 0x02, vdb 0x03) and balloon-device-auto.xml
    /// (the balloon at 0x02); together, libvirt's order: interfaces, then
    /// virtio disks, then the balloon, whatever the XML's order.
    @Test func libvirtsOrderNetsThenDisksThenBalloon() throws {
        let disks = try Self.assigned(Self.hda + Self.vda + Self.vdb)
        #expect(disks.disks.map { Self.slot($0.address) } == [nil, 2, 3])
        #expect(Self.slot(try Self.assigned(Self.balloon).memballoon?.address) == 2)

        let d = try Self.assigned(Self.balloon + Self.vda + Self.nic + Self.vdb
                                  + "<interface type='user'><mac address='52:54:00:12:34:57'/><model type='e1000'/></interface>")
        #expect(d.interfaces.map { Self.slot($0.address) } == [2, 3])
        #expect(d.disks.map { Self.slot($0.address) } == [4, 5])
        #expect(Self.slot(d.memballoon?.address) == 6)
        // Assigning again changes nothing.
        var again = d
        try QemuDomainAddress.assign(&again)
        #expect(again == d)
    }

    @Test func addressesFromTheXMLAreKeptAndSkipped() throws {
        let d = try Self.assigned(Self.vda.replacingOccurrences(of: "</disk>", with: "<address type='pci' slot='0x02'/></disk>")
                                  + Self.nic + Self.vdb)
        #expect(d.disks.map { Self.slot($0.address) } == [2, 4])
        #expect(Self.slot(d.interfaces[0].address) == 3)
        // A slot that another device's function shares gets multifunction.
        let m = try Self.assigned(Self.nic.replacingOccurrences(of: "</interface>", with: "<address type='pci' slot='5'/></interface>")
                                  + Self.vda.replacingOccurrences(of: "</disk>", with: "<address type='pci' slot='5' function='1'/></disk>"))
        #expect(m.interfaces[0].address == .pci(PCIDeviceAddress(slot: 5, multifunction: true)))
    }

    @Test(arguments: [
        ("<address type='pci' slot='0x03'/>", "<address type='pci' slot='0x03'/>", "XML error: Attempted double use of PCI Address 0000:00:03.0"),
        ("<address type='pci' slot='0x01'/>", "", "XML error: Attempted double use of PCI Address 0000:00:01.0"),
        ("<address type='pci' bus='1' slot='0x03'/>", "", "XML error: Invalid PCI address 0000:01:03.0. Only PCI buses up to 0 are available"),
        ("<address type='pci' domain='1' slot='0x03'/>", "", "XML error: Invalid PCI address 0001:00:03.0. Only PCI domain 0 is available"),
    ])
    func badAddressesAreRefusedWithLibvirtsMessage(_ nicAddress: String, _ diskAddress: String, _ message: String) throws {
        let error = #expect(throws: VirError.self) {
            try Self.assigned(Self.nic.replacingOccurrences(of: "</interface>", with: nicAddress + "</interface>")
                              + Self.vda.replacingOccurrences(of: "</disk>", with: diskAddress + "</disk>"))
        }
        #expect(error?.message == message)
    }

    @Test func chipsetFunctionsAreFixed() throws {
        let ide = #expect(throws: VirError.self) {
            try Self.assigned("<controller type='ide' index='0'><address type='pci' slot='3'/></controller>")
        }
        #expect(ide?.message == "internal error: Primary IDE controller must have PCI address 0:0:1.1")
        let virtioDiskOnDrive = #expect(throws: VirError.self) {
            try Self.assigned(Self.vda.replacingOccurrences(of: "</disk>", with: "<address type='drive' controller='0' bus='0' unit='0'/></disk>"))
        }
        #expect(virtioDiskOnDrive?.message == "unsupported configuration: virtio disk cannot have an address of type 'drive'")
        // q35: the ICH9 SATA controller is at 1f.2.
        let q35 = try Self.assigned("<controller type='sata' index='0'/>", machine: "pc-q35-7.2")
        #expect(q35.controllers[0].address == .pci(PCIDeviceAddress(slot: 0x1f, function: 2)))
    }

    /// What Debian's libvirt 9.0 gives this q35 guest (its virsh, embedded
    /// driver): a pcie-root-port per PCI Express device, in libvirt's
    /// order, plus a spare; the ports share slot 1 of pcie-root.
    @Test func q35DevicesGetARootPortEach() throws {
        let d = try Self.assigned("<disk type='file' device='disk'><source file='/s.img'/><target dev='sda' bus='sata'/></disk>"
                                  + Self.vdb + Self.nic
                                  + "<interface type='user'><mac address='52:54:00:12:34:57'/><model type='e1000e'/></interface>"
                                  + "<controller type='usb' model='none'/>" + Self.balloon, machine: "pc-q35-7.2")
        #expect(d.interfaces.map(\.address) == [.pci(PCIDeviceAddress(bus: 1, slot: 0)), .pci(PCIDeviceAddress(bus: 2, slot: 0))])
        #expect(d.disks[1].address == .pci(PCIDeviceAddress(bus: 3, slot: 0)))
        #expect(d.memballoon?.address == .pci(PCIDeviceAddress(bus: 4, slot: 0)))
        let ports = d.controllers.filter { $0.model == "pcie-root-port" }
        #expect(ports.map(\.index) == [1, 2, 3, 4, 5])
        #expect(ports.map(\.address) == (0...4).map { .pci(PCIDeviceAddress(slot: 1, function: UInt32($0), multifunction: $0 == 0 ? true : nil)) })
        #expect(ports.map(\.targetPort) == [8, 9, 10, 11, 12] && ports.map(\.targetChassis) == [1, 2, 3, 4, 5])
        #expect(d.format().contains("""
                <controller type='pci' index='1' model='pcie-root-port'>
                  <model name='pcie-root-port'/>
                  <target chassis='1' port='0x8'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0' multifunction='on'/>
                </controller>
            """))
        // Assigning again changes nothing: no port is added twice.
        var again = d
        try QemuDomainAddress.assign(&again)
        #expect(again == d)
        // With root ports of its own in the XML, libvirt adds no spare.
        let own = try Self.assigned("<controller type='pci' index='1' model='pcie-root-port'/>" + Self.nic + Self.vda, machine: "pc-q35-7.2")
        #expect(own.controllers.filter { $0.model == "pcie-root-port" }.count == 2)
        #expect(own.disks[0].address == .pci(PCIDeviceAddress(bus: 2, slot: 0)))
    }

    /// No pcie-to-pci-bridge: a conventional PCI device on q35 needs an
    /// address from the XML.
    @Test func q35ConventionalPCIDevicesNeedAnAddress() throws {
        let e1000 = "<interface type='user'><mac address='52:54:00:12:34:56'/><model type='e1000'/></interface>"
        let error = #expect(throws: VirError.self) { try Self.assigned(e1000, machine: "pc-q35-7.2") }
        #expect(error?.code == .configUnsupported)
        #expect(error?.message.hasPrefix("unsupported configuration: interface with MAC 52:54:00:12:34:56 (model 'e1000') is a conventional PCI device: on a q35 machine libvirt plugs it into a pcie-to-pci-bridge, which this driver does not support") == true)
        let given = try Self.assigned(e1000.replacingOccurrences(of: "</interface>", with: "<address type='pci' slot='2'/></interface>"),
                                      machine: "pc-q35-7.2")
        #expect(Self.slot(given.interfaces[0].address) == 2)
        let ich9 = #expect(throws: VirError.self) {
            try Self.assigned(Self.nic.replacingOccurrences(of: "</interface>", with: "<address type='pci' slot='0x1f' function='3'/></interface>"),
                              machine: "pc-q35-7.2")
        }
        #expect(ich9?.message == "XML error: Attempted double use of PCI Address 0000:00:1f.3")
    }

    @Test func whereQemuPlacedThemIsAdoptedAllOrNothing() throws {
        let pci = [QemuMonitorPCIDevice(bus: 0, slot: 0, function: 0, qdevID: "", vendorID: 0x8086, deviceID: 0x1237),
                   QemuMonitorPCIDevice(bus: 0, slot: 2, function: 0, qdevID: "virtio-disk0", vendorID: 0x1af4, deviceID: 0x1001),
                   QemuMonitorPCIDevice(bus: 0, slot: 3, function: 0, qdevID: "net0", vendorID: 0x1af4, deviceID: 0x1000)]
        var d = try Self.def(Self.vda + Self.nic)
        #expect(QemuDomainAddress.adopt(&d, placements: pci))
        #expect(Self.slot(d.disks[0].address) == 2 && Self.slot(d.interfaces[0].address) == 3)
        #expect(!QemuDomainAddress.placedByQemu(d))
        var missing = try Self.def(Self.vda + Self.nic + Self.balloon)
        let before = missing
        #expect(!QemuDomainAddress.adopt(&missing, placements: pci), "QEMU lists no balloon0")
        #expect(missing == before)
    }

    @Test func aGuestWhoseQemuPlacedItsDevices() throws {
        #expect(QemuDomainAddress.placedByQemu(try Self.def(Self.nic)))
        #expect(!QemuDomainAddress.placedByQemu(try Self.assigned(Self.nic + Self.vda + Self.balloon)))
        #expect(!QemuDomainAddress.placedByQemu(try Self.def(Self.hda + "<memballoon model='none'/>")))
    }
}
