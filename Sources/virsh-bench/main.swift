import virutil
import Foundation
import Glibc
import Synchronization
import TestSupport

// CLI latency as the number of running guests grows: `virsh list`,
// `virsh list --all` and `virsh dominfo` with 1, 30 and 100 running
// guests (of 100 defined), for
//
//   - our virsh on its embedded driver (qemu:///embed?root=...), which
//     opens the root with every command;
//   - our virsh through our daemon (virtqemud);
//   - Debian's virsh through our daemon;
//   - Debian's virsh on Debian's libvirtd, a private one
//     (`PrivateLibvirtd`: the system daemon is left alone);
//
// side by side, interleaved, in one run. Each figure is the wall time of a
// whole command, as a user or a script sees it (process start, connection,
// the calls, output, exit). The guests are small and paused (16 MiB, TCG,
// started with `start --paused`, never booted): they cost memory, not CPU.
//
// Targets: ours on the embedded driver and through the daemon, `list` and
// `dominfo` with 100 running guests at most 1.3 x what they take with 1.

let defined = 100
let steps = [1, 30, 100]
let runs = Int(ProcessInfo.processInfo.environment["VIRSH_BENCH_RUNS"] ?? "") ?? 15
let ratioTarget = 1.3

/// Ctrl-C (or SIGTERM) ends the run at the next command, through the
/// clean-up.
let interrupted = Atomic<Bool>(false)
let signals = [SIGINT, SIGTERM].map { sig -> any DispatchSourceSignal in
    signal(sig, SIG_IGN)
    let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
    s.setEventHandler { interrupted.store(true, ordering: .relaxed) }
    s.resume()
    return s
}

/// What the run started, undone on every way out (the end, a failure,
/// Ctrl-C): guests destroyed, daemons stopped, roots removed with any QEMU
/// still under them. Nothing of it is left running.
@MainActor enum Cleanup {
    static var steps: [() -> Void] = []
    /// Cleaning up: an interruption no longer ends the run.
    static var isRunning = false
    static func add(_ step: @escaping () -> Void) { steps.append(step) }
    static func run() {
        isRunning = true
        let all = steps.reversed()
        steps = []
        for step in all { step() }
    }
}

@MainActor func fail(_ m: String) -> Never {
    FileHandle.standardError.write(Data("virsh-bench: \(m)\n".utf8))
    Cleanup.run()
    exit(1)
}

let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let ours = here.appendingPathComponent("virsh").path
let daemonBinary = here.appendingPathComponent("virtqemud").path
let reference = ReferenceLibvirtd.virsh
guard FileManager.default.isExecutableFile(atPath: ours) else { fail("build our virsh first: \(ours)") }
guard FileManager.default.isExecutableFile(atPath: daemonBinary) else { fail("build virtqemud first: \(daemonBinary)") }
guard FileManager.default.isExecutableFile(atPath: reference) else { fail("Debian's virsh is missing (libvirt-clients)") }

/// Runs a command, output discarded; the wall time in ms and the status.
/// The project's spawner and waitpid, so that the figure is the command's
/// own (Foundation's Process polls for the exit every 50 ms or so).
@MainActor func timed(_ binary: String, _ args: [String]) -> (Double, Int32) {
    if interrupted.load(ordering: .relaxed) && !Cleanup.isRunning { fail("interrupted") }
    var e = ProcessInfo.processInfo.environment
    e["LIBVIRT_DEFAULT_URI"] = nil
    e["VIRSH_DEFAULT_CONNECT_URI"] = nil
    e["LC_ALL"] = "C"
    let command = VirCommand([binary] + args, environment: e.map { "\($0.key)=\($0.value)" })
    let start = DispatchTime.now()
    let child: VirCommand.Child
    do { child = try command.spawn() } catch { fail("cannot run \(binary): \(error.message)") }
    let status = VirCommand.wait(child.pid)
    let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    return (ms, VirCommand.exitCode(status))
}

// Guest names carry this run's pid: the clean-up of the private libvirtd's
// QEMUs (whose paths are inside its mount namespace) goes by name.
let prefix = "vb\(getpid())-"
let names = (0..<defined).map { String(format: "\(prefix)%03d", $0) }

/// Kills what is left of this run's guests on the private libvirtd.
func killLeftoverGuests() {
    let left = TestRoot.processes(mentioning: "guest=\(prefix)")
    for pid in left { kill(pid, SIGKILL) }
    _ = Wait.untilBlocking { TestRoot.processes(mentioning: "guest=\(prefix)").isEmpty }
}

/// A root's clean-up kills every QEMU under it and removes it; what it
/// could not undo is said.
func cleanUp(_ root: TestRoot) {
    for problem in root.cleanup() { FileHandle.standardError.write(Data("virsh-bench: \(problem)\n".utf8)) }
}

