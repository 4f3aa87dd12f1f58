import domain_conf

/// A disk of a domain's XML found by its target or source, as virsh finds
/// the disk `detach-disk` and `change-media` act on.
///
/// libvirt: `virshFindDisk` (tools/virsh-domain.c), `virshDiskDropBackingStore`.
enum DiskFinder {
    /// The disk whose target or source is `path` (with `changeable`, only
    /// CD-ROMs and floppies), without its `<backingStore>`; `nil`, reported
    /// as virsh reports it, when there is none.
    @MainActor static func find(_ text: String, path: String, changeable: Bool, _ ctl: Control) -> XMLElement? {
        guard let root = try? XMLParser.parse(text, url: "(domain_definition)"),
              let disks = root.child("devices")?.children(named: "disk"), !disks.isEmpty else {
            ctl.error("Failed to get disk information")
            return nil
        }
        let found = disks.first { disk in
            if changeable, let device = disk.attribute("device"), device != "cdrom", device != "floppy" { return false }
            let source = disk.child("source")
            return disk.child("target")?.attribute("dev") == path
                || ["file", "dev", "dir", "name"].contains { source?.attribute($0) == path }
        }
        guard var disk = found else {
            ctl.error("No disk found whose source path or target is \(path)")
            return nil
        }
        disk.children.removeAll { if case .element(let e) = $0 { return e.name == "backingStore" } else { return false } }
        return disk
    }
}
