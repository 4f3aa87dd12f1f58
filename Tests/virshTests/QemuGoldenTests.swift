import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport

/// The same counter guest (same name, same UUID) defined twice: in our
/// embedded driver through our virsh, and in Debian's libvirtd
/// (`qemu:///system`) through Debian's virsh. What both drivers know the
/// same must print the same; what they legitimately differ in (CPU time,
/// the host UUID, the extra devices and aliases libvirt adds to the live
/// XML) is masked or compared field by field.
@Suite(.serialized)
final class QemuGoldenTests {
    let root = TestRoot("vg")
    let name = "lmgolden\(getpid() % 100_000)"
    let uuid = UUID().uuidString.lowercased()
    let xmlFile: String
    let reference: ReferenceLibvirtd?
    var embedded: [String: String] { ["LIBVIRT_DEFAULT_URI": root.uri] }
    static let system = ["LIBVIRT_DEFAULT_URI": "qemu:///system"]

    init() throws {
        let disk = try CounterGuest.disk(in: root.path)
        // libvirtd (root) must be able to reach the files.
        chmod(root.path, 0o755)
        let xml = CounterGuest.domainXML(name: name, uuid: uuid, disk: disk, serialLog: root.path + "/serial.log")
        xmlFile = root.path + "/\(name).xml"
        try xml.write(toFile: xmlFile, atomically: true, encoding: .utf8)
        reference = ReferenceLibvirtd.acquire()
        // setup.sh installs both: without them this is a failure, not a skip.
        #expect(reference != nil, "Debian's libvirtd (libvirt-daemon-system) does not answer on \(ReferenceLibvirtd.uri)")
        #expect(Virsh.ours != nil, "our virsh is not built")
    }

    deinit {
        Virsh.reference("destroy", name, env: Self.system)
        Virsh.reference("undefine", name, env: Self.system)
        Virsh.ours("destroy", name, env: embedded)
        reference?.release()
        #expect(root.cleanup() == [], "the test leaves nothing behind")
    }

    /// Ours on the embedded driver, Debian's on libvirtd.
    func both(_ args: String...) -> (ours: VirshResult, ref: VirshResult) {
        (Virsh.run(Virsh.ours ?? "", args, env: embedded), Virsh.run(Virsh.reference, args, env: Self.system))
    }

    func same(_ args: String..., masking: (String) -> String = { $0 }, sourceLocation: SourceLocation = #_sourceLocation) {
        var (o, r) = (Virsh.run(Virsh.ours ?? "", args, env: embedded), Virsh.run(Virsh.reference, args, env: Self.system))
        o.stdout = masking(o.stdout); o.stderr = masking(o.stderr)
        r.stdout = masking(r.stdout); r.stderr = masking(r.stderr)
        #expect(o == r, "virsh \(args.joined(separator: " "))", sourceLocation: sourceLocation)
    }

    /// Our row of a `list` table (the reference daemon may hold other
    /// domains); the whole table when it holds only ours.
    func listRow(_ text: String) -> String {
        text.split(separator: "\n").filter { $0.contains(" \(name) ") }.joined(separator: "\n")
    }

