import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_driver

/// `virsh domcapabilities` says what this driver runs: each value it lists
/// gives a command line, each element it marks `supported='no'` is refused.
/// Checked against the driver's own command-line builder
/// (`domxml-to-native`), for the two machine families.
@Suite(.serialized) final class DomainCapabilitiesTruthTests {
    let root = TestRoot("dcaps")
    let file: String

    init() throws {
        file = root.path + "/disk.img"
        #expect(FileManager.default.createFile(atPath: file, contents: Data(count: 1 << 20)))
    }

    deinit { #expect(root.cleanup() == [], "the test leaves nothing behind") }

    func definition(machine: String, type: String = "qemu", top: String = "", os: String = "", cpu: String = "",
                    features: String = "", devices: String = "") -> String {
        """
        <domain type='\(type)'>
          <name>dcaps</name>
          <memory unit='MiB'>16</memory>
          \(top)
          <os\(os.contains("firmware=") ? " firmware='efi'" : "")>
            <type arch='x86_64' machine='\(machine)'>hvm</type>
            \(os.contains("firmware=") ? "" : os)
          </os>
          \(features.isEmpty ? "" : "<features>\(features)</features>")
          \(cpu)
          <devices>
            <memballoon model='none'/>
            \(devices)
          </devices>
        </domain>
        """
    }

    func builds(_ conn: QemuConnection, _ xml: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: Never.self, "\(what)", sourceLocation: sourceLocation) { _ = try conn.domainXMLToNative(format: "qemu-argv", xml: xml) }
    }

