import libvirt_abi

/// What `virDomainGetInfo` returns.
///
/// libvirt: `virDomainInfo`.
public struct DomainInfo: Sendable, Equatable {
    public let state: DomainState
    /// KiB.
    public let maxMemory: UInt64
    /// KiB.
    public let memory: UInt64
    public let vcpus: UInt32
    /// Nanoseconds of CPU time used by the QEMU process.
    public let cpuTime: UInt64
}
