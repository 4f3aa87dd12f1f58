import Foundation
import Testing
import TestSupport

/// `virsh qemu-monitor-command` as a user types it, our virsh on the
/// embedded driver with the counter guest: what QEMU answers, laid out as
/// virsh 9.0 lays it out, and virsh's errors.
@Suite(.serialized)
struct QemuMonitorCommandShellTests {
    init() throws {
        try #require(Virsh.ours != nil, "our virsh is not built")
    }

    /// `QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)`:
    /// the version and package QEMU's greeting gives.
    static func emulatorVersion() throws -> (major: String, minor: String, micro: String, package: String) {
        let out = try Subprocess.run("/usr/bin/qemu-system-x86_64", ["--version"]).stdout
        let line = try #require(out.split(separator: "\n").first)
        let words = line.split(separator: " ", maxSplits: 4)
        try #require(words.count == 5 && words[2] == "version", "\(line)")
        let v = words[3].split(separator: ".").map(String.init)
        try #require(v.count == 3, "\(line)")
        let package = words[4].dropFirst().dropLast()
        return (v[0], v[1], v[2], String(package))
    }

    @Test func qemusAnswersAsVirshPrintsThem() throws {
        let guest = try LocalMigrationShellTests.Guest("qmcsh")
        defer { #expect(guest.root.cleanup() == []) }
        #expect(guest.virsh("define", guest.xmlFile).status == 0)
        #expect(guest.virsh("start", guest.name).status == 0)
        let uuid = guest.virsh("domuuid", guest.name).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // query-version: the whole reply, compact, with the version the
        // emulator has (and its greeting gave). The first command taints
        // the domain: libvirt's warning, once.
        let v = try Self.emulatorVersion()
        let r = guest.virsh("qemu-monitor-command", guest.name, #"{"execute":"query-version"}"#)
        #expect(r.status == 0)
        #expect(r.stdout == #"{"return":{"qemu":{"micro":\#(v.micro),"minor":\#(v.minor),"major":\#(v.major)},"package":"\#(v.package)"},"id":"libvirt-3"}"# + "\n\n",
                "\(r)")
        #expect(r.stderr.hasSuffix(": warning : qemu_driver: Domain id=1 name='\(guest.name)' uuid=\(uuid) is tainted: custom-monitor\n"), "\(r)")
        #expect(r.stderr.components(separatedBy: "\n").count == 2, "one line: \(r.stderr)")

        // --pretty: yajl's layout, two spaces; --return-value the member alone.
        let pretty = guest.virsh("qemu-monitor-command", guest.name, "--pretty", "query-version")
        #expect(pretty == VirshResult(stdout: """
            {
              "return": {
                "qemu": {
                  "micro": \(v.micro),
                  "minor": \(v.minor),
                  "major": \(v.major)
                },
                "package": "\(v.package)"
              },
              "id": "libvirt-3"
            }

            """, stderr: "", status: 0))
        #expect(guest.virsh("qemu-monitor-command", guest.name, "--return-value", "query-status").stdout
                == #"{"status":"running","singlestep":false,"running":true}"# + "\n")
        #expect(guest.virsh("qemu-monitor-command", guest.name, "--pretty", "qom-list-types", #""implements":"nosuch""#).stdout
                == "{\n  \"return\": [\n\n  ],\n  \"id\": \"libvirt-3\"\n}\n")

        // --hmp: the output as QEMU wrote it (CR LF), then virsh's newlines.
        #expect(guest.virsh("qemu-monitor-command", guest.name, "--hmp", "info status")
                == VirshResult(stdout: "VM status: running\r\n\n\n", stderr: "", status: 0))
        #expect(guest.virsh("qemu-monitor-command", guest.name, "--hmp", "info", "status").stdout == "VM status: running\r\n\n\n")

        // QEMU's error reply is an answer; --return-value has none to print.
        #expect(guest.virsh("qemu-monitor-command", guest.name, "nosuch").stdout
                == #"{"id":"libvirt-3","error":{"class":"CommandNotFound","desc":"The command nosuch has not been found"}}"# + "\n\n")
        #expect(guest.virsh("qemu-monitor-command", guest.name, "--return-value", "nosuch")
                == VirshResult(stdout: "\n", stderr: "error: 'return' member missing\n", status: 1))

        // Arguments that make no JSON object: virsh's message, then yajl's.
        let wrapError = "error: failed to wrap arguments 'bar' into a QMP command wrapper\n"
            + "error: internal error: cannot parse json {bar}: lexical error: invalid char in json text.\n"
            + String(repeating: " ", count: 38) + "{bar}\n"
            + "                     (right here) ------^\n\n"
        #expect(guest.virsh("qemu-monitor-command", guest.name, "query-status", "bar")
                == VirshResult(stdout: "\n", stderr: wrapError, status: 1))
        #expect(guest.virsh("qemu-monitor-command", guest.name, #"{"execute":"query-status","id":"mine"}"#)
                == VirshResult(stdout: "\n", stderr: "error: internal error: Unable to append command 'id' string\n", status: 1))
        #expect(guest.virsh("qemu-monitor-command", guest.name, "--hmp", "--pretty", "info status")
                == VirshResult(stdout: "\n", stderr: "error: Options --hmp and --pretty are mutually exclusive\n", status: 1))

        // Tainted: dominfo says so, and the warning is not given again.
        #expect(guest.info()["Messages"] == "tainted: custom monitor control commands issued")
        let log = try String(contentsOfFile: guest.root.path + "/log/qemu/\(guest.name).log", encoding: .utf8)
        #expect(log.components(separatedBy: "is tainted: custom-monitor").count == 2)

        // Shut off: libvirt's error.
        #expect(guest.virsh("destroy", guest.name).status == 0)
        #expect(guest.virsh("qemu-monitor-command", guest.name, "query-status")
                == VirshResult(stdout: "\n", stderr: "error: Requested operation is not valid: domain is not running\n", status: 1))
        #expect(guest.virsh("qemu-monitor-command", guest.name, "--hmp", "info status").stderr
                == "error: Requested operation is not valid: domain is not running\n")
        #expect(guest.info()["Messages"] == nil)
        #expect(guest.virsh("undefine", guest.name).status == 0)
    }
}
