/// The RPC programs a libvirt daemon serves, with their versions.
///
/// libvirt: `REMOTE_PROGRAM` (src/remote/remote_protocol.x),
/// `KEEPALIVE_PROGRAM` (src/rpc/virkeepaliveprotocol.x),
/// `QEMU_PROGRAM` (src/remote/qemu_protocol.x), `LXC_PROGRAM`.
public enum RemoteProgram {
    /// `REMOTE_PROGRAM`: the main API.
    public static let remote: UInt32 = 0x2000_8086
    /// `REMOTE_PROTOCOL_VERSION`.
    public static let remoteVersion: UInt32 = 1
    /// `KEEPALIVE_PROGRAM` ("keep").
    public static let keepalive: UInt32 = 0x6b65_6570
    /// `KEEPALIVE_PROTOCOL_VERSION`.
    public static let keepaliveVersion: UInt32 = 1
    /// `QEMU_PROGRAM`: the QEMU-specific API of libvirt-qemu.so (monitor
    /// commands passed through), procedures `QemuProcedure`.
    public static let qemu: UInt32 = 0x2000_8087
    /// `QEMU_PROTOCOL_VERSION`.
    public static let qemuVersion: UInt32 = 1
    /// `LXC_PROGRAM`, not served either.
    public static let lxc: UInt32 = 0x0006_8000
}
