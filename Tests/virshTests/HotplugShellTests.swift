import Foundation
import Glibc
import Testing
import TestSupport

/// Disks plugged into a running guest on the embedded driver, with our
/// virsh as a user types it: `attach-disk` (a virtio disk on the PCI bus, a
/// SCSI disk on the guest's virtio-scsi controller), the live XML with the
/// address each got, a local migration whose new QEMU has them at the same
/// places, `detach-disk`, `--config`, and the driver's refusals.
@Suite(.serialized) struct HotplugShellTests {
    init() throws {
        try #require(Virsh.ours != nil, "our virsh is not built")
    }

    /// The `<disk>` element of `target` in a domain XML, as text.
    static func diskElement(_ xml: String, _ target: String) -> String? {
        xml.components(separatedBy: "<disk ").dropFirst().map { "<disk " + ($0.components(separatedBy: "</disk>").first ?? "") }
            .first { $0.contains("<target dev='\(target)'") }
    }

    /// The slot QEMU reports for the device `id` on bus 0 (`query-pci`).
    static func pciSlot(_ g: LocalMigrationShellTests.Guest, id: String) -> Int? {
        let r = g.virsh("qemu-monitor-command", g.name, #"{"execute":"query-pci"}"#)
        guard let data = r.stdout.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let buses = obj["return"] as? [[String: Any]] else { return nil }
        for bus in buses {
            for device in bus["devices"] as? [[String: Any]] ?? [] where device["qdev_id"] as? String == id {
                return device["slot"] as? Int
            }
        }
        return nil
    }

    @Test func disksPluggedBeforeALocalMigrationAreThereAfterItAtTheSameAddress() throws {
        let g = try LocalMigrationShellTests.Guest(
            "hotplug", extraDevices: "<controller type='scsi' index='0' model='virtio-scsi'/>",
            // Without ACPI, pci.0 takes no hot-plug (as with libvirt).
            features: "<acpi/>")
        defer { #expect(g.root.cleanup() == []) }
        let vdb = g.root.path + "/vdb.img", sdb = g.root.path + "/sdb.img", vdc = g.root.path + "/vdc.img"
        for image in [vdb, sdb, vdc] {
            #expect(FileManager.default.createFile(atPath: image, contents: Data(count: 1 << 20)))
        }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        #expect(g.virsh("start", g.name).status == 0)
        #expect(g.counterAdvances())

        let a1 = g.virsh("attach-disk", g.name, vdb, "vdb", "--targetbus", "virtio")
        #expect(a1 == VirshResult(stdout: "Disk attached successfully\n\n", stderr: "", status: 0), "\(a1)")
        let a2 = g.virsh("attach-disk", g.name, sdb, "sdb", "--targetbus", "scsi", "--serial", "S1")
        #expect(a2.status == 0, "\(a2)")
        let live = g.virsh("dumpxml", g.name).stdout
        let vdbElement = try #require(Self.diskElement(live, "vdb"), "\(live)")
        #expect(vdbElement.contains("<source file='\(vdb)'/>") && vdbElement.contains("<address type='pci'"), "\(vdbElement)")
        #expect(Self.diskElement(live, "sdb")?.contains("<serial>S1</serial>") == true, "\(live)")
        #expect(Self.diskElement(g.virsh("dumpxml", "--inactive", g.name).stdout, "vdb") == nil, "a live change only")
        let slotBefore = try #require(Self.pciSlot(g, id: "virtio-disk1"), "QEMU has the disk on its PCI bus")
        #expect(vdbElement.contains(String(format: "slot='0x%02x'", slotBefore)), "\(vdbElement)")

        // Refusals, in libvirt's words.
        let again = g.virsh("attach-disk", g.name, vdc, "vdb")
        #expect(again.stderr == "error: Failed to attach disk\nerror: XML error: target 'vdb' duplicated for disk sources '\(vdb)' and '\(vdc)'\n",
                "\(again)")
        let ide = g.virsh("attach-disk", g.name, vdc, "hdb", "--targetbus", "ide")
        #expect(ide.stderr.hasSuffix("error: Operation not supported: disk bus 'ide' cannot be hotplugged.\n"), "\(ide)")
        let nic = g.root.path + "/nic.xml"
        try "<interface type='user'><model type='virtio'/></interface>".write(toFile: nic, atomically: true, encoding: .utf8)
        let n = g.virsh("attach-device", g.name, nic)
        #expect(n.stderr == "error: Failed to attach device from \(nic)\nerror: Operation not supported: live attach of device 'net' is not supported\n", "\(n)")
        let hda = g.virsh("detach-disk", g.name, "hda")
        #expect(hda.stderr.hasSuffix("error: Operation not supported: This type of disk cannot be hot unplugged\n"), "\(hda)")

        // The migration's destination is started with both disks, where
        // the source had them.
        let m = g.virsh("migrate", "--live", "--local", g.name, g.root.uri)
        #expect(m.status == 0, "\(m)")
        let moved = g.virsh("dumpxml", g.name).stdout
        #expect(Self.diskElement(moved, "vdb") == vdbElement, "\(moved)")
        #expect(Self.diskElement(moved, "sdb") != nil, "\(moved)")
        #expect(Self.pciSlot(g, id: "virtio-disk1") == slotBefore)
        #expect(g.counterAdvances())
        #expect(g.countersAreContinuous())

        // A SCSI disk leaves at once (QEMU unplugs it without the guest).
        let d = g.virsh("detach-disk", g.name, "sdb")
        #expect(d == VirshResult(stdout: "Disk detached successfully\n\n", stderr: "", status: 0), "\(d)")
        #expect(Self.diskElement(g.virsh("dumpxml", g.name).stdout, "sdb") == nil)
        let gone = g.virsh("detach-disk", g.name, "sdb")
        #expect(gone.stderr == "error: No disk found whose source path or target is sdb\n", "\(gone)")

        // --config changes the next boot's definition only.
        #expect(g.virsh("attach-disk", g.name, vdc, "vdc", "--config").status == 0)
        #expect(Self.diskElement(g.virsh("dumpxml", "--inactive", g.name).stdout, "vdc") != nil)
        #expect(Self.diskElement(g.virsh("dumpxml", g.name).stdout, "vdc") == nil)
        let dc = g.virsh("detach-disk", g.name, "vdc", "--config")
        #expect(dc.status == 0, "\(dc)")
        #expect(Self.diskElement(g.virsh("dumpxml", "--inactive", g.name).stdout, "vdc") == nil)

        #expect(g.virsh("destroy", g.name).status == 0)
        // Shut off: the live form is refused, the config one works.
        let off = g.virsh("attach-disk", g.name, vdc, "vdc", "--live")
        #expect(off.stderr.hasSuffix("error: Requested operation is not valid: domain is not running\n"), "\(off)")
        #expect(g.virsh("undefine", g.name).status == 0)
    }

    /// The vCPUs of a running QEMU (`query-cpus-fast`): index → QOM path.
    static func qemuVcpus(_ g: LocalMigrationShellTests.Guest) -> [Int: String] {
        let r = g.virsh("qemu-monitor-command", g.name, #"{"execute":"query-cpus-fast"}"#)
        guard let data = r.stdout.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cpus = obj["return"] as? [[String: Any]] else { return [:] }
        return Dictionary(cpus.compactMap { c in (c["cpu-index"] as? Int).map { ($0, c["qom-path"] as? String ?? "") } },
                          uniquingKeysWith: { a, _ in a })
    }

    /// vCPUs plugged into a running guest are in the live XML (`<vcpus>`,
    /// with the order they came in), so a local migration's new QEMU
    /// plugs the same ones before the guest's state comes in: without
    /// them QEMU would refuse the stream's CPU sections. The same for the
    /// upgrade, into QEMU 10.0.
    @Test func vcpusPluggedBeforeALocalMigrationAreThereAfterIt() throws {
        let g = try LocalMigrationShellTests.Guest("vcpumig", features: "<acpi/>", vcpu: "<vcpu current='1'>3</vcpu>")
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        #expect(g.virsh("start", g.name).status == 0)
        #expect(g.counterAdvances())
        #expect(Self.qemuVcpus(g).count == 1)
        let plugged = g.virsh("setvcpus", g.name, "3", "--live")
        #expect(plugged == VirshResult(stdout: "\n", stderr: "", status: 0), "\(plugged)")
        let expected = [0: "/machine/unattached/device[0]", 1: "/machine/peripheral/vcpu1", 2: "/machine/peripheral/vcpu2"]
        #expect(Self.qemuVcpus(g) == expected)
        let vcpus = DomainXMLVcpus.lines(g.virsh("dumpxml", g.name).stdout)
        #expect(vcpus == ["  <vcpu placement='static'>3</vcpu>", "  <vcpus>",
                          "    <vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>",
                          "    <vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>",
                          "    <vcpu id='2' enabled='yes' hotpluggable='yes' order='3'/>", "  </vcpus>"], "\(vcpus)")
        #expect(DomainXMLVcpus.lines(g.virsh("dumpxml", "--inactive", g.name).stdout)
                == ["  <vcpu placement='static' current='1'>3</vcpu>"], "a live change only")

