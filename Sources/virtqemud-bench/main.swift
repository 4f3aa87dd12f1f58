import virutil
import Foundation
import Glibc
import Synchronization
import TestSupport
import remote

// virtqemud-bench: RPC round trips per second for a lookup (our client
// against our daemon, and against the real libvirtd), and the latency of
// the real `virsh list --all` against our daemon and against the real
// libvirtd, in one run. Prints figures; not a test.
//
// usage: virtqemud-bench [--seconds N] [--virsh-runs N]

var seconds = 5.0
var virshRuns = 30
var argv = CommandLine.arguments.dropFirst().makeIterator()
while let a = argv.next() {
    switch a {
    case "--seconds": seconds = argv.next().flatMap(Double.init) ?? seconds
    case "--virsh-runs": virshRuns = argv.next().flatMap(Int.init) ?? virshRuns
    default:
        FileHandle.standardError.write(Data("usage: virtqemud-bench [--seconds N] [--virsh-runs N]\n".utf8))
        exit(2)
    }
}

func run(_ path: String, _ args: [String]) -> (status: Int32, output: String) {
    guard let r = try? Subprocess.run(path, args, timeout: 60) else { return (-1, "cannot run \(path)") }
    return (r.status, r.stdout + r.stderr)
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    guard !xs.isEmpty else { return .nan }
    let s = xs.sorted()
    return s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
}

