import virutil
import Foundation
import Glibc
import Logging
import qemu_driver
import qemu_process

// virtqemud: the QEMU driver behind libvirt's RPC protocol on a UNIX socket.
//
// libvirt: src/remote/remote_daemon.c (`virtqemud`/`libvirtd`).

let options: DaemonOptions
switch DaemonOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .success(let o):
    options = o
case .failure(let e):
    FileHandle.standardError.write(Data((e.message + "\n").utf8))
    exit(e.isHelp ? 0 : 2)
}

// One log for the daemon and the driver, as libvirt's daemons have: set
// before anything reads it.
if let outputs = options.logOutputs ?? (options.verbose ? "1:stderr" : nil) {
    setenv(DriverLog.variable, outputs, 1)
} else if ProcessInfo.processInfo.environment[DriverLog.variable] == nil {
    setenv(DriverLog.variable, "2:stderr", 1)  // the daemon says what it does: info and up
}
let logger = DriverLog.logger("virtqemud")

// One descriptor per client (and per guest's monitor): as systemd gives
// libvirt's daemons, the hard limit, not the 1024 of a login shell.
var descriptors = rlimit()
if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &descriptors) == 0, descriptors.rlim_cur < descriptors.rlim_max {
    descriptors.rlim_cur = descriptors.rlim_max
    if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &descriptors) != 0 {
        logger.warning("cannot raise the descriptor limit to \(descriptors.rlim_max): \(String(cString: strerror(errno)))")
    }
}

signal(SIGPIPE, SIG_IGN)
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)

let driver: QemuDriver
do {
    // A daemon runs for long: every monitor at once, so that QEMU's
    // events (a guest that pauses or powers off by itself) reach it from
    // the start, as with libvirtd.
    driver = try await QemuDriver.open(uri: options.driverURI, reconnect: .eager)
} catch {
    logger.critical("cannot open \(options.driverURI): \(error.message)")
    exit(1)
}
logger.info("driver open", metadata: ["uri": "\(options.driverURI)", "domains": "\(driver.connect().listAllDomains().count)"])

let server: DaemonServer
do {
    server = try DaemonServer(driver: driver, options: options, logger: logger)
} catch {
    logger.critical("cannot listen on \(options.socketPath): \(error.message)")
    driver.close()
    exit(1)
}

let stop = DispatchSemaphore(value: 0)
let signalQueue = DispatchQueue(label: "virtqemud-signals")
let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
    let s = DispatchSource.makeSignalSource(signal: sig, queue: signalQueue)
    s.setEventHandler {
        logger.info("signal \(sig): shutting down")
        stop.signal()
    }
    s.resume()
    return s
}

server.start()
await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
    DispatchQueue.global().async {
        stop.wait()
        c.resume()
    }
}
server.shutdown()
withExtendedLifetime(sources) {}
exit(0)
