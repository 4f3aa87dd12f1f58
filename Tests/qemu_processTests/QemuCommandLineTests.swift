import Foundation
import Testing
import domain_conf
import libvirt_abi
import qemu_process

@Suite struct QemuCommandLineTests {
    static let config = QemuDriverConfig(root: "/var/tmp/r")

    static func def(_ extra: String = "", name: String = "counter", memoryBacking: String = "", type: String = "qemu",
                    machine: String = "pc", features: String = "<features><acpi/></features>") throws -> DomainDef {
        try DomainDef.parse("""
            <domain type='\(type)'>
              <name>\(name)</name>
              <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
              <memory unit='MiB'>16</memory>
              \(memoryBacking)
              <os><type arch='x86_64' machine='\(machine)'>hvm</type><boot dev='hd'/></os>
              \(features)
              <devices>
                <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/img/a,b.img'/><target dev='hda' bus='ide'/></disk>
                <serial type='file'><source path='/logs/serial.log'/><target port='0'/></serial>
                <console type='file'><source path='/logs/serial.log'/><target type='serial' port='0'/></console>
                \(extra)
              </devices>
            </domain>
            """)
    }

    static func build(_ def: DomainDef, id: Int = 7, incoming: Bool = false, kvm: Bool = true) throws -> QemuCommandLine {
        let paths = QemuInstancePaths(stateDir: config.stateDir, id: id, name: def.name)
        return try QemuCommandLine.build(def: def, id: id, paths: paths, ramFile: config.ramFile(uuid: def.uuid.description),
                                         options: .init(incoming: incoming, kvmAvailable: kvm, pretend: true))
    }

    /// The value following an option.
    static func value(_ argv: [String], _ option: String) -> [String] {
        argv.indices.filter { argv[$0] == option && $0 + 1 < argv.count }.map { argv[$0 + 1] }
    }

    @Test func everyPerInstancePathHasTheID() throws {
        let argv = try Self.build(Self.def(), id: 7).argv
        #expect(argv.first == "/usr/bin/qemu-system-x86_64")
        #expect(Self.value(argv, "-chardev").contains("socket,id=charmonitor,path=/var/tmp/r/run/qemu/domain-7-counter/monitor.sock,server=on,wait=off"))
        #expect(Self.value(argv, "-mon") == ["chardev=charmonitor,id=monitor,mode=control"])
        #expect(Self.value(argv, "-pidfile") == ["/var/tmp/r/run/qemu/domain-7-counter/qemu.pid"])
        let other = try Self.build(Self.def(), id: 8).argv
        #expect(Set(Self.value(argv, "-pidfile")).isDisjoint(with: Self.value(other, "-pidfile")))
    }

