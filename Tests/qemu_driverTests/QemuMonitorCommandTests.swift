import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import virutil

/// `virDomainQemuMonitorCommand` through the driver, with the counter
/// guest on real QEMU: QMP and HMP answers, libvirt's errors, the taint
/// mark it leaves, and a monitor that goes on after commands the driver
/// would never send.
@Suite(.serialized) struct QemuMonitorCommandTests {
    @Test func qmpAndHmpCommandsAnswerAndTaintTheDomainOnce() async throws {
        let root = TestRoot("qmc")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        var open = true
        defer { if open { conn.driver.close() } }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "qmc", disk: try CounterGuest.disk(in: root.path),
                                                            serialLog: root.path + "/serial.log"))
        try await conn.create(dom)
        let ref = try conn.lookup(name: "qmc")
        #expect(try conn.messages(ref) == [])

        // query-version: QEMU's reply as text, the version the greeting gave.
        let reply = try await conn.qemuMonitorCommand(ref, command: #"{"execute":"query-version"}"#)
        let greeting = try #require(try conn.obj(ref).qemu.instance?.version)
        let parsed = try VirJSON.parse(reply)
        #expect(parsed.members?.map(\.key) == ["return", "id"])
        #expect(parsed["id"]?.stringValue?.hasPrefix("libvirt-") == true)
        #expect(parsed["return"]?["qemu"] == .object([.init("micro", .number("\(greeting.micro)")),
                                                      .init("minor", .number("\(greeting.minor)")),
                                                      .init("major", .number("\(greeting.major)"))]))
        #expect(parsed["return"]?["package"]?.stringValue == greeting.package)
        #expect(reply == (try parsed.format()), "compact, as libvirt formats it")

        // HMP: the output, nothing around it.
        #expect(try await conn.qemuMonitorCommand(ref, command: "info status", hmp: true) == "VM status: running\r\n")
        #expect(try await conn.qemuMonitorCommand(ref, command: "nosuchcmd", hmp: true) == "unknown command: 'nosuchcmd'\r\n")

        // QEMU's error replies are answers, not errors.
        let notFound = try await conn.qemuMonitorCommand(ref, command: #"{"execute":"nosuch"}"#)
        #expect(notFound.hasPrefix(#"{"id":"libvirt-"#))
        #expect(notFound.hasSuffix(#"","error":{"class":"CommandNotFound","desc":"The command nosuch has not been found"}}"#))
        // A command without "execute" gets the reply without an id, and the
        // monitor goes on.
        #expect(try await conn.qemuMonitorCommand(ref, command: #"{"foo":1}"#)
                == #"{"error":{"class":"GenericError","desc":"QMP input member 'foo' is unexpected"}}"#)
        try await conn.suspend(ref)
        #expect(try conn.state(ref) == .paused(.user))
        try await conn.resume(ref)

        // libvirt's errors.
        let notJSON = await #expect(throws: VirError.self) { try await conn.qemuMonitorCommand(ref, command: #"{"execute":"#) }
        #expect(notJSON?.code == .internalError)
        #expect(notJSON?.message.hasPrefix(#"internal error: cannot parse json {"execute":: parse error: premature EOF"#) == true)
        let ownID = await #expect(throws: VirError.self) {
            try await conn.qemuMonitorCommand(ref, command: #"{"execute":"query-status","id":"mine"}"#)
        }
        #expect(ownID?.message == "internal error: Unable to append command 'id' string")
        let twoFDs = await #expect(throws: VirError.self) {
            try await conn.qemuMonitorCommand(ref, command: #"{"execute":"query-status"}"#, fds: [0, 1])
        }
        #expect(twoFDs?.message == "invalid argument: at most 1 fd can be passed to qemu along with a command")

        // Tainted once: one line in the domain's log, the mark in the status
        // file, the message virsh dominfo shows; a new driver still knows it.
        #expect(try conn.messages(ref) == ["tainted: custom monitor control commands issued"])
        #expect(try conn.messages(ref, tainting: false) == [])
        let log = try String(contentsOfFile: root.path + "/log/qemu/qmc.log", encoding: .utf8)
        #expect(log.components(separatedBy: ": Domain id=1 is tainted: custom-monitor\n").count == 2, "\(log)")
        let statusFile = try #require(try conn.obj(ref).qemu.instance?.paths.statusFile)
        #expect(try String(contentsOfFile: statusFile, encoding: .utf8).contains("<taint flag='custom-monitor'/>"))
        conn.driver.close()
        open = false
        let next = try await QemuDriver.connect(uri: root.uri)
        defer { next.driver.close() }
        let again = try next.lookup(name: "qmc")
        #expect(try next.messages(again) == ["tainted: custom monitor control commands issued"])

        // Shut off: libvirt's "domain is not running"; the mark went with the instance.
        try await next.destroy(again)
        for hmp in [false, true] {
            let off = await #expect(throws: VirError.self) {
                try await next.qemuMonitorCommand(again, command: #"{"execute":"query-version"}"#, hmp: hmp)
            }
            #expect(off == VirError.notRunning)
            #expect(off?.message == "Requested operation is not valid: domain is not running")
        }
        #expect(try next.messages(again) == [])
    }

    /// A descriptor passed along reaches QEMU (QMP `getfd` keeps it by name;
    /// QEMU's HMP `getfd` cannot take one through `human-monitor-command`,
    /// whose monitor is not the one the descriptor came on).
    @Test func aDescriptorGoesAlongWithTheCommand() async throws {
        let root = TestRoot("qmcfd")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "fd", disk: try CounterGuest.disk(in: root.path),
                                                            serialLog: root.path + "/serial.log"))
        try await conn.create(dom)
        let ref = try conn.lookup(name: "fd")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let got = try await conn.qemuMonitorCommand(ref, command: #"{"execute":"getfd","arguments":{"fdname":"mine"}}"#, fds: [fds[1]])
        #expect(got.hasPrefix(#"{"return":{},"id":"libvirt-"#), "\(got)")
        // Kept by the monitor under its name: closed once, then it is gone.
        let close = #"{"execute":"closefd","arguments":{"fdname":"mine"}}"#
        #expect(try await conn.qemuMonitorCommand(ref, command: close).hasPrefix(#"{"return":{},"id":"libvirt-"#))
        #expect(try await conn.qemuMonitorCommand(ref, command: close)
                    .hasSuffix(#""error":{"class":"GenericError","desc":"File descriptor named 'mine' not found"}}"#))
        try await conn.destroy(ref)
    }
}
