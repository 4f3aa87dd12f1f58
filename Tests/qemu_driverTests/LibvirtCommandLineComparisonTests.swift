import Foundation
import Testing
import TestSupport
import qemu_driver
import qemu_monitor

/// The driver's command line for each virt-install definition against
/// libvirt 9.0's (`fixtures/virt-install/*.args`, written by Debian's
/// `virsh domxml-to-native`, scripts/make-virt-install-args.sh): the same
/// devices, with the same ids, drivers, buses and addresses, so the guest
/// sees the same hardware; the same firmware images.
@Suite struct LibvirtCommandLineComparisonTests {
    static let folder = VirtInstallCorpusTests.folder

    /// A `-device` argument as a dictionary: libvirt writes JSON, the
    /// driver `driver,key=value,...`. Numbers become their decimal text.
    static func device(_ arg: String) -> [String: String] {
        if arg.hasPrefix("{"), case .object(let object)? = try? JSONValue(parsing: arg) {
            return object.mapValues { v in
                switch v {
                case .bool(let b): b ? "on" : "off"
                case .int(let n): String(n)
                case .uint(let n): String(n)
                case .string(let s): s
                default: "\(v)"
                }
            }
        }
        var parts = arg.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var d = ["driver": parts.removeFirst()]
        for p in parts {
            let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
            d[kv[0]] = kv.count > 1 ? kv[1] : "on"
        }
        return d
    }

    static func values(_ argv: [String], _ option: String) -> [String] {
        argv.indices.filter { argv[$0] == option && $0 + 1 < argv.count }.map { argv[$0 + 1] }
    }

    /// Normalises an address: `0x2.0x1` and `0x02.0x1` alike.
    static func address(_ a: String?) -> String? {
        guard let a else { return nil }
        return a.split(separator: ".").map { part -> String in
            let hex = part.hasPrefix("0x") ? part.dropFirst(2) : part[...]
            return UInt64(hex, radix: 16).map { String($0, radix: 16) } ?? String(part)
        }.joined(separator: ".")
    }

    @Test(arguments: VirtInstallCorpusTests.files)
    func devicesMatchLibvirts(_ file: String) async throws {
        let root = TestRoot("cmp")
        defer { #expect(root.cleanup() == []) }
        let reference = try String(contentsOf: Self.folder.appendingPathComponent(file.replacingOccurrences(of: ".xml", with: ".args")),
                                   encoding: .utf8).split(separator: "\n").map(String.init)
        let disks = root.path + "/images"
        let template = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
        try FileManager.default.createDirectory(atPath: disks, withIntermediateDirectories: true)
        try VirtInstallCorpusTests.makeDisks(for: template, in: disks)
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let line = try conn.domainXMLToNative(format: "qemu-argv", xml: template.replacingOccurrences(of: "@DISKDIR@", with: disks))
        var ours = ShellWords.split(line)
        while let first = ours.first, first.range(of: "^[A-Z_]+=", options: .regularExpression) != nil { ours.removeFirst() }
        #expect(ours.first == reference.first, "the same emulator")

        let theirs = Self.values(reference, "-device").map(Self.device)
        let mine = Self.values(ours, "-device").map(Self.device)
        let byID = Dictionary(mine.compactMap { d in d["id"].map { ($0, d) } }, uniquingKeysWith: { a, _ in a })
        #expect(Set(mine.compactMap { $0["id"] }) == Set(theirs.compactMap { $0["id"] }), "the same device ids")
        for t in theirs {
            guard let id = t["id"], let m = byID[id] else { continue }
            #expect(m["driver"] == t["driver"], "\(file): device \(id)")
            #expect(m["bus"] == t["bus"], "\(file): bus of \(id)")
            #expect(Self.address(m["addr"]) == Self.address(t["addr"]), "\(file): address of \(id)")
            for key in ["port", "chassis", "bootindex", "nr", "name", "mac", "index", "p2", "p3", "masterbus", "firstport",
                        "multifunction", "cad", "max_outputs"] where t[key] != nil || m[key] != nil {
                let a = m[key].flatMap { $0.hasPrefix("0x") ? UInt64($0.dropFirst(2), radix: 16).map(String.init) : $0 } ?? m[key]
                #expect(a == t[key], "\(file): \(key) of \(id)")
            }
        }
        // The machine, its options and globals. Two differences are the
        // driver's choice: guest RAM without <memoryBacking> is `-m size=`
        // with no backend object (libvirt: memory-backend-ram `pc.ram`),
        // which the guest does not see; and HPET off is the machine
        // property, which QEMU 7.2 and 10.0 both take, where libvirt 9.0
        // writes `-no-hpet`, which QEMU 10.0 no longer has.
        let machine = { (argv: [String]) in
            Set((Self.values(argv, "-machine").first ?? "").split(separator: ",").map(String.init)
                .filter { !$0.hasPrefix("memory-backend=") && $0 != "hpet=off" })
        }
        #expect(machine(ours) == machine(reference), "\(file): -machine")
        #expect(ours.contains("-no-hpet") == false)
        #expect((Self.values(ours, "-machine").first ?? "").contains("hpet=off") == reference.contains("-no-hpet"), "\(file): HPET")
        for option in ["-global", "-rtc", "-smp", "-boot", "-audiodev", "-vnc", "-spice", "-overcommit"] {
            #expect(Self.values(ours, option).sorted() == Self.values(reference, option).sorted(), "\(file): \(option)")
        }
        // The firmware images, for UEFI guests.
        let flash = { (argv: [String]) in
            Self.values(argv, "-blockdev").compactMap { b -> String? in
                guard b.contains("pflash0") else { return nil }
                return b.range(of: #""filename":"([^"]+)""#, options: .regularExpression).map { String(b[$0]) }
            }
        }
        #expect(flash(ours) == flash(reference), "\(file): the same firmware")
    }
}
