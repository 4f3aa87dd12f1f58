import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import remote

/// The QEMU program (libvirt-qemu.so's API) served beside the remote
/// program: Debian's virsh runs `qemu-monitor-command` against our daemon,
/// and the program's edges answer as libvirtd's do.
@Suite(.serialized) struct MonitorCommandOverDaemonTests {
    @Test func debianVirshPassesCommandsThroughOurDaemon() throws {
        let root = TestRoot("vqmc")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        _ = try PythonMigrationTests.startCounterGuest(daemon, shared: false)
        func virsh(_ args: String...) throws -> Command.Result { try Command.virsh(daemon.uri, args) }

        // query-version: QEMU's reply, and the version virsh version reports.
        let r = try virsh("qemu-monitor-command", "vm", #"{"execute":"query-version"}"#)
        #expect(r.status == 0, "\(r)")
        let running = try virsh("version").stdout.split(separator: "\n").first { $0.hasPrefix("Running hypervisor: QEMU ") }
        let version = try #require(running?.split(separator: " ").last).split(separator: ".")
        #expect(version.count == 3)
        if version.count == 3 {
            #expect(r.stdout.hasPrefix(#"{"return":{"qemu":{"micro":\#(version[2]),"minor":\#(version[1]),"major":\#(version[0])},"package":""#),
                    "\(r)")
        }
        #expect(r.stdout.range(of: #"\},"id":"libvirt-[0-9]+"\}\n\n$"#, options: .regularExpression) != nil, "\(r)")

        let pretty = try virsh("qemu-monitor-command", "vm", "--pretty", "query-status")
        #expect(pretty.stdout.range(of: #"^\{\n  "return": \{\n    "status": "running",\n    "singlestep": false,\n    "running": true\n  \},\n  "id": "libvirt-[0-9]+"\n\}\n$"#,
                                    options: .regularExpression) != nil, "\(pretty)")
        #expect(try virsh("qemu-monitor-command", "vm", "--hmp", "info", "status").stdout == "VM status: running\r\n\n\n")
        #expect(try virsh("qemu-monitor-command", "vm", "--return-value", "query-name").stdout == #"{"name":"vm"}"# + "\n")
        #expect(try virsh("dominfo", "vm").stdout.contains("\nMessages:       tainted: custom monitor control commands issued\n"))

        // Refusals, in libvirt's words.
        let ro = try Command.run("/usr/bin/virsh", ["-r", "-c", daemon.uri, "qemu-monitor-command", "vm", "query-name"])
        #expect(ro.stderr == "error: operation forbidden: read only access prevents virDomainQemuMonitorCommand\n", "\(ro)")
        let fds = try virsh("qemu-monitor-command", "vm", "--pass-fds", "0", "query-name")
        #expect(fds.stderr == "error: argument unsupported: fd passing is not supported by this connection\n", "\(fds)")
        let id = try virsh("qemu-monitor-command", "vm", #"{"execute":"query-name","id":"x"}"#)
        #expect(id.stderr == "error: internal error: Unable to append command 'id' string\n", "\(id)")
        #expect(try virsh("destroy", "vm").status == 0)
        let off = try virsh("qemu-monitor-command", "vm", "query-name")
        #expect(off.status == 1)
        #expect(off.stderr == "error: Requested operation is not valid: domain is not running\n", "\(off)")
        #expect(daemon.isRunning)
    }

    /// The program's edges, over our own client.
    @Test func theQemuProgramsEdges() throws {
        let root = TestRoot("vqprog")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        // Before CONNECT_OPEN: no connection.
        let early = try RemoteClient(socketPath: daemon.socket)
        defer { early.close() }
        let dom = RemoteDomain(name: "vm", uuid: DomainUUID(bytes: [UInt8](repeating: 7, count: 16)), id: 1)
        let notOpen = #expect(throws: RemoteError.self) {
            try early.call(QemuCalls.DomainMonitorCommand.self, QemuDomainMonitorCommandArgs(dom: dom, cmd: "{}"))
        }
        #expect(notOpen?.message == "internal error: connection not open")

        let c = try daemon.client()
        defer { c.close() }
        let unknown = #expect(throws: RemoteError.self) {
            try c.callRaw(procedure: 99, payload: [], program: RemoteProgram.qemu, version: RemoteProgram.qemuVersion)
        }
        #expect(unknown?.message == "unknown procedure: 99")
        let agent = #expect(throws: RemoteError.self) {
            try c.callRaw(procedure: QemuProcedure.domainAgentCommand.rawValue, payload: [], program: RemoteProgram.qemu,
                          version: RemoteProgram.qemuVersion)
        }
        #expect(agent?.code == .noSupport)
        #expect(agent?.message == "this function is not supported by the connection driver: virDomainQemuAgentCommand")
        let version = #expect(throws: RemoteError.self) {
            try c.callRaw(procedure: 1, payload: [], program: RemoteProgram.qemu, version: 2)
        }
        #expect(version?.message == "Cannot find program \(Int32(bitPattern: RemoteProgram.qemu)) version 2")
        let flags = #expect(throws: RemoteError.self) {
            try c.call(QemuCalls.DomainMonitorCommand.self, QemuDomainMonitorCommandArgs(dom: dom, cmd: "{}", flags: 2))
        }
        #expect(flags?.message == "unsupported flags (0x2) in function qemuDomainQemuMonitorCommandWithFiles")
        let missing = #expect(throws: RemoteError.self) {
            try c.call(QemuCalls.DomainMonitorCommand.self, QemuDomainMonitorCommandArgs(dom: dom, cmd: "{}"))
        }
        #expect(missing?.code == .noDomain)
        // The connection goes on serving both programs.
        #expect(try c.call(RemoteCalls.ConnectGetType.self, XDRVoid()).value == "QEMU")
    }
}
