import libvirt_abi

/// `<cpu><topology>`: how the vCPUs are laid out in sockets, dies, cores
/// and threads (1 for what it does not say).
///
/// libvirt: `virCPUDef`'s `sockets`, `dies`, `cores`, `threads`.
public struct DomainCPUTopology: Equatable, Sendable {
    public var sockets: UInt32
    public var dies: UInt32
    public var cores: UInt32
    public var threads: UInt32

    /// The vCPUs it holds.
    ///
    /// libvirt: `virDomainDefGetVcpusTopology`.
    public var vcpus: UInt64 { UInt64(sockets) * UInt64(dies) * UInt64(cores) * UInt64(threads) }
}

extension DomainDef {
    /// The definition's topology, `nil` without `<cpu><topology>`.
    public func cpuTopology() throws(VirError) -> DomainCPUTopology? {
        guard let t = node.child("cpu")?.child("topology") else { return nil }
        func count(_ name: String) throws(VirError) -> UInt32 {
            guard let text = t.attribute(name) else { return 1 }
            guard let n = UInt32(text), n >= 1 else { throw VirError(.xmlError, "Invalid CPU topology") }
            return n
        }
        return DomainCPUTopology(sockets: try count("sockets"), dies: try count("dies"), cores: try count("cores"),
                                 threads: try count("threads"))
    }
}
