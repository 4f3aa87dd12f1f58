import Foundation
import libvirt_abi
import virutil

/// One of QEMU's firmware descriptors (`docs/interop/firmware.json`): a
/// JSON file, installed by a firmware package, that says what an image
/// is (interfaces, features), which machines it suits, and how QEMU maps
/// it (flash, kernel, memory).
///
/// libvirt: `qemuFirmware` (src/qemu/qemu_firmware.c), read by
/// `qemuFirmwareParse`.
public struct QemuFirmwareDescriptor: Sendable, Equatable {
    /// How QEMU maps the image.
    public enum Device: String, Sendable, Equatable {
        case flash, kernel, memory
    }

    /// For flash: `split` (code and a separate variable store), `combined`
    /// or `stateless` (no store).
    public enum FlashMode: String, Sendable, Equatable {
        case split, combined, stateless
    }

    /// A file and its format (`raw`, `qcow2`).
    public struct File: Sendable, Equatable {
        public var filename: String
        public var format: String
    }

    /// An architecture and the machine types (globs, `pc-q35-*`) it suits.
    public struct Target: Sendable, Equatable {
        public var architecture: String
        public var machines: [String]
    }

    /// The descriptor file this came from.
    public var path: String
    /// `interface-types`: `bios`, `uefi`, ...
    public var interfaceTypes: [String]
    public var device: Device
    public var flashMode: FlashMode
    /// The image: flash's `executable`, or kernel's and memory's `filename`.
    public var executable: File?
    /// Flash in split mode: the pristine variable store.
    public var nvramTemplate: File?
    public var targets: [Target]
    /// `features`: `secure-boot`, `requires-smm`, `enrolled-keys`, `acpi-s3`, ...
    public var features: [String]

    /// The interfaces libvirt knows (`qemuFirmwareOSInterface`).
    public static let interfaceNames: Set<String> = ["bios", "openfirmware", "uefi"]
    /// libvirt reads at most this much of a descriptor (`DOCUMENT_SIZE`).
    public static let maxSize = 1024 * 1024

    /// Reads a descriptor.
    ///
    /// - Throws: libvirt's messages: "unable to parse json file '...'",
    ///   "failed to get interface-types from '...'", "missing 'filename'
    ///   in '...'", ...
    ///
    /// libvirt: `qemuFirmwareParse`.
    public static func read(_ path: String) throws(VirError) -> QemuFirmwareDescriptor {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw VirError.system(errno, "Failed to open file '\(path)'")
        }
        defer { try? handle.close() } // read-only: nothing to lose on close
        let data: Data
        do { data = try handle.read(upToCount: maxSize + 1) ?? Data() } catch {
            throw VirError.system(EIO, "Failed to read file '\(path)'")
        }
        guard data.count <= maxSize else {
            throw VirError.system(EFBIG, "Failed to read file '\(path)'")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses a descriptor's text (`path` names it in errors).
    public static func parse(_ text: String, path: String) throws(VirError) -> QemuFirmwareDescriptor {
        let doc: VirJSON
        do { doc = try VirJSON.parse(text) } catch {
            throw VirError(.internalError, "unable to parse json file '\(path)'")
        }
        func fail(_ message: String) -> VirError { VirError(.internalError, message) }

        guard case .array(let interfaceValues)? = doc["interface-types"] else {
            throw fail("failed to get interface-types from '\(path)'")
        }
        var interfaces: [String] = []
        for value in interfaceValues {
            guard let name = value.stringValue, interfaceNames.contains(name) else {
                throw fail("unknown interface type: '\(value.stringValue ?? "(null)")'")
            }
            interfaces.append(name)
        }

        guard let mapping = doc["mapping"], mapping.isObject else { throw fail("missing mapping in '\(path)'") }
        guard let deviceName = mapping["device"]?.stringValue else { throw fail("missing device type in '\(path)'") }
        guard let device = Device(rawValue: deviceName) else { throw fail("unknown device type in '\(path)'") }
        func file(_ value: VirJSON) throws(VirError) -> File {
            guard let filename = value["filename"]?.stringValue else { throw fail("missing 'filename' in '\(path)'") }
            guard let format = value["format"]?.stringValue else { throw fail("missing 'format' in '\(path)'") }
            return File(filename: filename, format: format)
        }
        var mode = FlashMode.split
        var executable: File?
        var template: File?
        switch device {
        case .flash:
            if let m = mapping["mode"] {
                guard let name = m.stringValue else { throw fail("Firmware flash mode value was malformed") }
                guard let parsed = FlashMode(rawValue: name) else {
                    throw fail("Firmware flash mode value '\(name)' unexpected")
                }
                mode = parsed
            }
            guard let exe = mapping["executable"] else { throw fail("missing 'executable' in '\(path)'") }
            executable = try file(exe)
            if mode == .split {
                guard let t = mapping["nvram-template"] else { throw fail("missing 'nvram-template' in '\(path)'") }
                template = try file(t)
            }
        case .kernel, .memory:
            guard let filename = mapping["filename"]?.stringValue else { throw fail("missing 'filename' in '\(path)'") }
            executable = File(filename: filename, format: "raw")
        }

        guard case .array(let targetValues)? = doc["targets"] else { throw fail("failed to get targets from '\(path)'") }
        var targets: [Target] = []
        for t in targetValues {
            guard let arch = t["architecture"]?.stringValue else { throw fail("missing 'architecture' in '\(path)'") }
            guard case .array(let machines)? = t["machines"] else { throw fail("missing 'machines' in '\(path)'") }
            targets.append(Target(architecture: arch, machines: machines.compactMap(\.stringValue)))
        }

        guard case .array(let featureValues)? = doc["features"] else { throw fail("failed to get features from '\(path)'") }
        // Unknown features are ignored, as libvirt does.
        return QemuFirmwareDescriptor(path: path, interfaceTypes: interfaces, device: device, flashMode: mode,
                                      executable: executable, nvramTemplate: template, targets: targets,
                                      features: featureValues.compactMap(\.stringValue))
    }

    /// Whether the image suits a machine type of an architecture (the
    /// machine globs as GLib's `g_pattern_match_simple`: `*` and `?`).
    ///
    /// libvirt: `qemuFirmwareMatchesMachineArch`.
    public func matches(machine: String, arch: String) -> Bool {
        targets.contains { t in
            t.architecture == arch && t.machines.contains { QemuFirmwareDescriptor.glob($0, matches: machine) }
        }
    }

    /// `*` any run of characters, `?` any one; nothing else is special.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1; ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
