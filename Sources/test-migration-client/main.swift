// A migration client for tests: drives a local migration phase by phase
// over two connections to the embedded driver, stops after a given phase,
// prints `READY <phase> <id>` and waits to be killed. SIGINT and SIGTERM
// close its connections first (their close callbacks run, as when virsh
// exits); SIGKILL leaves the half-done migration to the next driver.
//
//   test-migration-client URI DOMAIN PHASE [BANDWIDTH-MiB/s]
//   PHASE: begin | prepare | perform-start | perform | finish
//          | complete (all five phases, then exit 0; with LM_CRASH_POINT set
//            the process ends at that point instead, see QemuMigrationCrashPoint)
//
//   test-migration-client URI DOMAIN repeat N
//   migrates N times back to back (after one warm-up migration) and prints
//   `FDS <before> <after>`: this process's open descriptors, the driver's.

import Dispatch
import Foundation
import Glibc
import libvirt_abi
import qemu_driver

let args = CommandLine.arguments
guard args.count >= 4 else {
    FileHandle.standardError.write(Data("usage: test-migration-client URI DOMAIN PHASE [BANDWIDTH]\n".utf8))
    exit(2)
}
let (uri, name, stopAfter) = (args[1], args[2], args[3])
let bandwidth = args.count > 4 ? UInt64(args[4]) : nil

func ready(_ phase: String, _ id: Int?) {
    print("READY \(phase) \(id.map(String.init) ?? "-")")
    fflush(nil)
}

let source = try await QemuDriver.connect(uri: uri)
let dest = source.driver.connect()

// On SIGINT/SIGTERM: close both connections, then exit.
SignalClose.install([dest, source])

let flags: MigrateFlags = [.live, .local]
if stopAfter == "repeat" {
    let count = args.count > 4 ? Int(args[4]) ?? 20 : 20
    func descriptors() -> Int { ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count }
    _ = try await source.migrate3(source.lookup(name: name), to: dest, params: [], flags: flags)
    let before = descriptors()
    for _ in 0..<count { _ = try await source.migrate3(source.lookup(name: name), to: dest, params: [], flags: flags) }
    print("FDS \(before) \(descriptors())")
    await dest.close()
    await source.close()
    exit(0)
}

let dom = try source.lookup(name: name)
var params: [TypedParameter] = []
if let bandwidth { params.append(TypedParameter(MigrateParam.bandwidth, .ullong(bandwidth))) }
if stopAfter == "complete" {
    let moved = try await source.migrate3(dom, to: dest, params: params, flags: flags)
    print("DONE \(moved.id.map(String.init) ?? "-")")
    fflush(nil)
    exit(0)
}

let (c1, xml) = try await source.migrateBegin3(dom, params: params, flags: flags)
params += [TypedParameter(MigrateParam.destXML, .string(xml)), TypedParameter(MigrateParam.destName, .string(name))]
if stopAfter == "begin" { ready("begin", dom.id) } else {
    let (c2, muri) = try await dest.migratePrepare3(cookie: c1, params: params, flags: flags)
    params.append(TypedParameter(MigrateParam.uri, .string(muri)))
    if stopAfter == "prepare" { ready("prepare", dom.id) } else if stopAfter == "perform-start" {
        let p = params
        // The point is to die during Perform: its result is never read.
        Task { _ = try? await source.migratePerform3(dom, cookie: c2, params: p, flags: flags) }
        while true {
            let (_, stats) = try await source.jobStats(dom)
            if stats.contains(where: { $0.name == "memory_processed" && $0.value != .ullong(0) }) { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        ready("perform-start", dom.id)
    } else {
        let c3 = try await source.migratePerform3(dom, cookie: c2, params: params, flags: flags)
        if stopAfter == "perform" { ready("perform", dom.id) } else {
            let ddom = try await dest.migrateFinish3(params: params, cookie: c3, flags: flags, cancelled: false)
            ready("finish", ddom?.id)
        }
    }
}
while true { try await Task.sleep(for: .seconds(3600)) }
