import Foundation
import Glibc
import virutil

/// The host's suspend targets, as capabilities' `<power_management>` lists
/// them: systemd-logind's answer where logind runs, else pm-utils'
/// `pm-is-supported`, else none.
///
/// libvirt: `virNodeSuspendGetTargetMask` (src/util/virnodesuspend.c),
/// with `virSystemdPMSupportTarget` and
/// `virNodeSuspendSupportsTargetPMUtils`.
enum HostPowerManagement {
    /// Capabilities' element names, with logind's method and pm-utils'
    /// option for each, in libvirt's order.
    static let targets: [(element: String, logind: String, pmUtils: String)] = [
        ("suspend_mem", "CanSuspend", "--suspend"),
        ("suspend_disk", "CanHibernate", "--hibernate"),
        ("suspend_hybrid", "CanHybridSleep", "--suspend-hybrid"),
    ]

    static let timeout: Duration = .seconds(10)

    /// The supported targets' element names, asked once per process as
    /// libvirt asks once per daemon (`nodeSuspendTargetMaskInit`).
    static let supported: [String] = read()

    static func read() -> [String] {
        // logind runs: it answers (virSystemdHasLogind looks at the bus;
        // logind keeps this directory while it runs).
        if access("/run/systemd/seats", F_OK) == 0, let busctl = findInPath("busctl") {
            return targets.compactMap { t in
                let call = VirCommand([busctl, "call", "org.freedesktop.login1", "/org/freedesktop/login1",
                                       "org.freedesktop.login1.Manager", t.logind])
                guard let (status, out) = try? call.output(timeout: timeout), status == 0 else { return nil }
                // `s "yes"`
                let answer = out.trimmingCharacters(in: .whitespacesAndNewlines)
                return answer == #"s "yes""# || answer == #"s "challenge""# ? t.element : nil
            }
        }
        guard let pm = findInPath("pm-is-supported") else { return [] }
        return targets.compactMap { t in
            guard let (status, _) = try? VirCommand([pm, t.pmUtils]).output(timeout: timeout) else { return nil }
            return status == 0 ? t.element : nil
        }
    }

    /// libvirt: `virFindFileInPath`.
    static func findInPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }
}
