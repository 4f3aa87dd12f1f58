/// A CPU's topology: sockets, dies per socket, cores per die, threads per
/// core.
///
/// libvirt: `virCPUDef`'s `sockets`, `dies`, `cores`, `threads`.
public struct VirCPUTopology: Hashable, Sendable {
    public var sockets: UInt32, dies: UInt32, cores: UInt32, threads: UInt32

    public init(sockets: UInt32, dies: UInt32, cores: UInt32, threads: UInt32) {
        (self.sockets, self.dies, self.cores, self.threads) = (sockets, dies, cores, threads)
    }
}