        let before = g.qemus
        let m = g.virsh("migrate", "--live", "--local", g.name, g.root.uri)
        #expect(m.status == 0, "\(m)")
        #expect(g.qemus.count == 1 && g.qemus != before, "a new QEMU runs the guest")
        #expect(Self.qemuVcpus(g) == expected)
        #expect(DomainXMLVcpus.lines(g.virsh("dumpxml", g.name).stdout) == vcpus)
        #expect(g.virsh("vcpucount", g.name, "--live").stdout == "3\n\n")
        #expect(g.counterAdvances())
        #expect(g.countersAreContinuous())
        // And once more, from the QEMU that plugged them at its start.
        #expect(g.virsh("migrate", "--live", "--local", g.name, g.root.uri).status == 0)
        #expect(Self.qemuVcpus(g) == expected)
        #expect(g.counterAdvances())
        // The upgrade: QEMU 10.0 plugs them as well.
        let upgraded = g.virsh("dumpxml", "--migratable", g.name).stdout
            .replacingOccurrences(of: "<emulator>\(Emulators.qemu72)</emulator>", with: "<emulator>\(Emulators.qemu100)</emulator>")
        #expect(upgraded.contains(Emulators.qemu100))
        try upgraded.write(toFile: g.root.path + "/upgraded.xml", atomically: true, encoding: .utf8)
        let up = g.virsh("migrate", "--live", "--local", "--xml", g.root.path + "/upgraded.xml", g.name, g.root.uri)
        #expect(up.status == 0, "\(up)")
        #expect(g.virsh("dumpxml", g.name).stdout.contains("<emulator>\(Emulators.qemu100)</emulator>"))
        #expect(Self.qemuVcpus(g) == expected)
        #expect(DomainXMLVcpus.lines(g.virsh("dumpxml", g.name).stdout) == vcpus)
        #expect(g.counterAdvances())
        #expect(g.countersAreContinuous())
        #expect(g.virsh("destroy", g.name).status == 0)
        #expect(g.virsh("undefine", g.name).status == 0)
    }

    /// A CD-ROM's medium changed in a running guest is in the live XML, so
    /// a local migration's new QEMU opens the same medium in the drive
    /// (and an emptied drive stays empty).
    @Test func aChangedMediumIsKeptByALocalMigration() throws {
        let one = "/one.iso", two = "/two.iso"
        let g = try LocalMigrationShellTests.Guest("cdmig", extraDevices: "")
        defer { #expect(g.root.cleanup() == []) }
        for iso in [one, two] {
            #expect(FileManager.default.createFile(atPath: g.root.path + iso, contents: Data(count: 1 << 20)))
        }
        let cdrom = "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='\(g.root.path + one)'/>"
            + "<target dev='hdc' bus='ide'/><readonly/></disk>"
        let xml = try String(contentsOfFile: g.xmlFile, encoding: .utf8).replacingOccurrences(of: "</devices>", with: cdrom + "</devices>")
        try xml.write(toFile: g.xmlFile, atomically: true, encoding: .utf8)
        #expect(g.virsh("define", g.xmlFile).status == 0)
        #expect(g.virsh("start", g.name).status == 0)
        func medium() -> String? {
            let r = g.virsh("qemu-monitor-command", g.name, #"{"execute":"query-block"}"#)
            guard let data = r.stdout.data(using: .utf8), let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let devices = obj["return"] as? [[String: Any]],
                  let drive = devices.first(where: { $0["qdev"] as? String == "ide0-1-0" }) else { return "?" }
            return (drive["inserted"] as? [String: Any])?["file"] as? String
        }
        #expect(medium() == g.root.path + one)
        let c = g.virsh("change-media", g.name, "hdc", g.root.path + two)
        #expect(c.status == 0 && c.stdout == "Successfully updated media.\n", "\(c)")
        #expect(medium() == g.root.path + two)
        #expect(g.virsh("migrate", "--live", "--local", g.name, g.root.uri).status == 0)
        #expect(medium() == g.root.path + two, "the new QEMU has the medium the guest had")
        #expect(g.virsh("dumpxml", "--inactive", g.name).stdout.contains("<source file='\(g.root.path + one)'/>"), "a live change only")
        #expect(g.virsh("change-media", g.name, "hdc", "--eject").status == 0)
        #expect(g.virsh("migrate", "--live", "--local", g.name, g.root.uri).status == 0)
        #expect(medium() == nil, "empty after the second move too")
        #expect(g.counterAdvances())
        #expect(g.virsh("destroy", g.name).status == 0)
    }
}
