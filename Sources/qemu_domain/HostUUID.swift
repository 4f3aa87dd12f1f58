import virutil
import libvirt_abi
import Foundation
import domain_conf
import qemu_process

/// The host's UUID, read the way libvirt reads it: the `host_uuid` setting,
/// else the machine's SMBIOS/DMI UUID. Machines without SMBIOS (containers,
/// some VMs) then use `/etc/machine-id`, so that every driver root on the
/// host agrees on the host; failing that, one is generated once and kept in
/// the driver's lib directory (libvirt generates a new one each start).
///
/// libvirt: `virGetHostUUID`, `virSetHostUUIDStr` (src/util/viruuid.c).
public enum HostUUID {
    public static let dmiPaths = ["/sys/devices/virtual/dmi/id/product_uuid", "/sys/class/dmi/id/product_uuid"]
    public static let machineIDPath = "/etc/machine-id"

    /// - Parameters:
    ///   - configFile: a `key = "value"` file that may set `host_uuid`.
    ///   - stateFile: where a generated UUID is kept.
    public static func read(configFile: String, stateFile: String, dmiPaths: [String] = dmiPaths,
                            machineIDPath: String = machineIDPath) throws(VirError) -> DomainUUID {
        if let text = try? String(contentsOfFile: configFile, encoding: .utf8), let value = setting("host_uuid", in: text) {
            guard let uuid = DomainUUID(value), isValid(uuid) else {
                throw VirError(.configUnsupported, "invalid host_uuid '\(value)' in \(configFile)")
            }
            return uuid
        }
        for path in dmiPaths {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), let uuid = DomainUUID(text), isValid(uuid) {
                return uuid
            }
        }
        if let text = try? String(contentsOfFile: machineIDPath, encoding: .utf8), let uuid = DomainUUID(text), isValid(uuid) {
            return uuid
        }
        if let text = try? String(contentsOfFile: stateFile, encoding: .utf8), let uuid = DomainUUID(text), isValid(uuid) {
            return uuid
        }
        // Kept, or every process would see another host: a root where it
        // cannot be written cannot be opened.
        let uuid = DomainUUID.generate()
        try AtomicFile.write(uuid.description + "\n", to: stateFile, mode: 0o644)
        return uuid
    }

    /// Not all bytes equal (libvirt: `virUUIDIsValid`).
    public static func isValid(_ uuid: DomainUUID) -> Bool {
        let b = uuid.bytes
        return b.contains { $0 != b[0] }
    }

    /// Reads `key = "value"` from a libvirt-style config file.
    static func setting(_ key: String, in text: String) -> String? {
        for raw in text.split(separator: "\n") {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == key else { continue }
            return parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }
}
