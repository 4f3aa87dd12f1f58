import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_driver
import qemu_monitor

/// A stable guest layout across QEMU versions: PCI addresses assigned at
/// define time, kept in the XML and on the command line, so that QEMU 10.0
/// lays out a guest started on 7.2 exactly as 7.2 did.
@Suite(.serialized) struct PCILayoutTests {
    /// A virtio NIC, a second (virtio) disk and, with `memballoon: "virtio"`,
    /// the balloon: three PCI devices besides the chipset.
    static func devices(_ dir: String) throws -> String {
        let data = dir + "/data.img"
        try Data(count: 1 << 20).write(to: URL(fileURLWithPath: data))
        return """
            <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='\(data)'/><target dev='vdb' bus='virtio'/></disk>
            <interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>
            """
    }

    /// The expected layout (libvirt's order: interfaces, virtio disks, balloon).
    static let expected: [(String, UInt32)] = [("net0", 2), ("virtio-disk1", 3), ("balloon0", 4)]

    static func slots(_ def: DomainDef) -> [UInt32?] {
        [def.interfaces.first?.address?.pci?.slot, def.disks.last?.address?.pci?.slot, def.memballoon?.address?.pci?.slot]
    }

    /// `query-pci`: bus 0's devices as (slot.function, vendor:device, qdev id).
    static func queryPCI(_ f: MigrationFixture) async throws -> [String] {
        let instance = try #require(try f.obj.qemu.instance)
        let reply = try await instance.monitor().execute("query-pci")
        guard case .array(let buses)? = Optional(reply), case .array(let devices)? = buses.first?["devices"] else {
            Issue.record("query-pci: \(reply)")
            return []
        }
        return devices.map { d in
            let slot = d["slot"]?.intValue ?? -1, function = d["function"]?.intValue ?? -1
            let vendor = d["id"]?["vendor"]?.intValue ?? -1, device = d["id"]?["device"]?.intValue ?? -1
            return "\(slot).\(function) \(String(vendor, radix: 16)):\(String(device, radix: 16)) \(d["qdev_id"]?.stringValue ?? "")"
        }
    }

    /// The QEMU process's `-device` arguments.
    static func deviceArgs(_ f: MigrationFixture) throws -> [String] {
        let pid = try #require(f.qemuProcesses.first)
        let data = try #require(FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"))
        let argv = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return argv.indices.filter { argv[$0] == "-device" && $0 + 1 < argv.count }.map { argv[$0 + 1] }
    }

