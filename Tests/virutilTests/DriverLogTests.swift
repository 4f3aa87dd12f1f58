import Foundation
import Logging
import Testing
import TestSupport
import libvirt_abi
@testable import virutil

/// The driver's log: libvirt's `log_outputs` syntax, and what a failed
/// clean-up step leaves in it.
struct DriverLogTests {
    @Test func outputsParseAsLibvirtsLogOutputs() throws {
        #expect(try DriverLog.parse("3:stderr") == [.init(level: .warning, destination: .stderr)])
        #expect(try DriverLog.parse("1:file:/var/log/vq.log  4:stderr") == [
            .init(level: .debug, destination: .file("/var/log/vq.log")),
            .init(level: .error, destination: .stderr),
        ])
        #expect(try DriverLog.parse("") == [])
        for bad in ["stderr", "5:stderr", "0:stderr", "3:syslog", "3:file:", "3:file:relative.log", "x:stderr"] {
            let error = #expect(throws: VirError.self, "\(bad)") { try DriverLog.parse(bad) }
            #expect(error?.code == .configUnsupported)
            #expect(error?.message.contains("Failed to parse value of setting 'log_outputs': '\(bad)'") == true)
        }
    }

    /// A clean-up step that fails is logged with the domain and the step,
    /// in libvirt's line layout; one that succeeds says nothing; below the
    /// output's level nothing is written.
    @Test func aFailedCleanupStepIsLoggedWithTheDomainAndTheStep() throws {
        let root = TestRoot("log")
        defer { #expect(root.cleanup() == []) }
        let file = root.path + "/driver.log"
        let output = DriverLog.Output(level: .warning, destination: .file(file))
        var log = Logger(label: "qemu.qemu_process") { VirLogHandler(label: $0, output: output) }
        log.logLevel = .warning
        log.bestEffort("remove the guest RAM file", domain: "vm1") {
            throw VirError.system(EACCES, "Unable to delete file /x/ram")
        }
        log.bestEffort("remove the instance directory", domain: "vm1") {}
        log.info("not at warning level")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1, "\(text)")
        let line = String(lines.first ?? "")
        #expect(line.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: \d+: warning : qemu\.qemu_process: "#,
                           options: .regularExpression) != nil, "\(line)")
        #expect(line.hasSuffix("remove the guest RAM file failed: Unable to delete file /x/ram: Permission denied domain=vm1 step=remove the guest RAM file"),
                "\(line)")
    }
}
