import virutil
import Foundation
import Glibc
import TestSupport

// CLI latency: `virsh list --all` and `virsh dominfo` with 50 defined
// domains, our virsh on its embedded driver against Debian's virsh on
// Debian's libvirtd (qemu:///system), side by side, interleaved, in one
// run. Each figure is the wall time of a whole command, as a user or a
// script sees it (process start, connection, the call, output, exit).

let domains = 50
let runs = Int(ProcessInfo.processInfo.environment["VIRSH_BENCH_RUNS"] ?? "") ?? 40

func fail(_ m: String) -> Never {
    FileHandle.standardError.write(Data("virsh-bench: \(m)\n".utf8))
    exit(1)
}

let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let ours = here.appendingPathComponent("virsh").path
let reference = "/usr/bin/virsh"
guard FileManager.default.isExecutableFile(atPath: ours) else { fail("build our virsh first: \(ours)") }
guard FileManager.default.isExecutableFile(atPath: reference) else { fail("Debian's virsh is missing (libvirt-clients)") }

/// Runs a command, output discarded; the wall time in ms and the status.
/// The project's spawner and waitpid, so that the figure is the command's
/// own (Foundation's Process polls for the exit every 50 ms or so).
func timed(_ binary: String, _ args: [String], env: [String: String]) -> (Double, Int32) {
    var e = ProcessInfo.processInfo.environment
    for (k, v) in env { e[k] = v }
    let command = VirCommand([binary] + args, environment: e.map { "\($0.key)=\($0.value)" })
    let start = DispatchTime.now()
    let child: VirCommand.Child
    do { child = try command.spawn() } catch { fail("cannot run \(binary): \(error.message)") }
    let status = VirCommand.wait(child.pid)
    let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    return (ms, VirCommand.exitCode(status))
}

// The real libvirtd: started by hand if it does not run (no systemd), and
// stopped at the end if this run started it.
guard let libvirtd = ReferenceLibvirtd.acquire() else { fail("Debian's libvirtd (libvirt-daemon-system) does not answer on qemu:///system") }
if access("/dev/kvm", F_OK) == 0 {
    var st = stat()
    if stat("/dev/kvm", &st) == 0 && st.st_mode & 0o060 == 0 {
        print("note: /dev/kvm is not group-accessible (udev would make it root:kvm 0660); libvirtd then")
        print("      probes QEMU again for every definition, and setting up takes minutes.")
    }
}

let root = TestRoot("bench")
let embedded = ["LIBVIRT_DEFAULT_URI": root.uri]
let system = ["LIBVIRT_DEFAULT_URI": "qemu:///system"]
let names = (0..<domains).map { String(format: "lmbench%02d", $0) }

@MainActor func cleanup() {
    for n in names {
        _ = timed(reference, ["-c", "qemu:///system", "undefine", n], env: [:])
    }
    libvirtd.release()
    root.cleanup()
}

print("Setting up \(domains) defined domains in our embedded root and in libvirtd...")
for (i, n) in names.enumerated() {
    let xml = CounterGuest.domainXML(name: n, uuid: String(format: "6c6d6265-6e63-4800-8000-0000000000%02x", i),
                                     disk: root.path + "/disk.img", serialLog: root.path + "/\(n).log")
    let file = root.path + "/\(n).xml"
    do { try xml.write(toFile: file, atomically: true, encoding: .utf8) } catch { fail("\(error)") }
    let a = timed(ours, ["define", file], env: embedded), b = timed(reference, ["define", file], env: system)
    if a.1 != 0 || b.1 != 0 {
        cleanup()
        fail("define \(n) failed (ours: \(a.1), libvirtd: \(b.1))")
    }
}

struct Figures {
    var samples: [Double] = []
    var sorted: [Double] { samples.sorted() }
    var median: Double { let s = sorted; return s.isEmpty ? 0 : s[s.count / 2] }
    var p90: Double { let s = sorted; return s.isEmpty ? 0 : s[min(s.count - 1, s.count * 9 / 10)] }
    var mean: Double { samples.isEmpty ? 0 : samples.reduce(0, +) / Double(samples.count) }
}

let commands: [(String, [String])] = [("list --all", ["list", "--all"]), ("dominfo", ["dominfo", names[domains / 2]])]
var results: [(String, Figures, Figures)] = []
for (label, args) in commands {
    // Warm up both (page cache, libvirtd's first call).
    for _ in 0..<3 {
        _ = timed(ours, args, env: embedded)
        _ = timed(reference, args, env: system)
    }
    var o = Figures(), r = Figures()
    for _ in 0..<runs {
        let a = timed(ours, args, env: embedded), b = timed(reference, args, env: system)
        guard a.1 == 0, b.1 == 0 else {
            cleanup()
            fail("\(label) failed (ours: \(a.1), libvirtd: \(b.1))")
        }
        o.samples.append(a.0)
        r.samples.append(b.0)
    }
    results.append((label, o, r))
}
cleanup()

func ms(_ v: Double) -> String { String(format: "%7.1f", v) }
print("")
print("virsh latency, \(domains) defined domains, \(runs) runs each, interleaved (ms, wall time per command)")
print("command       | ours (embedded driver)    | Debian virsh + libvirtd   | ours / theirs")
print("              | median    p90     mean    | median    p90     mean    | (median)")
for (label, o, r) in results {
    print("\(label.padding(toLength: 13, withPad: " ", startingAt: 0)) | \(ms(o.median)) \(ms(o.p90)) \(ms(o.mean))  | \(ms(r.median)) \(ms(r.p90)) \(ms(r.mean))  | \(String(format: "%.2f", o.median / r.median))")
}
let slower = results.filter { $0.1.median > $0.2.median }
print(slower.isEmpty ? "target met: ours is no slower." : "target missed for: \(slower.map(\.0).joined(separator: ", "))")
