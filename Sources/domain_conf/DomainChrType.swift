/// The host side of a character device (`<serial type=...>`).
///
/// libvirt: `virDomainChrType` (`VIR_ENUM_IMPL(virDomainChr, ...)`).
public enum DomainChrType: String, CaseIterable, Hashable, Sendable {
    case null, vc, pty, dev, file, pipe, stdio, udp, tcp, unix, spicevmc, spiceport, nmdm
    case qemuVdagent = "qemu-vdagent"
    case dbus
}
