import Foundation
import Testing
import TestSupport

/// The same counter guest (one name, one UUID) for our virsh on an
/// embedded root and for Debian's virsh on Debian's libvirtd, each with
/// its own directory and disk (QEMU locks its image), for golden tests
/// that run both guests at once. `DIR` in a command's arguments is each
/// side's directory, and both outputs show it as `DIR`.
final class TwinGuests {
    let root: TestRoot
    let name: String
    let uuid = UUID().uuidString.lowercased()
    let reference: ReferenceLibvirtd?
    var embedded: [String: String] { ["LIBVIRT_DEFAULT_URI": root.uri] }
    static let system = ["LIBVIRT_DEFAULT_URI": "qemu:///system"]

    /// - Parameter definitions: file names in each directory, with the
    ///   devices each definition adds to the counter guest.
    /// - Parameter vcpu: the definitions' `<vcpu>` (and `<vcpus>`).
    /// - Parameter features: what their `<features>` holds.
    init(_ label: String, definitions: [(file: String, extraDevices: String)], vcpu: String = "<vcpu>1</vcpu>",
         features: String = "") throws {
        root = TestRoot(label)
        name = "lm\(label)\(getpid() % 100_000)"
        chmod(root.path, 0o755) // libvirtd's QEMU runs as libvirt-qemu
        for side in ["ours", "ref"] {
            let dir = root.path + "/" + side
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let disk = try CounterGuest.disk(in: dir)
            for d in definitions {
                try CounterGuest.domainXML(name: name, uuid: uuid, disk: disk, serialLog: dir + "/serial.log", extraDevices: d.extraDevices,
                                           features: features, vcpu: vcpu)
                    .write(toFile: dir + "/" + d.file, atomically: true, encoding: .utf8)
            }
        }
        reference = ReferenceLibvirtd.acquire()
        #expect(reference != nil, "Debian's libvirtd (libvirt-daemon-system) does not answer on \(ReferenceLibvirtd.uri)")
        #expect(Virsh.ours != nil, "our virsh is not built")
    }

    deinit {
        Virsh.reference("destroy", name, env: Self.system)
        Virsh.reference("undefine", name, env: Self.system)
        Virsh.ours("destroy", name, env: embedded)
        Virsh.ours("undefine", name, env: embedded)
        reference?.release()
        #expect(root.cleanup() == [], "the test leaves nothing behind")
    }

    /// A side's directory.
    func dir(_ side: String) -> String { root.path + "/" + side }

    func both(_ args: [String]) -> (ours: VirshResult, ref: VirshResult) {
        func run(_ virsh: String, _ side: String, _ env: [String: String]) -> VirshResult {
            var r = Virsh.run(virsh, args.map { $0.replacingOccurrences(of: "DIR", with: dir(side)) }, env: env)
            r.stdout = r.stdout.replacingOccurrences(of: dir(side), with: "DIR")
            r.stderr = r.stderr.replacingOccurrences(of: dir(side), with: "DIR")
            return r
        }
        return (run(Virsh.ours ?? "", "ours", embedded), run(Virsh.reference, "ref", Self.system))
    }

    func both(_ args: String...) -> (ours: VirshResult, ref: VirshResult) { both(args) }

    func same(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        same(args, sourceLocation: sourceLocation)
    }

    /// The same output, errors and status from both.
    func same(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let (o, r) = both(args)
        #expect(o == r, "virsh \(args.joined(separator: " "))", sourceLocation: sourceLocation)
    }
}
