/// The vCPUs of a domain's XML as virsh prints it.
enum DomainXMLVcpus {
    /// The `<vcpu>` line and the `<vcpus>` block, as lines.
    static func lines(_ xml: String) -> [String] {
        let lines = xml.split(separator: "\n").map(String.init)
        guard let first = lines.firstIndex(where: { $0.hasPrefix("  <vcpu ") }) else { return [] }
        guard lines.indices.contains(first + 1), lines[first + 1] == "  <vcpus>",
              let last = lines[first...].firstIndex(of: "  </vcpus>") else { return [lines[first]] }
        return Array(lines[first...last])
    }
}