// The three drivers.
let embeddedRoot = TestRoot("vbemb")
Cleanup.add { cleanUp(embeddedRoot) }
let daemonRoot = TestRoot("vbdmn")
Cleanup.add { cleanUp(daemonRoot) }
let daemonSocket = daemonRoot.path + "/virtqemud.sock"
let daemon: Subprocess
do {
    daemon = try Subprocess(daemonBinary, ["--socket", daemonSocket, "--root", daemonRoot.path + "/root"],
                            stdout: .file(daemonRoot.path + "/virtqemud.log"), stderr: .file(daemonRoot.path + "/virtqemud.log"))
} catch {
    fail("cannot start virtqemud: \(error)")
}
Cleanup.add {
    daemon.terminate()
    if !daemon.wait(timeout: 30) { daemon.signal(SIGKILL) }
}
let daemonURI = "qemu+unix:///system?socket=\(daemonSocket)"
guard Wait.untilBlocking(timeout: .seconds(60), every: .milliseconds(50), { timed(reference, ["-c", daemonURI, "uri"]).1 == 0 }) else {
    fail("virtqemud did not come up")
}
print("Starting a private libvirtd...")
var why = ""
guard let libvirtd = PrivateLibvirtd.start(why: &why) else { fail("Debian's libvirtd: \(why)") }
Cleanup.add {
    // Its guests first (libvirtd notices each end), then the daemon.
    killLeftoverGuests()
    libvirtd.stop()
}

struct Target {
    let label: String
    let virsh: String
    let uri: String
}
let embedded = Target(label: "ours, embedded", virsh: ours, uri: embeddedRoot.uri)
let targets = [
    embedded,
    Target(label: "ours -> virtqemud", virsh: ours, uri: daemonURI),
    Target(label: "Debian -> virtqemud", virsh: reference, uri: daemonURI),
    Target(label: "Debian -> libvirtd", virsh: reference, uri: libvirtd.uri),
]
/// Where guests are defined and started: each driver once, by its own virsh.
let drivers = [targets[0], targets[1], targets[3]]

print("Defining \(defined) domains in each of the embedded root, virtqemud and libvirtd...")
for (i, n) in names.enumerated() {
    let xml = """
    <domain type='qemu'>
      <name>\(n)</name>
      <uuid>\(String(format: "6c6d7662-656e-4368-8000-%012x", i))</uuid>
      <memory unit='MiB'>16</memory>
      <vcpu>1</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type></os>
      <devices><memballoon model='none'/></devices>
    </domain>
    """
    let file = embeddedRoot.path + "/\(n).xml"
    do { try xml.write(toFile: file, atomically: true, encoding: .utf8) } catch { fail("\(error)") }
    for d in drivers {
        let r = timed(d.virsh, ["-c", d.uri, "define", file])
        if r.1 != 0 { fail("define \(n) on \(d.label) failed (status \(r.1))") }
    }
}

struct Figures {
    var samples: [Double] = []
    var sorted: [Double] { samples.sorted() }
    var median: Double {
        let s = sorted
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var min: Double { sorted.first ?? 0 }
    var max: Double { sorted.last ?? 0 }
}

let commands: [(String, [String])] = [("list", ["list"]), ("list --all", ["list", "--all"]), ("dominfo", ["dominfo", names[0]])]
/// figures[step][command][target]
var figures: [[[Figures]]] = []
var running = 0
for step in steps {
    print("Starting guests \(running + 1)-\(step) (paused) on each driver...")
    for n in names[running..<step] {
        for d in drivers {
            let r = timed(d.virsh, ["-c", d.uri, "start", "--paused", n])
            if r.1 != 0 { fail("start \(n) on \(d.label) failed (status \(r.1))") }
        }
    }
    running = step
    var byCommand = commands.map { _ in targets.map { _ in Figures() } }
    // Warm up every target (page cache, a daemon's first calls).
    for (_, args) in commands {
        for t in targets { for _ in 0..<2 { _ = timed(t.virsh, ["-c", t.uri] + args) } }
    }
    for _ in 0..<runs {
        for (c, (label, args)) in commands.enumerated() {
            for (i, t) in targets.enumerated() {
                let (ms, status) = timed(t.virsh, ["-c", t.uri] + args)
                if status != 0 { fail("\(label) on \(t.label) failed (status \(status)) with \(step) running guests") }
                byCommand[c][i].samples.append(ms)
            }
        }
    }
    figures.append(byCommand)
}
print("Stopping the guests and the daemons...")
Cleanup.run()

func cell(_ f: Figures) -> String {
    String(format: "%.1f (%.1f–%.1f)", f.median, f.min, f.max)
}
print("")
print("virsh latency, \(defined) defined domains of which 1, 30, 100 run (paused, 16 MiB, TCG);")
print("median (min–max) ms of \(runs) interleaved runs, wall time per command")
print("")
print("| running | command | " + targets.map(\.label).joined(separator: " | ") + " |")
print("|---|---|" + targets.map { _ in "---|" }.joined())
for (s, step) in steps.enumerated() {
    for (c, (label, _)) in commands.enumerated() {
        print("| \(step) | `\(label)` | " + figures[s][c].map(cell).joined(separator: " | ") + " |")
    }
}
print("")
print("With \(steps.last ?? 0) running guests against 1 (medians), target <= \(ratioTarget) for ours:")
var missed: [String] = []
for (c, (label, _)) in commands.enumerated() {
    let ratios = targets.indices.map { i in (figures.last?[c][i].median ?? 0) / max(figures.first?[c][i].median ?? 1, 0.001) }
    print("  \(label.padding(toLength: 10, withPad: " ", startingAt: 0)) " +
          zip(targets, ratios).map { "\($0.label): \(String(format: "%.2f", $1))" }.joined(separator: ", "))
    if label != "list --all" {
        for i in [0, 1] where ratios[i] > ratioTarget { missed.append("\(label) on \(targets[i].label)") }
    }
}
print(missed.isEmpty ? "target met." : "target missed for: \(missed.joined(separator: ", "))")
withExtendedLifetime(signals) {}
