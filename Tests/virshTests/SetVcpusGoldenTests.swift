import Foundation
import Testing
import TestSupport

/// `setvcpus` and `vcpucount` on the same counter guest (one vCPU of four
/// online, ACPI) in our embedded driver (our virsh) and in Debian's
/// libvirtd (Debian's virsh): the same output, errors and exit codes, the
/// same `<vcpu>` and `<vcpus>` in the definitions, and vCPUs plugged into
/// each QEMU the same way.
@Suite(.serialized)
final class SetVcpusGoldenTests {
    let twins: TwinGuests
    var name: String { twins.name }

    init() throws {
        twins = try TwinGuests("vcpus", definitions: [("guest.xml", "")], vcpu: "<vcpu current='1'>4</vcpu>",
                               features: "<acpi/>")
    }

    func same(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        twins.same(args, sourceLocation: sourceLocation)
    }

    /// The same `<vcpu>`/`<vcpus>` on both sides, and that block.
    @discardableResult
    func sameVcpus(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        let (o, r) = twins.both(["dumpxml"] + args + [name])
        #expect(o.status == 0 && r.status == 0, "\(o) \(r)", sourceLocation: sourceLocation)
        let (ours, theirs) = (DomainXMLVcpus.lines(o.stdout), DomainXMLVcpus.lines(r.stdout))
        #expect(ours == theirs, "dumpxml \(args)", sourceLocation: sourceLocation)
        return ours
    }

    /// The QOM paths of the vCPUs a running QEMU has, by `cpu-index`.
    func qemuVcpus(_ side: String) -> [Int: String] {
        let (o, r) = twins.both("qemu-monitor-command", name, #"{"execute":"query-cpus-fast"}"#)
        let out = side == "ours" ? o.stdout : r.stdout
        guard let data = out.data(using: .utf8),
              let reply = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cpus = reply["return"] as? [[String: Any]] else { return [:] }
        return Dictionary(cpus.compactMap { c in (c["cpu-index"] as? Int).map { ($0, c["qom-path"] as? String ?? "") } },
                          uniquingKeysWith: { a, _ in a })
    }

    @Test func setvcpusAndVcpucountAreLibvirts() throws {
        #expect(twins.both("define", "DIR/guest.xml").ours.status == 0)
        // Shut off: the definition only, and virsh's and libvirt's refusals.
        same("vcpucount", name)
        same("vcpucount", name, "--maximum")
        same("vcpucount", name, "--active", "--config")
        same("vcpucount", name, "--live")
        same("vcpucount", name, "--guest")
        same("vcpucount", name, "--live", "--config")
        same("vcpucount", name, "--active", "--maximum")
        same("setvcpus", name, "2", "--live")
        same("setvcpus", name, "0")
        same("setvcpus", name, "-1")
        same("setvcpus", name, "two")
        same("setvcpus", name)
        same("setvcpus", name, "5", "--config")
        same("setvcpus", name, "2", "--maximum")
        same("setvcpus", name, "2", "--current", "--live")
        same("setvcpus", name, "2", "--guest", "--config")
        same("setvcpus", name, "1", "--guest")
        same("setvcpus", "nosuch", "2")
        #expect(twins.both("setvcpus", name, "0").ours == VirshResult(stdout: "\n", stderr: "error: Can't set 0 processors for a VM\n", status: 1))
        #expect(twins.both("setvcpus", name, "5", "--config").ours.stderr
                == "error: invalid argument: requested vcpus is greater than max allowable vcpus for the persistent domain: 5 > 4\n")
        #expect(twins.both("vcpucount", name).ours.stdout == "maximum      config         4\ncurrent      config         1\n\n")
        same("setvcpus", name, "2", "--config")
        #expect(sameVcpus("--inactive") == ["  <vcpu placement='static' current='2'>4</vcpu>"])
        same("setvcpus", name, "3", "--config", "--hotpluggable")
        #expect(sameVcpus("--inactive").count == 7)
        same("setvcpus", name, "1")
        sameVcpus("--inactive")
        same("vcpucount", name)

        // Running: vCPUs plugged into QEMU, in the live definition only.
        let started = twins.both("start", name)
        #expect(started.ours == started.ref, "\(started)")
        sameVcpus()
        same("setvcpus", name, "3")
        let live = sameVcpus()
        #expect(live.contains("    <vcpu id='2' enabled='yes' hotpluggable='yes' order='3'/>"), "\(live)")
        same("vcpucount", name)
        same("vcpucount", name, "--active", "--live")
        same("vcpucount", name, "--maximum", "--current")
        let info = twins.both("dominfo", name)
        let cpus = { (r: VirshResult) in r.stdout.split(separator: "\n").filter { $0.hasPrefix("CPU(s):") } }
        #expect(cpus(info.ours) == cpus(info.ref) && cpus(info.ours) == ["CPU(s):         3"], "\(info)")
        sameVcpus("--inactive")
        let ours = qemuVcpus("ours"), theirs = qemuVcpus("ref")
        #expect(ours == theirs && ours.count == 3 && ours[2] == "/machine/peripheral/vcpu2", "\(ours) \(theirs)")
        same("setvcpus", name, "4", "--live", "--config")
        sameVcpus()
        sameVcpus("--inactive")
        same("setvcpus", name, "5", "--live")
        // An unplug: refused here under TCG, whose QEMU would crash on the
        // next plug or migration (libvirtd asks QEMU, which cannot take a
        // vCPU back from a guest without an OS).
        let unplug = twins.both("setvcpus", name, "2", "--live")
        #expect(unplug.ours.stderr == "error: Operation not supported: cannot unplug vCPUs from domain '\(name)' under TCG: "
                + "its QEMU would crash on the next vCPU plug or migration\n", "\(unplug.ours)")
        #expect(unplug.ref.stderr
                == "error: internal error: unable to execute QEMU command 'device_del': acpi: device unplug request for not supported device type: qemu64-x86_64-cpu\n")
        #expect(unplug.ours.status == 1 && unplug.ref.status == 1)
        same("setvcpus", name, "4", "--live")
        same("setvcpus", name, "2", "--maximum", "--config", "--live")
        same("setvcpus", name, "1", "--guest")
        same("vcpucount", name, "--guest")
        same("setvcpus", name, "2", "--config")
        sameVcpus()
        sameVcpus("--inactive")
        same("destroy", name)
        sameVcpus("--inactive")
        same("setvcpus", name, "3", "--maximum", "--config")
        same("vcpucount", name)
        same("undefine", name)
    }
}