    func refused(_ conn: QemuConnection, _ xml: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: VirError.self, "\(what)", sourceLocation: sourceLocation) { _ = try conn.domainXMLToNative(format: "qemu-argv", xml: xml) }
    }

    static func values(_ e: XMLElement?, _ name: String) -> [String] {
        e?.children(named: "enum").first { $0.attribute("name") == name }?.children(named: "value").map(\.text) ?? []
    }

    @Test(arguments: ["pc", "q35"])
    func whatItListsRunsAndWhatItRefusesIsRefused(machine: String) async throws {
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let text = try conn.domainCapabilities(emulatorBin: nil, arch: nil, machine: machine, virtType: "qemu")
        let caps = try XMLParser.parse(text, url: "(domcapabilities)",
                                       schema: try RelaxNGSchema.load("/usr/share/libvirt/schemas/domaincaps.rng"))
        let canonical = try #require(caps.childText("machine"))
        let devices = caps.child("devices")
        func device(_ name: String) -> XMLElement? { devices?.child(name) }

        // Disks: every bus, a disk on each, a CD-ROM on each but virtio
        // (libvirt refuses a virtio CD-ROM too).
        let disk = device("disk")
        let buses = Self.values(disk, "bus")
        #expect(!buses.isEmpty)
        for bus in buses {
            for kind in Self.values(disk, "diskDevice") where !(kind == "cdrom" && bus == "virtio") {
                let target = bus == "virtio" ? "vda" : bus == "ide" ? "hda" : "sda"
                let controller = bus == "scsi" ? "<controller type='scsi' model='virtio-scsi'/>" : ""
                builds(conn, definition(machine: canonical, devices: """
                    \(controller)<disk type='file' device='\(kind)'><driver name='qemu' type='raw'/><source file='\(file)'/>\
                    <target dev='\(target)' bus='\(bus)'/></disk>
                    """), "\(kind) on \(bus)")
            }
        }
        for type in Self.values(device("graphics"), "type") {
            builds(conn, definition(machine: canonical, devices: "<graphics type='\(type)' autoport='yes'/>"), "graphics \(type)")
        }
        for model in Self.values(device("video"), "modelType") {
            builds(conn, definition(machine: canonical, devices: "<video><model type='\(model)'/></video>"), "video \(model)")
        }
        for model in Self.values(device("rng"), "model") {
            for backend in Self.values(device("rng"), "backendModel") {
                let source = backend == "random" ? "<backend model='random'>/dev/urandom</backend>" : "<backend model='\(backend)'/>"
                builds(conn, definition(machine: canonical, devices: "<rng model='\(model)'>\(source)</rng>"), "rng \(model) \(backend)")
            }
        }
        for type in Self.values(device("channel"), "type") {
            let spice = type == "spicevmc" ? "<graphics type='spice' autoport='yes'/>" : ""
            let target = type == "spicevmc" ? "com.redhat.spice.0" : "org.example.\(type)"
            builds(conn, definition(machine: canonical, devices: "\(spice)<channel type='\(type)'><target type='virtio' name='\(target)'/></channel>"),
                   "channel \(type)")
        }
        for bus in Self.values(device("redirdev"), "bus") {
            builds(conn, definition(machine: canonical, devices: """
                <controller type='usb' model='qemu-xhci'/><graphics type='spice' autoport='yes'/><redirdev bus='\(bus)' type='spicevmc'/>
                """), "redirdev on \(bus)")
        }
        for source in Self.values(caps.child("memoryBacking"), "sourceType") {
            builds(conn, definition(machine: canonical, top: "<memoryBacking><source type='\(source)'/></memoryBacking>"), "memory \(source)")
        }
        // Firmware: each enum value autoselects, each loader listed loads.
        let os = caps.child("os")
        for firmware in Self.values(os, "firmware") {
            builds(conn, definition(machine: canonical, os: "firmware='\(firmware)'"), "firmware \(firmware)")
        }
        let loaders = os?.child("loader")?.children(named: "value").map(\.text) ?? []
        #expect(!loaders.isEmpty, "this host has OVMF (ovmf is installed by the setup script)")
        for loader in loaders where !loader.contains("secboot") && !loader.contains(".ms.") {
            builds(conn, definition(machine: canonical, os: "<loader readonly='yes' type='pflash'>\(loader)</loader>"), "loader \(loader)")
        }
        // The custom CPU models TCG can run.
        let custom = caps.child("cpu")?.children(named: "mode").first { $0.attribute("name") == "custom" }
        let usable = custom?.children(named: "model").filter { $0.attribute("usable") == "yes" }.map(\.text) ?? []
        #expect(usable.contains("qemu64"))
        for model in usable {
            builds(conn, definition(machine: canonical, cpu: "<cpu mode='custom'><model>\(model)</model></cpu>"), "CPU \(model)")
        }
        // Modes marked unsupported under TCG are refused; the supported
        // ones build, with each `migratable` value they list.
        for mode in caps.child("cpu")?.children(named: "mode") ?? [] where mode.attribute("name") != "custom" {
            let name = mode.attribute("name") ?? ""
            guard mode.attribute("supported") == "yes" else {
                refused(conn, definition(machine: canonical, cpu: "<cpu mode='\(name)'/>"), "CPU mode \(name)")
                continue
            }
            builds(conn, definition(machine: canonical, cpu: "<cpu mode='\(name)'/>"), "CPU mode \(name)")
            for e in mode.children(named: "enum") {
                for value in e.children(named: "value").map(\.text) {
                    let line = try conn.domainXMLToNative(format: "qemu-argv", xml: definition(
                        machine: canonical, cpu: "<cpu mode='\(name)' migratable='\(value)'/>"))
                    #expect(line.contains(",migratable=\(value)"), "CPU mode \(name) migratable=\(value): \(line)")
                }
            }
        }

        // What it says it does not run.
        func no(_ e: XMLElement?) -> Bool { e?.attribute("supported") == "no" }
        #expect(no(caps.child("iothreads")))
        refused(conn, definition(machine: canonical, top: "<iothreads>1</iothreads>"), "iothreads")
        #expect(no(device("hostdev")))
        refused(conn, definition(machine: canonical, devices: """
            <hostdev mode='subsystem' type='usb'><source><vendor id='0x1d6b'/><product id='0x0002'/></source></hostdev>
            """), "hostdev")
        #expect(no(device("filesystem")))
        refused(conn, definition(machine: canonical, devices: """
            <filesystem type='mount'><source dir='\(root.path)'/><target dir='share'/></filesystem>
            """), "filesystem")
        #expect(no(device("tpm")))
        refused(conn, definition(machine: canonical, devices: "<tpm model='tpm-tis'><backend type='emulator'/></tpm>"), "tpm")
        let features = caps.child("features")
        #expect(no(features?.child("vmcoreinfo")))
        refused(conn, definition(machine: canonical, features: "<vmcoreinfo state='on'/>"), "vmcoreinfo")
        #expect(no(features?.child("genid")))
        refused(conn, definition(machine: canonical, top: "<genid/>"), "genid")
        // Disk models, on virtio; refused on another bus, as libvirt does.
        #expect(!Self.values(disk, "model").isEmpty)
        for model in Self.values(disk, "model") {
            let line = try conn.domainXMLToNative(format: "qemu-argv", xml: definition(machine: canonical, devices: """
                <disk type='file' device='disk' model='\(model)'><driver name='qemu' type='raw'/><source file='\(file)'/>\
                <target dev='vda' bus='virtio'/></disk>
                """))
            let device = model == "virtio" ? "virtio-blk-pci," : "virtio-blk-pci-\(model.dropFirst("virtio-".count)),"
            #expect(line.contains("-device " + device), "disk model \(model): \(line)")
        }
        refused(conn, definition(machine: canonical, devices: """
            <disk type='file' device='disk' model='virtio'><driver name='qemu' type='raw'/><source file='\(file)'/>\
            <target dev='sda' bus='sata'/></disk>
            """), "a disk model on SATA")
    }
}
