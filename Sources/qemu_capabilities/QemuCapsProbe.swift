import libvirt_abi
import qemu_monitor
import virutil

/// Asks an emulator what it offers: QEMU started with no machine, its QMP
/// monitor on stdin/stdout, `query-version`, `query-machines`, the QMP
/// schema (for the migration modes) and the properties every machine has
/// (for `aux-ram-share`), `quit`.
///
/// libvirt: `virQEMUCapsInitQMP` / `virQEMUCapsInitQMPMonitor` (libvirt
/// talks to a UNIX socket; stdio needs no path and no cleanup).
enum QemuCapsProbe {
    /// How long a probe may take before the emulator is killed.
    static let timeout: Duration = .seconds(30)

    static let commands: [(name: String, arguments: String?)] = [
        ("qmp_capabilities", nil), ("query-version", nil), ("query-machines", nil), ("query-qmp-schema", nil),
        ("qom-list-properties", #"{"typename":"machine"}"#), ("quit", nil),
    ]

    /// - Parameter user: who QEMU runs as (`nil`: the caller).
    static func run(_ identity: QemuBinaryIdentity, as user: ProcessIdentity? = nil) throws(VirError) -> QemuCaps {
        let path = identity.path
        var command = VirCommand([path, "-S", "-no-user-config", "-nodefaults", "-display", "none",
                                  "-machine", "none", "-accel", "tcg", "-qmp", "stdio"])
        command.identity = user
        // Its messages, between the QMP lines, say why it failed.
        command.stderr = .stdout
        let input = commands.enumerated().map { c in
            let arguments = c.element.arguments.map { #","arguments":\#($0)"# } ?? ""
            return #"{"execute":"\#(c.element.name)"\#(arguments),"id":\#(c.offset)}"#
        }.joined(separator: "\n") + "\n"
        let (status, output) = try command.output(input: input, timeout: timeout)
        var replies: [Int: JSONValue] = [:]
        var greeting: JSONValue?
        var messages: [String] = []
        for line in output.split(whereSeparator: \.isNewline) {
            guard line.hasPrefix("{"), let value = try? JSONValue(parsing: String(line)) else {
                messages.append(String(line))
                continue
            }
            if let qmp = value["QMP"] { greeting = qmp }
            if let id = value["id"]?.intValue {
                if let error = value["error"] {
                    throw VirError(.internalError, "unable to execute QEMU command '\(commands[safe: id]?.name ?? "?")': "
                                   + (error["desc"]?.stringValue ?? error.jsonString))
                }
                replies[id] = value["return"]
            }
        }
        guard greeting != nil, let versionReply = replies[1], let version = QemuVersion(qmp: versionReply),
              let list = replies[2]?.arrayValue else {
            let why = messages.isEmpty ? "exit status \(VirCommand.exitCode(status)) before answering query-version and query-machines"
                : messages.joined(separator: "\n")
            throw VirError(.internalError, "Failed to start QEMU binary \(path) for probing: \(why)")
        }
        let machines = list.compactMap { m -> QemuMachine? in
            guard let name = m["name"]?.stringValue else { return nil }
            return QemuMachine(name: name, alias: m["alias"]?.stringValue, isDefault: m["is-default"]?.boolValue ?? false,
                               deprecated: m["deprecated"]?.boolValue ?? false)
        }
        // QEMU 10.0's migration modes: the values of the enum that holds
        // `cpr-transfer` (MigMode), whatever the schema numbers it.
        let modes = (replies[3]?.arrayValue ?? []).lazy
            .compactMap { $0["meta-type"]?.stringValue == "enum" ? $0["values"]?.arrayValue?.compactMap(\.stringValue) : nil }
            .first { $0.contains("normal") && $0.contains("cpr-transfer") } ?? []
        let machineProperties = (replies[4]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        return QemuCaps(identity: identity, version: version, machines: machines,
                        migrationModes: modes, auxRamShare: machineProperties.contains("aux-ram-share"))
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