    @Test func aDomainThroughItsLifeLooksTheSame() throws {
        // Defined, shut off.
        let defined = both("define", xmlFile)
        #expect(defined.ours == defined.ref)
        #expect(defined.ours.stdout == "Domain '\(name)' defined from \(xmlFile)\n\n")
        let lists = both("list", "--all")
        #expect(listRow(lists.ours.stdout) == listRow(lists.ref.stdout))
        if lists.ref.stdout.split(separator: "\n").count == 3 { #expect(lists.ours == lists.ref) }
        same("dominfo", name)
        same("dominfo", uuid)
        same("autostart", name)
        same("dominfo", name)
        same("autostart", "--disable", name)
        same("autostart", "nosuch")
        same("domstate", "--reason", name)
        same("domstats", "--state", name)
        same("domstats", "--state", name, "nosuch")
        // Shut off, libvirt reports its own process's CPU time (/proc/self/stat).
        same("domstats", "--cpu-total", "--balloon", name) {
            $0.replacingOccurrences(of: #"(?m)^(  cpu\.(time|user|system))=\d+$"#, with: "$1=N", options: .regularExpression)
        }
        // Shut off: the vCPU counts, no interfaces, the disk's sizes read
        // from its file (the same file for both).
        same("domstats", "--vcpu", "--interface", "--block", name)
        same("domstats", "--enforce", "--vcpu", "--block", name)
        same("domblklist", name)
        same("domblklist", "--details", "--inactive", name)
        same("domiflist", name)
        same("domblklist", "nosuch")
        same("domcontrol", name)
        same("dommemstat", name)
        same("nodeinfo")
        // This host has no SMBIOS tables: both say so, in libvirt's words.
        same("sysinfo")
        same("sysinfo", "--help")
        // Free memory moves between two reads: the figures are masked.
        let kib = { (t: String) in t.replacingOccurrences(of: #"\d+ KiB"#, with: "N KiB", options: .regularExpression) }
        same("freecell", masking: kib)
        same("freecell", "--all", masking: kib)
        same("freecell", "--cellno", "0", masking: kib)
        same("freecell", "--cellno", "7")
        same("freecell", "--cellno", "-1")
        same("domid", name)
        same("domuuid", name)
        same("domjobinfo", name)
        same("domdisplay", name)
        same("vncdisplay", name)
        same("vncdisplay", "nosuch")
        same("create", root.path + "/nosuch.xml")
        same("reset", name)
        same("setmem", name, "1x")
        same("setmem", name, "x1")
        same("setmem", name, "8M", "--live")
        same("setmem", name, "8M", "--current", "--live")
        same("setmem", name, "64M", "--config")
        same("setmaxmem", name, "64M", "--live")
        same("vcpuinfo", name)
        // desc of a shut-off domain: the persistent definition.
        same("desc", name)
        same("desc", name, "--title", "A counter")
        same("desc", name, "--title")
        same("desc", name, "--live", "text")
        same("desc", name, "--config", "kept in the definition")
        same("desc", name)
        same("vcpuinfo", "--pretty", name)
        // Applications' metadata elements of a shut-off domain, as libvirt
        // keeps and writes them (libxml2's layout in dumpxml).
        same("metadata", name, "http://app1.org/")
        same("metadata", name, "http://app1.org/", "--key", "app1", "--set", #"<foo a="1" xmlns:o="urn:o"><bar>x &amp; 'y'</bar><o:q/></foo>"#)
        same("metadata", name, "http://app1.org/")
        same("metadata", name, "urn:o")
        same("metadata", name, "http://app2.org/", "--key", "app2", "--set", "<two/>", "--config")
        same("metadata", name, "http://app1.org/", "--key", "app1", "--set", "<replaced/>")
        same("metadata", name, "http://app1.org/", "--live")
        same("metadata", name, "http://app1.org/", "--key", "1bad", "--set", "<foo/>")
        same("metadata", name, "http://app1.org/", "--key", "app1", "--set", "<foo")
        same("metadata", name, "http://app1.org/", "--set", "<foo/>")
        same("metadata", name, "http://app1.org/", "--remove", "--set", "<foo/>")
        let metadataOf = { (t: String) in
            String(t.split(separator: "\n", omittingEmptySubsequences: false)
                .drop { !$0.contains("<metadata") }.prefix { !$0.contains("</metadata>") }.joined(separator: "\n"))
        }
        same("dumpxml", name, masking: metadataOf)
        #expect(metadataOf(Virsh.run(Virsh.ours ?? "", ["dumpxml", name], env: embedded).stdout).contains(#"<app2:two xmlns:app2="http://app2.org/"/>"#))
        same("metadata", name, "http://app2.org/", "--remove")
        same("metadata", name, "http://app2.org/")
        // Device changes of a shut-off domain: live ones refused, a
        // config one checked against the definition.
        same("attach-disk", name, "/nonexistent.img", "vdb", "--live")
        same("attach-disk", name, "/nonexistent.img", "hda", "--config")
        same("detach-disk", name, "vdb", "--config")
        same("detach-disk", name, "hda", "--live")
        same("start", "nosuch")
        same("destroy", name)
        same("suspend", name)
        // Migration limits of a shut-off domain: the bandwidth is kept
        // (and still there once it runs), the downtime needs a QEMU.
        same("migrate-getspeed", name)
        same("migrate-setspeed", name, "5")
        same("migrate-getspeed", name)
        same("migrate-getmaxdowntime", name)
        same("migrate-setmaxdowntime", name, "100")
        same("migrate-getspeed", "--postcopy", name)
        // domxml-to-native's refusals (the command lines themselves are
        // compared device by device in LibvirtCommandLineComparisonTests).
        same("domxml-to-native", "vmware-vmx", xmlFile)
        same("domxml-to-native", "qemu-argv")
        same("domxml-to-native", "qemu-argv", "--domain", name, "--xml", xmlFile)
        same("domxml-to-native", "qemu-argv", "--domain", "nosuch")
        same("domxml-to-native", "qemu-argv", root.path + "/nosuch.xml")
        let native = both("domxml-to-native", "qemu-argv", "--domain", name)
        #expect(native.ours.status == 0 && native.ref.status == 0)
        #expect(native.ours.stdout.contains("-name guest=\(name),debug-threads=on"))
        #expect(native.ours.stdout.contains("-uuid \(uuid)") && native.ref.stdout.contains("-uuid \(uuid)"))
        let shutOff = both("migrate", "--live", name, "qemu:///system")
        #expect(Virsh.run(Virsh.ours ?? "", ["migrate", "--live", name, root.uri], env: embedded) == shutOff.ref)

        // Running: one driver after the other, as both guests would use
        // the same disk image.
        let ours = try running(sameHost: root.uri) { args in Virsh.run(Virsh.ours ?? "", args, env: self.embedded) }
        let ref = try running(sameHost: "qemu:///system") { args in Virsh.run(Virsh.reference, args, env: Self.system) }
        #expect(ours.count == ref.count)
        for (o, r) in zip(ours, ref) {
            #expect(o.1 == r.1, "virsh \(o.0)")
        }

        same("undefine", name)
        same("dominfo", name)
        same("undefine", name)
    }

    /// `domblklist` and `domiflist` of guests as virt-install writes them
    /// (SATA and SCSI disks, a CD-ROM, user and network interfaces),
    /// defined in both drivers.
    @Test func blockAndInterfaceListsOfVirtInstallGuests() throws {
        let folder = Fixtures.projectRoot.appendingPathComponent("fixtures/virt-install")
        for file in ["alpine317-pc-nographics-cdrom.xml", "rhel9-q35-virtio-scsi.xml", "win10-q35-spice.xml"] {
            let guest = "\(name)-vi"
            let xml = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                .replacingOccurrences(of: "@DISKDIR@", with: root.path + "/images")
                .replacingOccurrences(of: #"<name>[^<]*</name>"#, with: "<name>\(guest)</name>", options: .regularExpression)
                .replacingOccurrences(of: #"<uuid>[^<]*</uuid>"#, with: "", options: .regularExpression)
            let path = root.path + "/\(guest).xml"
            try xml.write(toFile: path, atomically: true, encoding: .utf8)
            let defined = both("define", path)
            #expect(defined.ours.status == 0 && defined.ref.status == 0, "\(file): \(defined)")
            same("domblklist", "--inactive", guest)
            same("domblklist", "--details", "--inactive", guest)
            same("domiflist", "--inactive", guest)
            // The disks as both define them: drive addresses from the
            // target names; and the vCPU line.
            let disks = { (t: String) -> String in
                let lines = t.split(separator: "\n", omittingEmptySubsequences: false)
                var out: [Substring] = []
                var inDisk = false
                for line in lines {
                    if line.contains("<disk ") { inDisk = true }
                    if inDisk || line.contains("<vcpu") { out.append(line) }
                    if line.contains("</disk>") { inDisk = false }
                }
                return out.joined(separator: "\n")
            }
            same("dumpxml", "--inactive", guest, masking: disks)
            _ = both("undefine", guest)
        }
    }

    /// `change-media` on a CD-ROM drive (IDE, as virt-install puts one on
    /// i440fx): the XML virsh sends, the drive emptied and filled live and
    /// in the definition, QEMU's view of it (`query-block`), the refusals;
    /// one driver after the other, as both guests share the image.
    @Test func changeMediaLooksTheSame() throws {
        let guest = "\(name)cd"
        let iso1 = root.path + "/one.iso", iso2 = root.path + "/two.iso"
        for iso in [iso1, iso2] {
            FileManager.default.createFile(atPath: iso, contents: Data(repeating: 0, count: 1 << 20))
            chmod(iso, 0o644)
        }
        let cdrom = "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='\(iso1)'/>"
            + "<target dev='hdc' bus='ide'/><readonly/></disk>"
        let xml = CounterGuest.domainXML(name: guest, disk: try CounterGuest.disk(in: root.path, name: "cd.img"),
                                         serialLog: root.path + "/cd-serial.log", extraDevices: cdrom)
        let file = root.path + "/\(guest).xml"
        try xml.write(toFile: file, atomically: true, encoding: .utf8)
        // QEMU's view of the drive: its file, or none.
        let media = { (t: String) -> String in
            guard let data = t.data(using: .utf8), let reply = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let devices = reply["return"] as? [[String: Any]] else { return t }
            return devices.filter { ($0["qdev"] as? String) == "ide0-1-0" }
                .map { (($0["inserted"] as? [String: Any])?["file"] as? String) ?? "empty, tray \(($0["tray_open"] as? Bool) == true ? "open" : "closed")" }
                .joined(separator: ",")
        }
        // What libvirtd's XML has that this driver's has not: the live
        // XML's aliases, source indexes and empty <backingStore/> (whose
        // indentation virsh keeps as blank lines when it drops them).
        let libvirtOnly = { (t: String) -> String in
            t.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { line in !line.allSatisfy(\.isWhitespace) || line.isEmpty }
                .filter { !$0.contains("<alias ") && !$0.contains("<backingStore/>") }
                .joined(separator: "\n")
                .replacingOccurrences(of: #" index="\d+""#, with: "", options: .regularExpression)
        }
        func life(_ virsh: ([String]) -> VirshResult) -> [(String, VirshResult)] {
            var out: [(String, VirshResult)] = []
            func run(_ args: String..., mask: (String) -> String = { $0 }) {
                var r = virsh(args)
                r.stdout = mask(r.stdout)
                out.append((args.joined(separator: " "), r))
            }
            run("define", file)
            // Shut off: the definition.
            run("change-media", guest, "hdc", "--eject", "--print-xml", mask: libvirtOnly)
            run("change-media", guest, "hdc", iso2, "--update", "--print-xml", mask: libvirtOnly)
            run("change-media", guest, iso1, "--insert", iso2)
            run("change-media", guest, "hdc", "--eject", "--config")
            run("domblklist", guest)
            run("change-media", guest, "hdc", "--eject")
            run("change-media", guest, "hdc", iso1, "--insert")
            run("domblklist", guest)
            run("start", guest)
            // Running: the live drive, QEMU's medium.
            run("change-media", guest, "hda", iso2)
            run("change-media", guest, "hdz", iso2)
            run("change-media", guest, "hdc")
            run("change-media", guest, "hdc", "--eject", "--block")
            run("change-media", guest, "hdc", iso2, "--print-xml", mask: libvirtOnly)
            run("change-media", guest, "hdc", iso2)
            run("qemu-monitor-command", guest, "query-block", mask: media)
            run("domblklist", guest)
            run("change-media", guest, "hdc", "--eject")
            run("qemu-monitor-command", guest, "query-block", mask: media)
            run("domblklist", guest)
            run("change-media", guest, "hdc", root.path + "/nosuch.iso", "--insert")
            run("change-media", guest, "hdc", iso1, "--insert", "--live", "--config")
            run("qemu-monitor-command", guest, "query-block", mask: media)
            run("domblklist", guest)
            run("domblklist", "--inactive", guest)
            run("change-media", guest, "hdc", iso1, "--live")
            run("qemu-monitor-command", guest, "query-block", mask: media)
            // --update without a source ejects. (A drive already empty is
            // not compared: libvirtd's live XML keeps an empty <source
            // index=...>, so its virsh sends an eject; this driver's has
            // none, so virsh says the drive "doesn't have media".)
            run("change-media", guest, "hdc", "--update", "--live")
            run("qemu-monitor-command", guest, "query-block", mask: media)
            run("destroy", guest)
            run("domblklist", guest)
            run("undefine", guest)
            return out
        }
        let ours = life { Virsh.run(Virsh.ours ?? "", $0, env: self.embedded) }
        let ref = life { Virsh.run(Virsh.reference, $0, env: Self.system) }
        #expect(ours.count == ref.count)
        for (o, r) in zip(ours, ref) {
            #expect(Self.monitorMasked(o.1.stdout) == Self.monitorMasked(r.1.stdout) && Self.monitorMasked(o.1.stderr) == Self.monitorMasked(r.1.stderr)
                    && o.1.status == r.1.status, "virsh \(o.0)\nours: \(o.1.status) [\(o.1.stdout)] [\(o.1.stderr)]\nlibvirtd: \(r.1.status) [\(r.1.stdout)] [\(r.1.stderr)]")
        }
        let qemuSaw = ours.filter { $0.0.hasPrefix("qemu-monitor-command") }.map(\.1.stdout)
        #expect(qemuSaw == [iso2, "empty, tray closed", "empty, tray closed", iso1, "empty, tray closed"],
                "QEMU's medium after each change: \(qemuSaw)")
    }

    /// The running part of the life: the results of each command, with
    /// what differs by nature masked.
    func running(sameHost: String, _ virsh: ([String]) -> VirshResult) throws -> [(String, VirshResult)] {
        var out: [(String, VirshResult)] = []
        func run(_ args: String..., mask: (String) -> String = { $0 }) {
            run(args, mask: mask)
        }
        func run(_ args: [String], mask: (String) -> String = { $0 }) {
            var r = virsh(args)
            r.stdout = mask(r.stdout)
            r.stderr = mask(r.stderr)
            out.append((args.joined(separator: " "), r))
        }
        let noCPUTimeNorId = { (t: String) in dropping("Id:", dropping("CPU time:", t)) }
        // The id and the padding after it: the two drivers' ids need not
        // have as many digits (Debian's libvirtd counts every guest it has
        // started since it began).
        let idMasked = { (t: String) in t.replacingOccurrences(of: #"(?m)^ *\d+ +"#, with: " N ", options: .regularExpression) }
        run("start", name)
        run("dominfo", name, mask: noCPUTimeNorId)
        run("domstate", "--reason", name)
        run("start", name)
        run("list", "--all", "--name")
        run("list", mask: { idMasked(self.listRow($0)) })
        run("domjobinfo", name)
        // The counter guest has no display: both drivers say so alike.
        run("domdisplay", name)
        run("domdisplay", "--type", "spice", name)
        run("domdisplay", "--all", "--type", "vnc", name)
        run("vncdisplay", name)
        run("domstats", "--state", name)
        // The figures differ by nature; the fields are libvirt's.
        let figures = { (t: String) in
            t.replacingOccurrences(of: #"(?m)^(  (cpu\.(time|user|system)|balloon\.rss))=\d+$"#, with: "$1=N", options: .regularExpression)
        }
        run("domstats", "--cpu-total", "--balloon", name, mask: figures)
        // vCPU threads' times, the disk's request times and sizes on the
        // host differ by nature. libvirtd also numbers each storage source
        // (`block.N.backingIndex`, the `index` of its live XML), which this
        // driver does not: left out of the comparison.
        let groupFigures = { (t: String) in
            t.replacingOccurrences(of: #"(?m)^(  (vcpu\.\d+\.(time|wait|delay)|block\.\d+\.((rd|wr|fl)\.times|allocation|physical)))=\d+$"#,
                                   with: "$1=N", options: .regularExpression)
                .replacingOccurrences(of: #"(?m)^  block\.\d+\.backingIndex=\d+\n"#, with: "", options: .regularExpression)
        }
        run("domstats", "--vcpu", "--interface", "--block", name, mask: groupFigures)
        run("domblklist", "--details", name)
        run("domiflist", name)
        run("domcontrol", name)
        // The counter guest has no agent channel.
        run("domtime", name)
        run("domfsinfo", name)
        run("guestinfo", name)
        run("guestinfo", name, "--os")
        run("domhostname", name)
        run("domhostname", "--source", "lease", name)
        run("shutdown", "--mode", "agent", name)
        run("reboot", "--mode", "agent", name)
        run("dommemstat", name, mask: { $0.replacingOccurrences(of: #"(?m)^rss \d+$"#, with: "rss N", options: .regularExpression) })
        run("suspend", name)
        run("domstate", "--reason", name)
        run("domstats", "--state", "--raw", name, name)
        run("resume", name)
        run("domstate", "--reason", name)
        // Migration limits of a running domain, QEMU's defaults first.
        run("migrate-getspeed", name)
        run("migrate-getmaxdowntime", name)
        run("migrate-setmaxdowntime", name, "150")
        run("migrate-getmaxdowntime", name)
        run("migrate-setspeed", name, "8796093022208")
        run("migrate-setspeed", name, "200")
        run("migrate-getspeed", name)
        run("migrate-getspeed", "--postcopy", name)
        run("migrate-setspeed", "--postcopy", name, "10")
        run("migrate-getspeed", "--postcopy", name)
        // Disks plugged in and out: the refusals both drivers make before
        // QEMU is asked (an image that is not there, a target in use, the
        // IDE boot disk). An IDE disk plugged in is refused by both, in
        // other words: libvirtd lets QEMU say "Bus 'ide.0' does not
        // support hotplugging", the driver refuses it first.
        // desc of a running domain: live, config, the current one.
        run("desc", name)
        run("desc", name, "--live", "only while it runs")
        run("desc", name)
        run("desc", name, "--config")
        run("desc", name, "--title", "--live", "new\ntitle")
        // Metadata of a running domain: live, config, both.
        run("metadata", name, "http://app3.org/", "--key", "app3", "--set", "<live/>", "--live")
        run("metadata", name, "http://app3.org/")
        run("metadata", name, "http://app3.org/", "--config")
        run("metadata", name, "http://app3.org/", "--key", "app3", "--set", "<both/>", "--live", "--config")
        run("metadata", name, "http://app3.org/", "--config")
        run("metadata", name, "http://app3.org/", "--remove", "--live")
        run("metadata", name, "http://app3.org/", "--live")
        // vCPUs: where and how long each ran differs by nature.
        let vcpuMasked = { (t: String) in
            t.replacingOccurrences(of: #"(?m)^(CPU:|CPU time:) +.*$"#, with: "$1 N", options: .regularExpression)
        }
        run("vcpuinfo", name, mask: vcpuMasked)
        run("vcpuinfo", "--pretty", name, mask: vcpuMasked)
        // I/O counters: the same fields in the same order (the figures
        // differ by nature).
        let counts = { (t: String) in t.replacingOccurrences(of: #"(?m) \d+$"#, with: " N", options: .regularExpression) }
        run("domblkstat", name, "hda", mask: counts)
        run("domblkstat", name, "--human", mask: counts)
        run("domblkstat", name, "nosuch")
        run("domifstat", name, "vnet0")
        run("attach-disk", name, "/nonexistent.img", "hda")
        run("attach-disk", name, "/nonexistent.img", "hdb", "--targetbus", "ide")
        run("attach-disk", name, "/dev/null", "hda")
        run("detach-disk", name, "hda")
        run("detach-disk", name, "vdz")
        // Commands for QEMU's monitor: the same QEMU answers both drivers.
        for args in Self.monitorCommands {
            run(["qemu-monitor-command", name] + args, mask: Self.monitorMasked)
        }
        run("dominfo", name, mask: noCPUTimeNorId)
        // Migrating to this same host without --local is refused by the
        // destination's Prepare phase, in libvirt's words (libvirtd first
        // wants --unsafe for its uncached disk).
        run("migrate", "--live", "--unsafe", name, sameHost, mask: maskingUUIDs)
        let refused = virsh(["migrate", "--live", "--unsafe", name, sameHost])
        #expect(maskingUUIDs(refused.stderr) == "error: internal error: Attempt to migrate guest to the same host UUID\n")
        try sameLiveXMLFields(virsh(["dumpxml", name]).stdout, virsh(["dumpxml", "--inactive", name]).stdout)
        run("destroy \(name); domstate --reason \(name); destroy \(name)")
        run("qemu-monitor-command", name, "query-status")
        return out
    }

    /// `qemu-monitor-command` arguments, after the domain: QMP in its
    /// forms, HMP, QEMU's error replies, virsh's and libvirt's errors.
    static let monitorCommands: [[String]] = [
        [#"{"execute":"query-version"}"#], ["--pretty", "query-version"], ["--return-value", "query-version"],
        ["--pretty", "--return-value", "query-status"], ["query-name"], ["--hmp", "info status"], ["--hmp", "info", "version"],
        ["--hmp", "nosuchcmd"], ["nosuch"], [#"{"foo":1}"#], ["query-status", #"{"a":1}"#],
        ["human-monitor-command", #""command-line":"info status""#], ["--pretty", "qom-list-types", #""implements":"nosuch-type""#],
        ["query-status", "bar"], [#"{"execute":"query-status","id":"mine"}"#], ["--return-value", "nosuch"], ["--hmp", "--pretty", "info"],
    ]

    /// Each monitor numbers its own commands; the embedded driver's taint
    /// warning goes to its process's stderr (libvirtd's to its log).
    static func monitorMasked(_ text: String) -> String {
        text.replacingOccurrences(of: #""libvirt-[0-9]+""#, with: #""libvirt-N""#, options: .regularExpression)
            .replacingOccurrences(of: #"(?m)^.*: warning : qemu_driver: Domain id=[0-9]+ name='[^']*' uuid=[-0-9a-f]+ is tainted: custom-monitor\n"#,
                                  with: "", options: .regularExpression)
    }

    /// What `dumpxml` gives on each driver, for the comparison that follows.
    var xmlSeen: [(live: String, inactive: String)] = []

    /// `dumpxml`: the elements both drivers write from the definition;
    /// called once per driver, the second call compares with the first.
    func sameLiveXMLFields(_ live: String, _ inactive: String) throws {
        xmlSeen.append((live, inactive))
        guard xmlSeen.count == 2 else { return }
        let mine = try XMLDocument(xmlString: xmlSeen[0].live), theirs = try XMLDocument(xmlString: xmlSeen[1].live)
        for path in ["/domain/@type", "/domain/name", "/domain/uuid", "/domain/memory", "/domain/memory/@unit",
                     "/domain/currentMemory", "/domain/vcpu", "/domain/os/type", "/domain/os/type/@arch",
                     "/domain/os/boot/@dev", "/domain/on_poweroff", "/domain/on_reboot", "/domain/on_crash",
                     "/domain/devices/disk/@type", "/domain/devices/disk/@device", "/domain/devices/disk/driver/@type",
                     "/domain/devices/disk/source/@file", "/domain/devices/disk/target/@dev",
                     "/domain/devices/disk/target/@bus", "/domain/devices/serial/@type",
                     "/domain/devices/serial/source/@path", "/domain/devices/console/@type",
                     "/domain/devices/memballoon/@model"] {
            let a = try mine.nodes(forXPath: path).map { $0.stringValue ?? "" }
            let b = try theirs.nodes(forXPath: path).map { $0.stringValue ?? "" }
            #expect(a == b, "\(path)")
            #expect(!a.isEmpty, "\(path)")
        }
        // Both give the live id on the root element, and none inactive.
        #expect(try mine.nodes(forXPath: "/domain/@id").count == 1)
        #expect(try theirs.nodes(forXPath: "/domain/@id").count == 1)
        #expect(try XMLDocument(xmlString: xmlSeen[0].inactive).nodes(forXPath: "/domain/@id").isEmpty)
        #expect(try XMLDocument(xmlString: xmlSeen[1].inactive).nodes(forXPath: "/domain/@id").isEmpty)
    }
}
