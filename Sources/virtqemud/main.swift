import Foundation
import Glibc
import Logging
import qemu_driver

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

let verboseLogging = options.verbose
LoggingSystem.bootstrap { label in
    var h = StreamLogHandler.standardError(label: label)
    h.logLevel = verboseLogging ? .debug : .info
    return h
}
let logger = Logger(label: "virtqemud")

signal(SIGPIPE, SIG_IGN)
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)

let driver: QemuDriver
do {
    driver = try await QemuDriver.open(uri: options.driverURI)
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
