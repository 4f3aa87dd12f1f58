import Foundation
import domain_conf
import libvirt_abi
import virdomainobjlist
import virutil

/// The traffic counters of a running domain's interfaces, from the host's
/// side of their taps.
extension QemuConnection {
    /// One interface's counters, by its host device (`vnet0`) or its MAC:
    /// `rx_bytes`, `rx_packets`, `rx_errs`, `rx_drop`, `tx_bytes`,
    /// `tx_packets`, `tx_errs`, `tx_drop`, as the guest sees them (a tap's
    /// host side counts the other way round).
    ///
    /// libvirt: `qemuDomainInterfaceStats` → `virDomainNetFind`,
    /// `virNetDevTapInterfaceStats` (/proc/net/dev).
    public func interfaceStats(_ dom: DomainRef, device: String) throws(VirError) -> [Int64] {
        let obj = try obj(dom)
        guard obj.isActive else { throw VirError.notRunning }
        let def = obj.def
        let byMAC = Self.isMAC(device)
        guard let net = def.interfaces.first(where: { byMAC ? $0.mac.lowercased() == device.lowercased() : $0.targetDevice == device }) else {
            throw VirError(.invalidArg, "'\(device)' is not a known interface")
        }
        guard let ifname = net.targetDevice else {
            throw VirError(.internalError, "Interface name not provided")
        }
        guard let counters = try Self.tapCounters()[ifname] else {
            throw VirError(.internalError, "/proc/net/dev: Interface not found")
        }
        return counters
    }

    /// Every host interface's counters in `/proc/net/dev`, by name,
    /// swapped to the guest's view (every interface type this driver runs
    /// is a tap): one read for all the interfaces a call reports.
    ///
    /// libvirt: `virNetDevTapInterfaceStats` (`swapped`).
    static func tapCounters() throws(VirError) -> [String: [Int64]] {
        let text: String
        do throws(VirError) {
            text = String(decoding: try VirFile.readAll("/proc/net/dev", limit: 16 << 20), as: UTF8.self)
        } catch {
            throw VirError.system(error.errno ?? EIO, "Could not open /proc/net/dev")
        }
        var counters: [String: [Int64]] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let f = line[line.index(after: colon)...].split(separator: " ").compactMap { Int64($0) }
            guard f.count == 16 else { continue }
            counters[line[..<colon].trimmingCharacters(in: .whitespaces)] = [f[8], f[9], f[10], f[11], f[0], f[1], f[2], f[3]]
        }
        return counters
    }

    /// The `interface` group of `virConnectGetAllDomainStats`, for a
    /// running domain: `net.count`, and for each interface with a host
    /// device, `net.N.name` and its counters (`rx.bytes`, `rx.pkts`,
    /// `rx.errs`, `rx.drop`, `tx.*`) when they can be read. `host` is
    /// `tapCounters()`, read once for all the domains of the call.
    ///
    /// libvirt: `qemuDomainGetStatsInterface`.
    func interfaceGroupStats(_ obj: DomainObj, host: Result<[String: [Int64]], VirError>) -> [TypedParameter] {
        guard obj.isActive else { return [] }
        let nets = obj.def.interfaces
        var params = [TypedParameter("net.count", .uint(UInt32(nets.count)))]
        let names = ["rx.bytes", "rx.pkts", "rx.errs", "rx.drop", "tx.bytes", "tx.pkts", "tx.errs", "tx.drop"]
        for (i, net) in nets.enumerated() {
            guard let ifname = net.targetDevice else { continue }
            params.append(TypedParameter("net.\(i).name", .string(ifname)))
            let counters: [Int64]
            switch host {
            case .success(let all):
                guard let found = all[ifname] else { continue }
                counters = found
            case .failure(let error):
                state.log.debug("no interface counters: \(error)", metadata: ["domain": "\(obj.name)", "step": "domain stats"])
                continue
            }
            for (name, value) in zip(names, counters) where value >= 0 {
                params.append(TypedParameter("net.\(i).\(name)", .ullong(UInt64(value))))
            }
        }
        return params
    }

    /// libvirt: `virMacAddrParse` (six hex pairs, `:`-separated).
    static func isMAC(_ s: String) -> Bool {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts.allSatisfy { (1...2).contains($0.count) && $0.allSatisfy(\.isHexDigit) }
    }
}
