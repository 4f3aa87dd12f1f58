import libvirt_abi
import qemu_monitor
import virutil

/// Asks an emulator what it offers: QEMU started with no machine, its QMP
/// monitor on stdin/stdout, `query-version`, `query-machines`, the QMP
/// schema (for the migration modes), the properties every machine has
/// (for `aux-ram-share`), `query-kvm` (whether the binary has KVM), `quit`.
///
/// libvirt: `virQEMUCapsInitQMP` / `virQEMUCapsInitQMPMonitor` (libvirt
/// talks to a UNIX socket; stdio needs no path and no cleanup).
enum QemuCapsProbe {
    /// How long a probe may take before the emulator is killed.
    static let timeout: Duration = .seconds(30)

    static let commands: [(name: String, arguments: String?)] = [
        ("qmp_capabilities", nil), ("query-version", nil), ("query-machines", nil), ("query-qmp-schema", nil),
        ("qom-list-properties", #"{"typename":"machine"}"#), ("query-kvm", nil),
        ("query-cpu-definitions", nil), ("quit", nil),
    ]

    /// What an emulator started with no machine answers to `commands`,
    /// by position, with the lines that were not QMP (its messages).
    static func exchange(_ path: String, accel: String, _ commands: [(name: String, arguments: String?)],
                         as user: ProcessIdentity?) throws(VirError) -> (status: Int32, greeting: Bool, replies: [Int: JSONValue], messages: [String]) {
        var command = VirCommand([path, "-S", "-no-user-config", "-nodefaults", "-display", "none",
                                  "-machine", "none", "-accel", accel, "-qmp", "stdio"])
        command.identity = user
        // Its messages, between the QMP lines, say why it failed.
        command.stderr = .stdout
        let input = commands.enumerated().map { c in
            let arguments = c.element.arguments.map { #","arguments":\#($0)"# } ?? ""
            return #"{"execute":"\#(c.element.name)"\#(arguments),"id":\#(c.offset)}"#
        }.joined(separator: "\n") + "\n"
        let (status, output) = try command.output(input: input, timeout: timeout)
        var replies: [Int: JSONValue] = [:]
        var greeting = false
        var messages: [String] = []
        for line in output.split(whereSeparator: \.isNewline) {
            guard line.hasPrefix("{"), let value = try? JSONValue(parsing: String(line)) else {
                messages.append(String(line))
                continue
            }
            if value["QMP"] != nil { greeting = true }
            if let id = value["id"]?.intValue {
                if let error = value["error"] {
                    throw VirError(.internalError, "unable to execute QEMU command '\(commands[safe: id]?.name ?? "?")': "
                                   + (error["desc"]?.stringValue ?? error.jsonString))
                }
                replies[id] = value["return"]
            }
        }
        return (status, greeting, replies, messages)
    }

    /// - Parameter user: who QEMU runs as (`nil`: the caller).
    static func run(_ identity: QemuBinaryIdentity, as user: ProcessIdentity? = nil) throws(VirError) -> QemuCaps {
        let path = identity.path
        let (status, greeting, replies, messages) = try exchange(path, accel: "tcg", commands, as: user)
        guard greeting, let versionReply = replies[1], let version = QemuVersion(qmp: versionReply),
              let list = replies[2]?.arrayValue else {
            let why = messages.isEmpty ? "exit status \(VirCommand.exitCode(status)) before answering query-version and query-machines"
                : messages.joined(separator: "\n")
            throw VirError(.internalError, "Failed to start QEMU binary \(path) for probing: \(why)")
        }
        let machines = list.compactMap { m -> QemuMachine? in
            guard let name = m["name"]?.stringValue else { return nil }
            return QemuMachine(name: name, alias: m["alias"]?.stringValue, isDefault: m["is-default"]?.boolValue ?? false,
                               deprecated: m["deprecated"]?.boolValue ?? false, maxCpus: m["cpu-max"]?.intValue ?? 0)
        }
        // QEMU 10.0's migration modes: the values of the enum that holds
        // `cpr-transfer` (MigMode), whatever the schema numbers it.
        let modes = (replies[3]?.arrayValue ?? []).lazy
            .compactMap { $0["meta-type"]?.stringValue == "enum" ? $0["values"]?.arrayValue?.compactMap(\.stringValue) : nil }
            .first { $0.contains("normal") && $0.contains("cpr-transfer") } ?? []
        let machineProperties = (replies[4]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        return QemuCaps(identity: identity, version: version, machines: machines,
                        migrationModes: modes, auxRamShare: machineProperties.contains("aux-ram-share"),
                        kvmPresent: replies[5]?["present"]?.boolValue ?? false,
                        cpuModels: QemuCPUModel.list(replies[6]?.arrayValue ?? []))
    }
}

extension QemuCapsProbe {
    /// What the emulator offers under KVM: started with `-accel kvm`,
    /// asked `query-cpu-definitions` and the full expansion of `host`.
    ///
    /// libvirt: the KVM half of `virQEMUCapsInitQMP`, with
    /// `virQEMUCapsProbeQMPHostCPU` (libvirt probes both accelerators at
    /// once; here the second probe waits until asked).
    static func kvm(_ path: String, as user: ProcessIdentity?) throws(VirError) -> QemuKVMCaps {
        let expansion = #"{"type":"full","model":{"name":"host"}}"#
        let (_, greeting, replies, messages) = try exchange(path, accel: "kvm", [
            ("qmp_capabilities", nil), ("query-cpu-definitions", nil), ("query-cpu-model-expansion", expansion), ("quit", nil),
        ], as: user)
        guard greeting, let list = replies[1]?.arrayValue else {
            throw VirError(.internalError, "Failed to start QEMU binary \(path) for probing: "
                           + (messages.isEmpty ? "no answer to query-cpu-definitions" : messages.joined(separator: "\n")))
        }
        return QemuKVMCaps(cpuModels: QemuCPUModel.list(list), hypervProperties: QemuKVMCaps.hypervProperties(replies[2]))
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
