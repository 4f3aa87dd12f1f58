import Foundation
import Testing
import TestSupport
import domain_conf

/// `capabilities`, `domcapabilities` and `maxvcpus` of our virsh on the
/// embedded driver, against Debian's virsh on Debian's libvirtd, on the
/// same host. The embedded root's QEMU user is libvirtd's
/// (`libvirt-qemu:libvirt-qemu`), so DAC's base label is the same too.
@Suite(.serialized)
final class HostCapabilitiesGoldenTests {
    let root = TestRoot("caps")
    let reference: ReferenceLibvirtd?
    var embedded: [String: String] { ["LIBVIRT_DEFAULT_URI": root.uri] }
    static let system = ["LIBVIRT_DEFAULT_URI": ReferenceLibvirtd.uri]

    init() throws {
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        try "user = \"libvirt-qemu\"\ngroup = \"libvirt-qemu\"\n".write(toFile: root.path + "/etc/qemu.conf", atomically: true, encoding: .utf8)
        reference = ReferenceLibvirtd.acquire()
        #expect(reference != nil, "Debian's libvirtd (libvirt-daemon-system) does not answer on \(ReferenceLibvirtd.uri)")
        #expect(Virsh.ours != nil, "our virsh is not built")
    }

    deinit {
        reference?.release()
        #expect(root.cleanup() == [], "the test leaves nothing behind")
    }

    func both(_ args: String...) -> (ours: VirshResult, ref: VirshResult) {
        (Virsh.run(Virsh.ours ?? "", args, env: embedded), Virsh.run(Virsh.reference, args, env: Self.system))
    }

    func same(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        let (o, r) = (Virsh.run(Virsh.ours ?? "", args, env: embedded), Virsh.run(Virsh.reference, args, env: Self.system))
        #expect(o == r, "virsh \(args.joined(separator: " "))", sourceLocation: sourceLocation)
    }

    /// The host part is libvirtd's to the byte (its CPU decoded with
    /// libvirt's CPU map, its NUMA cells, pages, caches, DAC's label); the
    /// guests differ only as `CapabilitiesGolden.libvirtdAsOurs` says.
    @Test func capabilitiesAreLibvirtdsForTheSameHost() throws {
        let (o, r) = both("capabilities")
        #expect(o.status == 0 && r.status == 0, "\(o)\n\(r)")
        let ours = CapabilitiesGolden.maskUUID(o.stdout), expected = CapabilitiesGolden.libvirtdAsOurs(r.stdout)
        #expect(ours == expected, "\(CapabilitiesGolden.difference(ours, expected))")
        // libvirt's schema for it. Its pattern for host CPU features has no
        // dot, so it refuses libvirtd's own sse4.1 and sse4.2: those lines
        // are left out of both, and both must then be valid.
        let schema = try RelaxNGSchema.load("/usr/share/libvirt/schemas/capability.rng")
        func undotted(_ caps: String) -> String {
            caps.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !($0.contains("<feature name='") && $0.contains(".")) }.joined(separator: "\n")
        }
        #expect(throws: Never.self) { _ = try XMLParser.parse(undotted(r.stdout), url: "(libvirtd)", schema: schema) }
        #expect(throws: Never.self) { _ = try XMLParser.parse(undotted(o.stdout), url: "(capabilities)", schema: schema) }
        same("capabilities", "--help")
        same("capabilities", "extra")
    }

    @Test func maxvcpusIsWhatLibvirtdSays() {
        // The domain capabilities' <vcpu max> of the default machine.
        same("maxvcpus")
        same("maxvcpus", "--type", "kvm")
        same("maxvcpus", "kvm")
        // TCG: the same machine's limit (virConnectGetMaxVcpus would say 16).
        same("maxvcpus", "--type", "qemu")
        // Refused by both calls, virConnectGetMaxVcpus's message.
        same("maxvcpus", "--type", "bogus")
        same("maxvcpus", "--type", "")
        same("maxvcpus", "--help")
    }

    /// Identical where the two drivers run the same, never more than
    /// libvirtd elsewhere, valid by libvirt's schema; the errors are
    /// libvirtd's.
    @Test func domcapabilitiesAgreeWithLibvirtdAndNeverPromiseMore() throws {
        let schema = try RelaxNGSchema.load("/usr/share/libvirt/schemas/domaincaps.rng")
        for args in [[], ["--virttype", "qemu"], ["--machine", "q35"], ["--virttype", "qemu", "--machine", "pc-q35-7.2"],
                     ["--arch", "x86_64", "--emulatorbin", "/usr/bin/qemu-system-x86_64"]] {
            let o = Virsh.run(Virsh.ours ?? "", ["domcapabilities"] + args, env: embedded)
            let r = Virsh.run(Virsh.reference, ["domcapabilities"] + args, env: Self.system)
            #expect(o.status == 0 && r.status == 0, "domcapabilities \(args): \(o)\n\(r)")
            let problems = DomainCapabilitiesGolden.check(ours: o.stdout, libvirtd: r.stdout)
            #expect(problems.isEmpty, "domcapabilities \(args):\n\(problems.joined(separator: "\n"))")
            #expect(throws: Never.self) { _ = try XMLParser.parse(o.stdout, url: "(domcapabilities)", schema: schema) }
        }
        for args in [["--virttype", "bogus"], ["--virttype", "xen"], ["--virttype", "hvf"], ["--arch", "bogus"], ["--arch", "aarch64"],
                     ["--machine", "nope"], ["--emulatorbin", "/nonexistent"], ["--virttype", ""], ["--help"]] {
            same(["domcapabilities"] + args)
        }
    }

    func same(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let (o, r) = (Virsh.run(Virsh.ours ?? "", args, env: embedded), Virsh.run(Virsh.reference, args, env: Self.system))
        #expect(o == r, "virsh \(args.joined(separator: " "))", sourceLocation: sourceLocation)
    }
}
