import domain_conf
import libvirt_abi

/// What the driver does with each element of a domain definition, so that
/// nothing in it is silently dropped: every element is applied (the
/// command-line builder turns it into QEMU options, or the driver acts on
/// it, and refuses the values it cannot run), or cannot change the guest
/// (listed here with the reason), or the start is refused naming it.
///
/// Paths are below `<domain>`, `*` standing for any one element name.
public enum QemuDomainDefSupport {
    public enum Treatment: Equatable, Sendable {
        /// The driver applies it.
        case applied
        /// It cannot change what the guest sees or how it runs; the
        /// element and everything inside it are kept as they are.
        case noEffect(reason: String)
    }

    /// Elements the driver applies.
    static let applied: Set<String> = [
        "name", "uuid", "memory", "currentMemory", "vcpu", "vcpus", "vcpus/vcpu",
        "os", "os/type", "os/boot", "os/bootmenu", "os/loader", "os/nvram", "os/nvram/source", "os/kernel", "os/initrd",
        "os/cmdline", "os/smbios",
        // Each table and entry is checked by name where it is built.
        "sysinfo", "sysinfo/*", "sysinfo/bios/entry", "sysinfo/system/entry", "sysinfo/baseBoard/entry",
        "sysinfo/chassis/entry", "sysinfo/oemStrings/entry",
        // Each feature and enlightenment is checked by name where it is built.
        "features", "features/*", "features/hyperv/*", "features/hyperv/stimer/direct", "features/kvm/*",
        "cpu", "cpu/model", "cpu/feature", "cpu/topology",
        "clock", "clock/timer",
        "on_poweroff", "on_reboot", "on_crash",
        "pm", "pm/suspend-to-mem", "pm/suspend-to-disk",
        "memoryBacking", "memoryBacking/source", "memoryBacking/access",
        "devices", "devices/emulator",
        "devices/disk", "devices/disk/driver", "devices/disk/source", "devices/disk/target", "devices/disk/readonly",
        "devices/disk/shareable", "devices/disk/serial", "devices/disk/wwn", "devices/disk/address", "devices/disk/boot",
        "devices/controller", "devices/controller/address", "devices/controller/master", "devices/controller/model",
        "devices/controller/target",
        "devices/interface", "devices/interface/mac", "devices/interface/source", "devices/interface/model",
        "devices/interface/address", "devices/interface/boot", "devices/interface/target",
        "devices/serial", "devices/serial/source", "devices/serial/target",
        "devices/console", "devices/console/source", "devices/console/target",
        "devices/channel", "devices/channel/source", "devices/channel/target",
        "devices/input", "devices/input/address",
        "devices/graphics", "devices/graphics/listen", "devices/graphics/image", "devices/graphics/jpeg",
        "devices/graphics/zlib", "devices/graphics/playback", "devices/graphics/streaming",
        "devices/video", "devices/video/model", "devices/video/address",
        "devices/sound", "devices/sound/codec", "devices/sound/address",
        "devices/audio", "devices/redirdev", "devices/redirdev/address",
        "devices/watchdog", "devices/watchdog/address",
        "devices/memballoon", "devices/memballoon/address",
        "devices/rng", "devices/rng/backend", "devices/rng/rate", "devices/rng/address",
        "devices/panic", "devices/panic/address",
        // Whatever prefix the document binds to libvirt's QEMU namespace.
        "qemu:commandline", "qemu:commandline/qemu:arg",
    ]

    /// Elements that cannot change the guest, with the reason.
    static let noEffect: [String: String] = [
        "metadata": "application data kept for other tools (virt-install's libosinfo OS id); QEMU never sees it",
        "title": "a short description for people",
        "description": "a description for people",
        "devices/disk/backingStore": "libvirt's record of the image's backing chain; QEMU opens the chain the image header names",
    ]

    /// How the driver treats the element at `path`, `nil` when it does
    /// not handle it.
    public static func treatment(of path: String) -> Treatment? {
        if applied.contains(path) || applied.contains(wildcard(path)) { return .applied }
        if let reason = noEffect[path] { return .noEffect(reason: reason) }
        return nil
    }

    /// `a/b/c` → `a/b/*`.
    static func wildcard(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "*" }
        return path[..<slash] + "/*"
    }

    /// The paths of every element of `root`'s tree, in document order,
    /// without descending into elements that have no effect.
    /// An element bound to libvirt's QEMU namespace is named with the
    /// `qemu:` prefix, whatever prefix the document uses.
    public static func elementPaths(_ root: XMLElement) -> [String] {
        let qemuPrefixes = Set(root.attributes.filter { $0.value == QemuCommandLine.qemuNamespace && $0.name.hasPrefix("xmlns:") }
            .map { String($0.name.dropFirst("xmlns:".count)) })
        func name(_ e: XMLElement) -> String {
            guard let colon = e.name.firstIndex(of: ":"), qemuPrefixes.contains(String(e.name[..<colon])) else { return e.name }
            return "qemu" + e.name[colon...]
        }
        var out: [String] = []
        func walk(_ e: XMLElement, _ prefix: String) {
            for child in e.elements {
                let path = prefix.isEmpty ? name(child) : prefix + "/" + name(child)
                out.append(path)
                if case .noEffect? = treatment(of: path) { continue }
                walk(child, path)
            }
        }
        walk(root, "")
        return out
    }

    /// Refuses the first element the driver neither applies nor knows to
    /// have no effect, naming it.
    public static func check(_ def: DomainDef) throws(VirError) {
        for path in elementPaths(def.node) where treatment(of: path) == nil {
            throw VirError(.configUnsupported, "element <\(path.split(separator: "/").last ?? "")> (\(path)) is not supported by this driver")
        }
    }
}