func ms(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

/// Lookups by name per second from `clients` clients for `seconds`.
func lookupRate(socket: String, name: String, clients: Int, seconds: Double) -> (rate: Double, p50: Double, p99: Double)? {
    let calls = Atomic<Int>(0)
    let failed = Atomic<Bool>(false)
    let latencies = Mutex<[Double]>([])
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    let started = ContinuousClock.now
    let group = DispatchGroup()
    for _ in 0..<clients {
        group.enter()
        Thread {
            defer { group.leave() }
            do {
                let c = try RemoteClient(socketPath: socket)
                defer { c.close() }
                try c.open()
                var mine: [Double] = []
                mine.reserveCapacity(100_000)
                while ContinuousClock.now < deadline {
                    let t = ContinuousClock.now
                    _ = try c.call(RemoteCalls.DomainLookupByName.self, StringValue(name))
                    mine.append(ms(ContinuousClock.now - t))
                }
                calls.wrappingAdd(mine.count, ordering: .relaxed)
                latencies.withLock { $0 += mine }
            } catch {
                FileHandle.standardError.write(Data("lookup client: \(error)\n".utf8))
                failed.store(true, ordering: .relaxed)
            }
        }.start()
    }
    group.wait()
    guard !failed.load(ordering: .relaxed) else { return nil }
    let elapsed = ms(ContinuousClock.now - started) / 1000
    let l = latencies.withLock { $0 }
    return (Double(calls.load(ordering: .relaxed)) / elapsed, percentile(l, 0.5), percentile(l, 0.99))
}

/// Runs a program with its output to /dev/null and waits for it with the
/// project's spawner and `waitpid` (Foundation's `Process` adds tens of
/// milliseconds of its own to a short run). Its exit status, -1 if it
/// could not start.
func spawnAndWait(_ path: String, _ args: [String]) -> Int32 {
    guard let child = try? VirCommand([path] + args).spawn() else { return -1 }
    let status = VirCommand.wait(child.pid)
    return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
}

/// `virsh -c uri list --all`, `runs` times: wall-clock milliseconds each.
func virshList(uri: String, runs: Int) -> [Double]? {
    var out: [Double] = []
    for _ in 0..<runs {
        let t = ContinuousClock.now
        guard spawnAndWait("/usr/bin/virsh", ["-c", uri, "list", "--all"]) == 0 else {
            FileHandle.standardError.write(Data("virsh -c \(uri) list --all failed\n".utf8))
            return nil
        }
        out.append(ms(ContinuousClock.now - t))
    }
    return out
}

func fmt(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }

// Our daemon, serving a fresh root with the counter guest running.
let root = TestRoot("bench")
defer { root.cleanup() }
let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
let daemonPath = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("virtqemud").path
guard FileManager.default.isExecutableFile(atPath: daemonPath) else {
    FileHandle.standardError.write(Data("virtqemud not found next to this binary (\(daemonPath)); build the package first\n".utf8))
    exit(1)
}
let socket = root.path + "/virtqemud.sock"
let daemon = try Subprocess(daemonPath, ["--socket", socket, "--root", root.path])
defer {
    if daemon.isRunning {
        daemon.terminate()
        daemon.wait()
    }
}
var up = false
for _ in 0..<500 where !up {
    if let s = try? UnixStream.connect(path: socket) { s.close(); up = true } else { usleep(20_000) }
}
guard up else { FileHandle.standardError.write(Data("virtqemud did not start\n".utf8)); exit(1) }
let ourURI = "qemu+unix:///system?socket=\(socket)"

let name = "benchvm"
let disk = try CounterGuest.disk(in: root.path)
let xmlFile = root.path + "/vm.xml"
try CounterGuest.domainXML(name: name, disk: disk, serialLog: root.path + "/serial.log")
    .write(toFile: xmlFile, atomically: true, encoding: .utf8)
_ = run("/usr/bin/virsh", ["-c", ourURI, "define", xmlFile])
_ = run("/usr/bin/virsh", ["-c", ourURI, "start", name])

// The real libvirtd: used if running, else started by hand and stopped after.
let libvirtd = ReferenceLibvirtd.acquire()
let haveLibvirtd = libvirtd != nil
defer { libvirtd?.release() }
// libvirtd gets a defined (inactive) domain to look up.
let refName = "vqbench\(getpid() % 100_000)"
if haveLibvirtd {
    let refXML = root.path + "/ref.xml"
    try CounterGuest.domainXML(name: refName, disk: disk, serialLog: root.path + "/ref.log")
        .write(toFile: refXML, atomically: true, encoding: .utf8)
    _ = run("/usr/bin/virsh", ["-c", "qemu:///system", "define", refXML])
}
defer { if haveLibvirtd { _ = run("/usr/bin/virsh", ["-c", "qemu:///system", "undefine", refName]) } }

print("virtqemud-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(fmt(seconds, 0)) s per RPC figure, \(virshRuns) virsh runs")
print("")
print("RPC round trips: virDomainLookupByName (REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME), our client")
print("  target      clients  calls/s     p50 ms  p99 ms")
for clients in [1, 4, 16] {
    if let r = lookupRate(socket: socket, name: name, clients: clients, seconds: seconds) {
        print("  virtqemud   \(String(clients).padding(toLength: 7, withPad: " ", startingAt: 0))  \(fmt(r.rate, 0).padding(toLength: 10, withPad: " ", startingAt: 0))  \(fmt(r.p50, 3))   \(fmt(r.p99, 3))")
    }
    if haveLibvirtd, let r = lookupRate(socket: "/run/libvirt/libvirt-sock", name: refName, clients: clients, seconds: seconds) {
        print("  libvirtd    \(String(clients).padding(toLength: 7, withPad: " ", startingAt: 0))  \(fmt(r.rate, 0).padding(toLength: 10, withPad: " ", startingAt: 0))  \(fmt(r.p50, 3))   \(fmt(r.p99, 3))")
    }
}
print("")
print("virsh list --all (Debian's virsh 9.0, a process per run: spawn, connect, list, exit; wall clock)")
print("  target      median ms  p90 ms  min ms")
let ours = virshList(uri: ourURI, runs: virshRuns)
if let ours {
    print("  virtqemud   \(fmt(percentile(ours, 0.5)).padding(toLength: 9, withPad: " ", startingAt: 0))  \(fmt(percentile(ours, 0.9)).padding(toLength: 6, withPad: " ", startingAt: 0))  \(fmt(ours.min() ?? .nan))")
}
if haveLibvirtd, let theirs = virshList(uri: "qemu:///system", runs: virshRuns) {
    print("  libvirtd    \(fmt(percentile(theirs, 0.5)).padding(toLength: 9, withPad: " ", startingAt: 0))  \(fmt(percentile(theirs, 0.9)).padding(toLength: 6, withPad: " ", startingAt: 0))  \(fmt(theirs.min() ?? .nan))")
    if let ours {
        print("  ratio (virtqemud / libvirtd, median): \(fmt(percentile(ours, 0.5) / percentile(theirs, 0.5)))")
    }
} else if !haveLibvirtd {
    print("  libvirtd    (not installed or did not start: apt-get install libvirt-daemon-system)")
}
