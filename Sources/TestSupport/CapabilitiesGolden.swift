import Foundation

/// How this driver's `virsh capabilities` must relate to Debian's
/// libvirtd's on the same host: equal, but for the differences listed
/// here, each a thing this driver does differently on purpose.
public enum CapabilitiesGolden {
    /// The host UUID, different per daemon (libvirtd makes one up on a
    /// host without SMBIOS).
    public static func maskUUID(_ caps: String) -> String {
        caps.replacingOccurrences(of: #"<uuid>[0-9a-f-]+</uuid>"#, with: "<uuid>UUID</uuid>", options: .regularExpression)
    }

    /// libvirtd's capabilities, turned into what this driver says of the
    /// same host:
    /// - migration URIs: no `rdma` (this driver takes `tcp:` and `unix:`
    ///   URIs, and libvirt's schema has no name for the second);
    /// - no `<disksnapshot>`: this driver has no snapshots;
    /// - i686 guests run on the x86_64 emulator here (libvirtd uses
    ///   qemu-system-i386), so the i686 guest lists the x86_64 guest's
    ///   emulator and machine types.
    public static func libvirtdAsOurs(_ libvirtd: String) -> String {
        var lines = maskUUID(libvirtd).components(separatedBy: "\n")
        lines.removeAll {
            let line = $0.trimmingCharacters(in: .whitespaces)
            return line == "<uri_transport>rdma</uri_transport>" || line == "<disksnapshot default='on' toggle='no'/>"
        }
        func block(_ arch: String) -> Range<Int>? {
            guard let start = lines.firstIndex(where: { $0.contains("<arch name='\(arch)'>") }),
                  let end = lines[start...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "</arch>" }) else { return nil }
            return start..<end
        }
        func emulatorAndMachines(_ r: Range<Int>) -> [String] {
            lines[r].filter { $0.contains("<emulator>") || $0.contains("<machine") }
        }
        if let x86 = block("x86_64"), let i686 = block("i686") {
            let replacement = emulatorAndMachines(x86)
            let kept = lines[i686].filter { !$0.contains("<emulator>") && !$0.contains("<machine") }
            // <arch>, <wordsize>, then the x86_64 emulator and machines, then the domains.
            lines.replaceSubrange(i686, with: Array(kept.prefix(2)) + replacement + Array(kept.dropFirst(2)))
        }
        return lines.joined(separator: "\n")
    }

    /// The lines of `text` that differ from `expected`'s, for a test's
    /// message.
    public static func difference(_ text: String, _ expected: String) -> String {
        let a = text.components(separatedBy: "\n"), b = expected.components(separatedBy: "\n")
        var out: [String] = []
        for i in 0..<max(a.count, b.count) where a[safe: i] != b[safe: i] {
            out.append("line \(i + 1):\n  ours:     \(a[safe: i] ?? "<none>")\n  expected: \(b[safe: i] ?? "<none>")")
            if out.count == 10 { break }
        }
        return out.joined(separator: "\n")
    }
}

extension Array {
    fileprivate subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