    @Test func defineAssignsAddressesThatDumpxmlShowsAndARestartKeeps() async throws {
        let root = TestRoot("pci-define")
        defer { #expect(root.cleanup() == []) }
        let disk = try CounterGuest.disk(in: root.path)
        let xml = CounterGuest.domainXML(name: "vm", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", disk: disk,
                                         serialLog: root.path + "/serial.log",
                                         extraDevices: try Self.devices(root.path), memballoon: "virtio")
        let conn = try await QemuDriver.connect(uri: root.uri)
        let dom = try conn.defineXML(xml, validate: true)
        let text = try conn.xmlDesc(dom, flags: .inactive)
        let def = try DomainDef.parse(text)
        #expect(Self.slots(def) == [2, 3, 4])
        #expect(text.contains("""
                  <model type='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
                </interface>
            """), "\(text)")
        #expect(def.disks.first?.address == .other(type: "drive"), "the IDE boot disk has no PCI address, a drive one")
        #expect(text.contains("<address type='drive' controller='0' bus='0' target='0' unit='0'/>"), "\(text)")
        // The file on disk has them too, and the schema takes them.
        let saved = try String(contentsOfFile: root.path + "/etc/qemu/vm.xml", encoding: .utf8)
        #expect(try DomainDef.parse(saved, validate: true) == def)
        conn.driver.close()

        // A new driver reads them back unchanged.
        let next = try await QemuDriver.connect(uri: root.uri)
        defer { next.driver.close() }
        #expect(try next.xmlDesc(try next.lookup(name: "vm"), flags: .inactive) == text)
        // Redefining without the addresses gives the same ones again.
        try next.defineXML(xml)
        #expect(Self.slots(try DomainDef.parse(try next.xmlDesc(try next.lookup(name: "vm"), flags: .inactive))) == [2, 3, 4])
    }

    /// The same XML defined by Debian's libvirt 9.0 (its own virsh on an
    /// embedded QEMU driver, `qemu:///embed?root=`: no daemon, so not the
    /// system libvirtd) gets the same addresses.
    @Test func debiansLibvirtAssignsTheSameAddresses() async throws {
        let root = TestRoot("pci-ref")
        defer { #expect(root.cleanup() == []) }
        let disk = try CounterGuest.disk(in: root.path)
        let xml = CounterGuest.domainXML(name: "vm", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", disk: disk,
                                         serialLog: root.path + "/serial.log",
                                         extraDevices: try Self.devices(root.path), memballoon: "virtio")
        let file = root.path + "/vm.xml"
        try xml.write(toFile: file, atomically: true, encoding: .utf8)
        let reference = try Subprocess.run(ReferenceLibvirtd.virsh,
                                           ["-q", "-c", "qemu:///embed?root=\(root.path)/libvirt", "define \(file); dumpxml --inactive vm"],
                                           timeout: 120)
        try #require(reference.status == 0, "\(reference)")
        let start = try #require(reference.stdout.range(of: "<domain"))
        let theirs = try DomainDef.parse(String(reference.stdout[start.lowerBound...]))

        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let ours = try DomainDef.parse(try conn.xmlDesc(try conn.defineXML(xml), flags: .inactive))
        #expect(ours.interfaces.map(\.address) == theirs.interfaces.map(\.address))
        #expect(ours.disks.map(\.address?.pci) == theirs.disks.map(\.address?.pci))
        #expect(ours.memballoon?.address == theirs.memballoon?.address)
        #expect(Self.slots(theirs) == [2, 3, 4])
        // libvirt adds the implicit IDE controller, at 1.1.
        #expect(theirs.controllers.first { $0.type == .ide }?.address == .pci(PCIDeviceAddress(slot: 1, function: 1)))
    }

    /// The counter guest on q35: its disk on the ICH9's SATA controller.
    static func q35(_ xml: String) -> String {
        xml.replacingOccurrences(of: "machine='pc'", with: "machine='q35'")
            .replacingOccurrences(of: "<target dev='hda' bus='ide'/>", with: "<target dev='sda' bus='sata'/>")
    }

    /// On q35 too: a pcie-root-port per device, as Debian's libvirt adds them.
    /// (Without `<controller type='usb' model='none'/>` libvirt would also
    /// add a qemu-xhci USB controller behind a root port of its own, between
    /// the NICs and the disks; this driver runs no USB controller.)
    @Test func debiansLibvirtAddsTheSameRootPortsOnQ35() async throws {
        let root = TestRoot("pci-refq")
        defer { #expect(root.cleanup() == []) }
        let xml = Self.q35(CounterGuest.domainXML(name: "vm", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f",
                                                  disk: try CounterGuest.disk(in: root.path), serialLog: root.path + "/serial.log",
                                                  extraDevices: try Self.devices(root.path) + "<controller type='usb' model='none'/>",
                                                  memballoon: "virtio"))
        let file = root.path + "/vm.xml"
        try xml.write(toFile: file, atomically: true, encoding: .utf8)
        let reference = try Subprocess.run(ReferenceLibvirtd.virsh,
                                           ["-q", "-c", "qemu:///embed?root=\(root.path)/libvirt", "define \(file); dumpxml --inactive vm"],
                                           timeout: 120)
        try #require(reference.status == 0, "\(reference)")
        let start = try #require(reference.stdout.range(of: "<domain"))
        let theirs = try DomainDef.parse(String(reference.stdout[start.lowerBound...]))
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let ours = try DomainDef.parse(try conn.xmlDesc(try conn.defineXML(xml), flags: .inactive))
        #expect(ours.interfaces.map(\.address) == theirs.interfaces.map(\.address))
        #expect(ours.disks.map(\.address?.pci) == theirs.disks.map(\.address?.pci))
        #expect(ours.memballoon?.address == theirs.memballoon?.address)
        func ports(_ d: DomainDef) -> [String] {
            d.controllers.filter { $0.model == "pcie-root-port" }.map {
                "\($0.index ?? -1) \($0.modelName ?? "") \($0.targetChassis ?? 0) \($0.targetPort ?? 0) \($0.address?.pci?.description ?? "") \($0.address?.pci?.multifunction ?? false)"
            }
        }
        #expect(ports(ours) == ports(theirs))
        #expect(ports(ours).count == 4, "three devices and a spare")
    }

    @Test func aQ35GuestKeepsItsLayoutFrom72To100() async throws {
        let root = TestRoot("pci-q35")
        defer { #expect(root.cleanup() == []) }
        let serial = root.path + "/serial.log"
        let xml = Self.q35(CounterGuest.domainXML(name: "vm", disk: try CounterGuest.disk(in: root.path), serialLog: serial,
                                                  sharedMemory: true, extraDevices: try Self.devices(root.path), memballoon: "virtio"))
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try await conn.create(conn.defineXML(xml))
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 3), "the guest boots from its SATA disk")
        let pid = try #require(TestRoot.processes(mentioning: root.path).first)
        let argv = try #require(FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(argv.contains("pcie-root-port,port=0x8,chassis=1,id=pci.1,bus=pcie.0,addr=0x1,multifunction=on"), "\(argv)")
        #expect(argv.contains("virtio-net-pci,netdev=hostnet0,id=net0,mac=52:54:00:12:34:56,bus=pci.1,addr=0x0"), "\(argv)")
        let before = try await #require(try conn.obj(dom).qemu.instance).monitor().queryPCI()
        #expect(before.contains { $0.qdevID == "net0" && $0.bus > 0 && $0.slot == 0 }, "\(before)")

        var dst = try DomainDef.parse(try conn.xmlDesc(dom, flags: .migratable))
        dst.emulator = Emulators.qemu100
        let up = try await conn.migrate3(dom, to: conn.driver.connect(),
                                         params: [TypedParameter(MigrateParam.destXML, .string(dst.format()))], flags: [.live, .local])
        #expect(try conn.obj(up).qemu.instance?.version?.description == "10.0.2")
        let after = try await #require(try conn.obj(up).qemu.instance).monitor().queryPCI()
        #expect(after == before, "QEMU 10.0 shows the guest the same PCI devices in the same slots")
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: (CounterGuest.counters(inLog: serial).last ?? 0) + 3))
        try await conn.destroy(up)
    }

    @Test func aGuestKeepsItsSlotsFrom72To100() async throws {
        let data = TestRoot("pci-data")
        defer { #expect(data.cleanup() == []) }
        let f = try await MigrationFixture.start("pci-up", extraDevices: try Self.devices(data.path), memballoon: "virtio")
        defer { f.close() }
        let before = try f.dom
        let args = try Self.deviceArgs(f)
        #expect(args.contains("virtio-net-pci,netdev=hostnet0,id=net0,mac=52:54:00:12:34:56,bus=pci.0,addr=0x2"), "\(args)")
        #expect(args.contains { $0.hasPrefix("virtio-blk-pci,bus=pci.0,addr=0x3,drive=drive-virtio-disk1,id=virtio-disk1") }, "\(args)")
        #expect(args.contains("virtio-balloon-pci,id=balloon0,bus=pci.0,addr=0x4"), "\(args)")
        let on72 = try await Self.queryPCI(f)
        for (id, slot) in Self.expected {
            #expect(on72.contains { $0.hasPrefix("\(slot).0 ") && $0.hasSuffix(" \(id)") }, "\(on72)")
        }

        var dst = try DomainDef.parse(try f.conn.xmlDesc(before, flags: .migratable))
        dst.emulator = Emulators.qemu100
        let up = try await f.conn.migrate3(before, to: f.conn.driver.connect(), params: f.migrationParams(destXML: dst.format()),
                                           flags: [.live, .local])
        #expect(up.uuid == before.uuid && up.id != before.id)
        #expect(try f.obj.qemu.instance?.version?.description == "10.0.2")
        let on100 = try await Self.queryPCI(f)
        #expect(on100 == on72, "QEMU 10.0 shows the guest the same PCI devices in the same slots")
        #expect(Self.slots(try DomainDef.parse(try f.conn.xmlDesc(up))) == [2, 3, 4])
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
        #expect(try f.runsExactlyOnce())
    }

    /// A guest whose running QEMU placed its devices itself (started by a
    /// driver that assigned no addresses, here made so by taking them out of
    /// its status file): a new driver records where they are from
    /// `query-pci`, and the move to 10.0 keeps them there.
    @Test func aGuestStartedWithoutAddressesKeepsWhereItsQemuPutThem() async throws {
        let root = TestRoot("pci-old")
        defer { #expect(root.cleanup() == []) }
        let serial = root.path + "/serial.log"
        // Not libvirt's order, so that the test tells QEMU's places from
        // what assignment would give.
        let devices = try Self.devices(root.path)
            .replacingOccurrences(of: "</disk>", with: "<address type='pci' slot='0x05'/></disk>")
            .replacingOccurrences(of: "</interface>", with: "<address type='pci' slot='0x09'/></interface>")
        // No USB controller: the drivers that assigned no addresses ran none.
        let xml = CounterGuest.domainXML(name: "vm", disk: try CounterGuest.disk(in: root.path), serialLog: serial,
                                         sharedMemory: true, extraDevices: devices + "<controller type='usb' model='none'/>",
                                         memballoon: "virtio")
        let first = try await QemuDriver.connect(uri: root.uri)
        try await first.create(first.defineXML(xml))
        let statusFile = try #require(try first.obj(first.lookup(name: "vm")).qemu.instance?.paths.statusFile)
        first.driver.close()
        let status = try String(contentsOfFile: statusFile, encoding: .utf8)
        // As an older driver wrote it: no addresses, and no word that the
        // driver placed the devices.
        let stripped = status.replacingOccurrences(of: #"<address type='pci'[^>]*/>"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: " addresses='assigned'", with: "")
        #expect(stripped != status)
        try stripped.write(toFile: statusFile, atomically: true, encoding: .utf8)

        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.lookup(name: "vm")
        let live = try DomainDef.parse(try conn.xmlDesc(dom))
        #expect(Self.slots(live) == [9, 5, 2], "the places QEMU chose: the balloon at the first free slot")
        #expect(try String(contentsOfFile: statusFile, encoding: .utf8).contains("slot='0x09'"), "saved in the status file")
        let before = try await #require(try conn.obj(dom).qemu.instance).monitor().queryPCI()

        var dst = try DomainDef.parse(try conn.xmlDesc(dom, flags: .migratable))
        dst.emulator = Emulators.qemu100
        let up = try await conn.migrate3(dom, to: conn.driver.connect(),
                                         params: [TypedParameter(MigrateParam.destXML, .string(dst.format()))], flags: [.live, .local])
        let after = try await #require(try conn.obj(up).qemu.instance).monitor().queryPCI()
        #expect(try conn.obj(up).qemu.instance?.version?.description == "10.0.2")
        #expect(after == before, "QEMU 10.0 shows the guest the same PCI devices in the same slots")
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: (CounterGuest.counters(inLog: serial).last ?? 0) + 3))
        try await conn.destroy(up)
    }

    @Test func aDestinationThatMovesADeviceIsRefused() async throws {
        let data = TestRoot("pci-data")
        defer { #expect(data.cleanup() == []) }
        let f = try await MigrationFixture.start("pci-move", extraDevices: try Self.devices(data.path))
        defer { f.close() }
        let source = try f.dom
        var dst = try DomainDef.parse(try f.conn.xmlDesc(source, flags: .migratable))
        dst.emulator = Emulators.qemu100
        dst.interfaces[0].address = .pci(PCIDeviceAddress(slot: 7))
        let error = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(source, to: f.conn.driver.connect(), params: f.migrationParams(destXML: dst.format()),
                                      flags: [.live, .local])
        }
        #expect(error?.code == .configUnsupported)
        #expect(error?.message == "unsupported configuration: Target device PCI address 0000:00:07.0does not match source 0000:00:02.0")
        // Without an address the destination gets none assigned anew: the source's.
        dst.interfaces[0].address = nil
        dst.disks[1].address = nil
        let moved = try await f.conn.migrate3(source, to: f.conn.driver.connect(), params: f.migrationParams(destXML: dst.format()),
                                              flags: [.live, .local])
        #expect(Self.slots(try DomainDef.parse(try f.conn.xmlDesc(moved))).prefix(2) == [2, 3])
        #expect(f.counterAdvances())
        #expect(try f.runsExactlyOnce())
    }
}
