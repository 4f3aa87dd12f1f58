import CGlibc
import Glibc
import libvirt_abi

/// A tap device for one instance's NIC: opened on /dev/net/tun, given the
/// guest MAC with its first byte 0xFE (so that a bridge never takes the
/// tap's address as its own), brought up, and made a port of a bridge when
/// the interface names one. The tap is not persistent: it goes away when
/// the last descriptor of it closes, that is when its QEMU exits.
///
/// libvirt: `virNetDevTapCreateInBridgePort` (src/util/virnetdevtap.c).
public struct VirNetDevTap: Sendable {
    /// The name the kernel gave the device (`vnet0`, ...).
    public let name: String
    /// Ours: pass it to QEMU (`-netdev tap,fd=`), then close it.
    public let fd: Int32

    /// libvirt's name template for the taps it names itself (`VIR_NET_GENERATED_VNET_PREFIX`).
    public static let generatedPrefix = "vnet"

    /// - Parameters:
    ///   - name: the device's name, or `nil` for `vnet%d`.
    ///   - mac: the guest's MAC address (`52:54:00:...`).
    ///   - bridge: the bridge to attach it to.
    public static func create(name: String?, mac: String, bridge: String?) throws(VirError) -> VirNetDevTap {
        var bytes = try parseMAC(mac)
        bytes[0] = 0xFE
        var chosen = [CChar](repeating: 0, count: Int(IFNAMSIZ))
        let template = name ?? generatedPrefix + "%d"
        let fd = cglibc_tap_open(template, &chosen)
        guard fd >= 0 else {
            throw VirError.system(errno, "Unable to create tap device \(name ?? template)")
        }
        let tap = String(decoding: chosen.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do throws(VirError) {
            guard cglibc_netdev_set_mac(tap, bytes) == 0 else {
                throw VirError.system(errno, "Cannot set interface MAC on '\(tap)'")
            }
            if let bridge {
                guard cglibc_bridge_add_port(bridge, tap) == 0 else {
                    throw VirError.system(errno, "Unable to add bridge \(bridge) port \(tap)")
                }
            }
            guard cglibc_netdev_set_up(tap) == 0 else {
                throw VirError.system(errno, "Cannot set interface flags on '\(tap)'")
            }
        } catch {
            close(fd)
            throw error
        }
        return VirNetDevTap(name: tap, fd: fd)
    }

    static func parseMAC(_ mac: String) throws(VirError) -> [UInt8] {
        let parts = mac.split(separator: ":").compactMap { UInt8($0, radix: 16) }
        guard parts.count == 6 else { throw VirError(.internalError, "cannot parse MAC address '\(mac)'") }
        return parts
    }
}
