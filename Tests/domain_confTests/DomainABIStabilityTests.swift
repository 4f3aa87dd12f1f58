import Testing
import domain_conf
import libvirt_abi

/// What a migration's destination XML may not change, with libvirt's
/// messages (virDomainDefCheckABIStabilityFlags).
@Suite struct DomainABIStabilityTests {
    static let xml = """
        <domain type='qemu'>
          <name>abi</name>
          <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
          <memory unit='MiB'>32</memory>
          <vcpu current='1'>2</vcpu>
          <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>
          <features><acpi/><apic/></features>
          <cpu mode='custom'><model>qemu64</model><feature policy='require' name='x2apic'/></cpu>
          <clock offset='utc'><timer name='rtc' tickpolicy='catchup'/><timer name='pit' tickpolicy='delay'/></clock>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/>
              <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/></disk>
            <controller type='ide' index='0'><address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x1'/></controller>
            <interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/>
              <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/></interface>
            <serial type='pty'><target port='0'/></serial>
            <console type='pty'><target type='serial' port='0'/></console>
            <memballoon model='virtio'><address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></memballoon>
          </devices>
        </domain>
        """

    static func refusal(_ edit: (inout String) -> Void) throws -> String? {
        let src = try DomainDef.parse(xml)
        var text = xml
        edit(&text)
        let dst = try DomainDef.parse(text)
        return (#expect(throws: VirError.self) { try DomainABIStability.check(source: src, destination: dst) })?.message
    }

    static func replacing(_ a: String, _ b: String) -> (inout String) -> Void {
        { (text: inout String) in
            #expect(text.contains(a))
            text = text.replacingOccurrences(of: a, with: b)
        }
    }

    @Test func anotherEmulatorIsNoABIChange() throws {
        let src = try DomainDef.parse(Self.xml)
        var dst = src
        dst.emulator = "/opt/qemu-10.0/bin/qemu-system-x86_64"
        try DomainABIStability.check(source: src, destination: dst)
    }

    @Test(arguments: [
        // Every device's address.
        ("slot='0x03'", "slot='0x05'", "Target device PCI address 0000:00:05.0does not match source 0000:00:03.0"),
        ("slot='0x02' function='0x0'/></interface>", "slot='0x06' function='0x0'/></interface>", "Target device PCI address 0000:00:06.0does not match source 0000:00:02.0"),
        ("slot='0x04'", "slot='0x07'", "Target device PCI address 0000:00:07.0does not match source 0000:00:04.0"),
        ("<address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></memballoon>", "</memballoon>", "Target device address type none does not match source pci"),
        ("function='0x1'", "function='0x2'", "Target device PCI address 0000:00:01.2does not match source 0000:00:01.1"),
        // Models.
        ("<memballoon model='virtio'>", "<memballoon model='virtio-non-transitional'>", "Target balloon model virtio-non-transitional does not match source virtio"),
        ("<model type='virtio'/>", "<model type='e1000'/>", "Target network card model e1000 does not match source virtio"),
        ("<controller type='ide' index='0'>", "<controller type='ide' index='1'>", "Target controller index 1 does not match source 0"),
        ("<target dev='vda' bus='virtio'/>", "<target dev='vda' bus='sata'/>", "Target disk bus sata does not match source virtio"),
        // Memory, vCPUs, machine.
        ("<memory unit='MiB'>32</memory>", "<memory unit='MiB'>64</memory>", "Target domain max memory 65536 does not match source 32768"),
        ("<vcpu current='1'>2</vcpu>", "<vcpu current='1'>3</vcpu>", "Target domain vCPU max 3 does not match source 2"),
        ("<vcpu current='1'>2</vcpu>", "<vcpu>2</vcpu>", "State of vCPU '1' differs between source and destination definitions"),
        ("machine='pc-i440fx-7.2'", "machine='pc-i440fx-10.0'", "Target domain machine type pc-i440fx-10.0 does not match source pc-i440fx-7.2"),
        // <features>, CPU, timers.
        ("<features><acpi/><apic/></features>", "<features><acpi/></features>", "State of feature 'apic' differs: source: 'on,eoi=absent', destination: 'absent,eoi=absent'"),
        ("<features><acpi/><apic/></features>", "<features><acpi/><apic/><vmport state='off'/></features>", "State of feature 'vmport' differs: source: 'absent', destination: 'off'"),
        ("<model>qemu64</model>", "<model>Haswell</model>", "Target CPU model Haswell does not match source qemu64"),
        ("<feature policy='require' name='x2apic'/>", "<feature policy='disable' name='x2apic'/>", "Target CPU feature policy disable does not match source require"),
        ("<feature policy='require' name='x2apic'/>", "", "Target CPU feature count 0 does not match source 1"),
        ("<timer name='pit' tickpolicy='delay'/>", "", "Target domain timers do not match source"),
        ("<timer name='pit' tickpolicy='delay'/>", "<timer name='hpet' present='no'/>", "Target timer hpet does not match source pit"),
        ("<timer name='pit' tickpolicy='delay'/>", "<timer name='pit' present='no'/>", "Target timer presence 'no' does not match source 'absent'"),
        // Devices only kept as XML, by count.
        ("<serial type='pty'>", "<input type='mouse' bus='ps2'/><serial type='pty'>", "Target domain input device count 1 does not match source 0"),
    ])
    func changesAreRefusedWithLibvirtsMessage(_ from: String, _ to: String, _ message: String) throws {
        #expect(try Self.refusal(Self.replacing(from, to)) == "unsupported configuration: " + message)
    }
}
