import libvirt_abi

/// One device, parsed on its own (the XML `attach-device` and
/// `detach-device` send): a disk, which this driver plugs and unplugs, or
/// another known kind, by name.
///
/// libvirt: `virDomainDeviceDef`, `virDomainDeviceDefParse`.
public enum DomainDeviceDef: Sendable {
    case disk(DomainDiskDef)
    /// A device of another kind (`virDomainDeviceType`'s name for it).
    case other(String)

    /// The element names libvirt parses as a device, and the kind each is
    /// (`virDomainDeviceTypeFromString` over `virDomainDeviceDefParse`'s
    /// node names).
    static let kinds: [String: String] = [
        "disk": "disk", "lease": "lease", "filesystem": "fs", "interface": "net", "input": "input", "sound": "sound",
        "video": "video", "hostdev": "hostdev", "watchdog": "watchdog", "controller": "controller",
        "graphics": "graphics", "hub": "hub", "redirdev": "redirdev", "smartcard": "smartcard", "serial": "chr",
        "parallel": "chr", "console": "chr", "channel": "chr", "memballoon": "memballoon", "nvram": "nvram",
        "rng": "rng", "shmem": "shmem", "tpm": "tpm", "panic": "panic", "memory": "memory", "iommu": "iommu",
        "vsock": "vsock", "audio": "audio", "crypto": "crypto",
    ]

    /// libvirt: `virDomainDeviceDefParse`.
    public static func parse(_ xml: String) throws(VirError) -> DomainDeviceDef {
        let root = try XMLParser.parse(xml, url: "(device_definition)")
        guard let kind = kinds[root.name] else {
            throw VirError.conf(.xmlError, "unknown device type '\(root.name)'")
        }
        if kind == "disk" { return .disk(try DomainDiskDef(element: root)) }
        return .other(kind)
    }

    /// The kind's name in libvirt's messages (`virDomainDeviceTypeToString`).
    public var kindName: String {
        switch self {
        case .disk: return "disk"
        case .other(let k): return k
        }
    }
}