    @Test func basicOptions() throws {
        let argv = try Self.build(Self.def()).argv
        #expect(Self.value(argv, "-name") == ["guest=counter,debug-threads=on"])
        #expect(Self.value(argv, "-uuid") == ["6695eb01-f6a4-8304-79aa-97f2502e193f"])
        #expect(Self.value(argv, "-machine") == ["pc,usb=off,dump-guest-core=off"])
        #expect(Self.value(argv, "-accel") == ["tcg"])
        #expect(Self.value(argv, "-m") == ["size=16384k"])
        #expect(Self.value(argv, "-smp") == ["1,sockets=1,cores=1,threads=1"])
        for flag in ["-S", "-nodefaults", "-no-user-config"] { #expect(argv.contains(flag)) }
        #expect(Self.value(argv, "-display") == ["none"])
        #expect(!argv.contains("-incoming"))
        #expect(Self.value(try Self.build(Self.def(), incoming: true).argv, "-incoming") == ["defer"])
    }

    @Test func commasAreEscapedTheQemuWay() throws {
        let argv = try Self.build(Self.def(name: "a,b")).argv
        #expect(Self.value(argv, "-name") == ["guest=a,,b,debug-threads=on"])
        #expect(Self.value(argv, "-drive") == ["file=/img/a,,b.img,format=raw,if=none,id=drive-ide0-0-0"])
        #expect(Self.value(argv, "-device").contains("ide-hd,bus=ide.0,unit=0,drive=drive-ide0-0-0,id=ide0-0-0,bootindex=1"))
    }

    @Test func serialFileIsOpenedForAppending() throws {
        let cmd = try Self.build(Self.def())
        #expect(Self.value(cmd.argv, "-chardev").contains("file,id=charserial0,path=/logs/serial.log,append=on"))
        #expect(Self.value(cmd.argv, "-device").contains("isa-serial,chardev=charserial0,id=serial0,index=0"))
        // The console is serial 0: no second device.
        #expect(Self.value(cmd.argv, "-device").filter { $0.hasPrefix("isa-serial") }.count == 1)
    }

    @Test func ptyAndUnixChardevs() throws {
        var def = try Self.def()
        def.serials[0] = DomainChrDef(deviceType: "serial", type: .pty)
        def.consoles = []
        def.serials.append(DomainChrDef(deviceType: "serial", type: .unix, sourceMode: "bind", targetPort: 1))
        let cmd = try Self.build(def)
        #expect(Self.value(cmd.argv, "-chardev").contains("pty,id=charserial0"))
        #expect(cmd.ptyDevices == [.init(kind: "serial", index: 0, chardevID: "charserial0")])
        // A listening socket with no path of its own lives in the instance dir.
        #expect(Self.value(cmd.argv, "-chardev").contains("socket,id=charserial1,path=/var/tmp/r/run/qemu/domain-7-counter/charserial1.sock,server=on,wait=off"))
    }

    @Test func sharedFileMemoryUsesThePerUUIDPath() throws {
        let def = try Self.def(memoryBacking: "<memoryBacking><source type='file'/><access mode='shared'/></memoryBacking>")
        let argv = try Self.build(def).argv
        #expect(Self.value(argv, "-machine") == ["pc,usb=off,dump-guest-core=off,memory-backend=pc.ram"])
        #expect(Self.value(argv, "-object") == [
            #"{"qom-type":"memory-backend-file","id":"pc.ram","mem-path":"/var/tmp/r/lib/qemu/ram/6695eb01-f6a4-8304-79aa-97f2502e193f/ram","share":true,"size":16777216}"#,
        ])
        let memfd = try Self.def(memoryBacking: "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>")
        #expect(Self.value(try Self.build(memfd).argv, "-object") == [#"{"qom-type":"memory-backend-memfd","id":"pc.ram","share":true,"size":16777216}"#])
        let anon = try Self.def(memoryBacking: "<memoryBacking><source type='anonymous'/></memoryBacking>")
        #expect(Self.value(try Self.build(anon).argv, "-object") == [#"{"qom-type":"memory-backend-ram","id":"pc.ram","share":false,"size":16777216}"#])
    }

    @Test func networking() throws {
        let def = try Self.def("""
            <interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>
            <interface type='bridge'><mac address='52:54:00:12:34:57'/><source bridge='br0'/><model type='e1000'/></interface>
            """)
        let argv = try Self.build(def).argv
        #expect(Self.value(argv, "-netdev") == ["user,id=hostnet0", "tap,fd=3,id=hostnet1"])
        #expect(Self.value(argv, "-device").contains("virtio-net-pci,netdev=hostnet0,id=net0,mac=52:54:00:12:34:56"))
        #expect(Self.value(argv, "-device").contains("e1000,netdev=hostnet1,id=net1,mac=52:54:00:12:34:57"))
    }

    /// libvirt: qemuBuildDeviceAddressProps; tests/qemuxml2argvdata/net-virtio.args
    /// has `virtio-net-pci,netdev=hostnet0,id=net0,mac=...,bus=pci.0,addr=0x2`.
    @Test func pciDevicesGoWhereTheirAddressSays() throws {
        let def = try Self.def("""
            <disk type='file' device='disk'><source file='/img/v.img'/><target dev='vdb' bus='virtio'/>
              <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/></disk>
            <interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/>
              <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/></interface>
            <interface type='user'><mac address='52:54:00:12:34:57'/><model type='rtl8139'/>
              <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x1'/></interface>
            """, memoryBacking: "").withBalloon(slot: 4)
        let devices = Self.value(try Self.build(def).argv, "-device")
        #expect(devices.contains("virtio-net-pci,netdev=hostnet0,id=net0,mac=52:54:00:12:34:56,bus=pci.0,addr=0x2"))
        #expect(devices.contains("rtl8139,netdev=hostnet1,id=net1,mac=52:54:00:12:34:57,bus=pci.0,addr=0x5.0x1"))
        #expect(devices.contains("virtio-blk-pci,bus=pci.0,addr=0x3,drive=drive-virtio-disk1,id=virtio-disk1"))
        #expect(devices.contains("virtio-balloon-pci,id=balloon0,bus=pci.0,addr=0x4"))
        // A device without an address is left to QEMU, as before.
        let bare = try Self.def("<interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>")
        #expect(Self.value(try Self.build(bare).argv, "-device").contains("virtio-net-pci,netdev=hostnet0,id=net0,mac=52:54:00:12:34:56"))
        // q35's root bus is pcie.0; multifunction is passed on.
        var q35 = try Self.def(machine: "q35")
        q35.disks = []
        var nic = DomainNetDef(mac: "52:54:00:12:34:58", model: "e1000e")
        nic.address = .pci(PCIDeviceAddress(slot: 2, multifunction: true))
        q35.interfaces = [nic]
        #expect(Self.value(try Self.build(q35).argv, "-device").contains("e1000e,netdev=hostnet0,id=net0,mac=52:54:00:12:34:58,bus=pcie.0,addr=0x2,multifunction=on"))
    }

    /// `<vcpu current>`, `<cpu><topology>` and `<feature policy>` as
    /// libvirt 9.0 writes them (qemuxml2argvdata: smp, cpu-topology1,
    /// cpu-exact1, cpu-translation).
    @Test func vcpusTopologyAndCPUFeatures() throws {
        func build(_ vcpu: String, _ cpu: String) throws -> [String] {
            var xml = try Self.def().format()
            xml = xml.replacingOccurrences(of: "<vcpu placement='static'>1</vcpu>", with: vcpu + cpu)
            return try Self.build(DomainDef.parse(xml)).argv
        }
        #expect(Self.value(try build("<vcpu current='1'>2</vcpu>", ""), "-smp") == ["1,maxcpus=2,sockets=2,cores=1,threads=1"])
        #expect(Self.value(try build("<vcpu>6</vcpu>", "<cpu><topology sockets='3' dies='1' cores='2' threads='1'/></cpu>"), "-smp")
                == ["6,sockets=3,cores=2,threads=1"])
        let exact = try build("<vcpu>1</vcpu>", """
            <cpu match='exact'><model fallback='allow'>qemu64</model><feature policy='disable' name='mca'/>
            <feature policy='forbid' name='pse36'/><feature policy='require' name='pclmuldq'/><feature name='tsc_adjust'/></cpu>
            """)
        #expect(Self.value(exact, "-cpu") == ["qemu64,mca=off,pse36=off,pclmulqdq=on,tsc-adjust=on"])
        // <features><kvm> and <pmu> (qemuxml2argvdata: kvm-features, pmu-feature-off).
        var features = try Self.def(features: "<features><acpi/><pmu state='off'/><kvm><hidden state='on'/><poll-control state='on'/></kvm></features>")
        features.vcpus = 1
        #expect(Self.value(try Self.build(features).argv, "-cpu") == ["qemu64,kvm=off,kvm-poll-control=on,pmu=off"])
        // libvirt's qemuBuildCpuModelArgStr: max/host with migratable, a
        // model with its vendor_id (qemuxml2argvdata: cpu-host-passthrough-migratable...).
        #expect(Self.value(try build("<vcpu>1</vcpu>", "<cpu mode='maximum' migratable='off'/>"), "-cpu") == ["max,migratable=off"])
        #expect(Self.value(try build("<vcpu>1</vcpu>", "<cpu mode='maximum' migratable='on'/>"), "-cpu") == ["max,migratable=on"])
        // QEMU's host CPU is KVM's: refused for a TCG domain, as libvirt.
        let host = #expect(throws: VirError.self) { try build("<vcpu>1</vcpu>", "<cpu mode='host-passthrough' migratable='on'/>") }
        #expect(host?.message == "unsupported configuration: CPU mode 'host-passthrough' for x86_64 qemu domain on x86_64 host is not supported by hypervisor")
        #expect(Self.value(try build("<vcpu>1</vcpu>", "<cpu><model vendor_id='GenuineIntel'>qemu64</model></cpu>"), "-cpu")
                == ["qemu64,vendor=GenuineIntel"])
        let vendor = #expect(throws: VirError.self) { try build("<vcpu>1</vcpu>", "<cpu><model vendor_id='Intel'>qemu64</model></cpu>") }
        #expect(vendor?.message == "XML error: vendor_id must be exactly 12 characters long")
        let migratable = #expect(throws: VirError.self) { try build("<vcpu>1</vcpu>", "<cpu mode='maximum' migratable='yes'/>") }
        #expect(migratable?.message == "XML error: Invalid value for attribute 'migratable' in element 'cpu': 'yes'.")
        let bad = #expect(throws: VirError.self) { try build("<vcpu>4</vcpu>", "<cpu><topology sockets='1' cores='2' threads='1'/></cpu>") }
        #expect(bad?.message == "unsupported configuration: CPU topology doesn't match maximum vcpu count")
    }

    @Test func kvmNeedsDevKvm() throws {
        let def = try Self.def(type: "kvm")
        #expect(Self.value(try Self.build(def, kvm: true).argv, "-accel") == ["kvm"])
        let error = #expect(throws: VirError.self) { try Self.build(def, kvm: false) }
        #expect(error?.message == "unsupported configuration: Domain requires KVM, but it is not available. Check that virtualization is enabled in the host BIOS, and host configuration is setup to load the kvm modules.")
    }

    @Test(arguments: [
        ("<graphics type='sdl'/>", "unsupported configuration: graphics type 'sdl' is not supported by this driver"),
        ("<interface type='direct'><source dev='eth0' mode='vepa'/></interface>", "unsupported configuration: interface type 'direct' is not supported by this driver (types 'user', 'bridge', 'network' and 'ethernet' are)"),
        ("<smartcard mode='host'/>", "unsupported configuration: smartcard device is not supported by this driver"),
        ("<sound model='sb16'/>", "unsupported configuration: sound model 'sb16' is not supported by this driver"),
        ("<rng model='virtio'><backend model='egd' type='tcp'><source mode='connect' host='1.2.3.4' service='1234'/></backend></rng>", "unsupported configuration: rng backend 'egd' is not supported by this driver"),
        ("<controller type='usb' model='none'/><input type='tablet' bus='usb'/>", "unsupported configuration: USB is disabled for this domain, but USB devices are present in the domain XML"),
    ])
    func devicesItCannotRunAreRefusedByName(_ device: String, _ message: String) throws {
        let error = #expect(throws: VirError.self) { try Self.build(Self.def(device)) }
        #expect(error?.code == .configUnsupported)
        #expect(error?.message == message)
    }

    @Test func ideOnQ35AndHugepagesAreRefused() throws {
        let q35 = #expect(throws: VirError.self) { try Self.build(Self.def(machine: "q35")) }
        #expect(q35?.message == "unsupported configuration: IDE controllers are unsupported for this QEMU binary or machine type")
        let huge = #expect(throws: VirError.self) {
            try Self.build(Self.def(memoryBacking: "<memoryBacking><hugepages/></memoryBacking>"))
        }
        #expect(huge?.message == "unsupported configuration: hugepages are not supported by this driver")
    }

    @Test func otherArchitecturesAreRefused() throws {
        var def = try Self.def()
        def.os.arch = "aarch64"
        let error = #expect(throws: VirError.self) { try Self.build(def) }
        #expect(error?.message == "unsupported configuration: architecture 'aarch64' is not supported by this driver (x86_64 and i686 are)")
    }

    @Test func acpiFollowsTheFeature() throws {
        #expect(Self.value(try Self.build(Self.def(features: "")).argv, "-machine") == ["pc,usb=off,dump-guest-core=off,acpi=off"])
    }
}

extension QemuCommandLineTests {
    @Test func qemuCommandlinePassthroughGoesLast() throws {
        let def = try DomainDef.parse("""
            <domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
              <name>p</name><memory>16384</memory><os><type>hvm</type></os>
              <qemu:commandline><qemu:arg value='-device'/><qemu:arg value='loader,file=/x,addr=0x200000'/></qemu:commandline>
            </domain>
            """, validate: true)
        let argv = try Self.build(def).argv
        #expect(Array(argv.suffix(2)) == ["-device", "loader,file=/x,addr=0x200000"])
    }
}

extension DomainDef {
    fileprivate func withBalloon(slot: UInt32) -> DomainDef {
        var d = self
        var balloon = DomainMemballoonDef(model: "virtio")
        balloon.address = .pci(PCIDeviceAddress(slot: slot))
        d.memballoon = balloon
        return d
    }
}
