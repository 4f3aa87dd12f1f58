import Foundation

/// `domtime`: the guest's clock, read or set through its agent.
///
/// libvirt: `cmdDomTime` (tools/virsh-domain-monitor.c).
enum DomTimeCommand: VirshCommand {
    static let name = "domtime"
    static let group = CommandGroup.monitor
    static let help = "domain time"
    static let description = "Gets or sets the domain's system time"
    static let options: [OptionDef] = [
        .domainFull,
        .bool("now", "set to the time of the host running virsh"),
        .bool("pretty", "print domain's time in human readable form"),
        .bool("sync", "instead of setting given time, synchronize from domain's RTC"),
        .int("time", "time to set"),
    ]

    /// `VIR_DOMAIN_TIME_SYNC`.
    static let sync: UInt32 = 1 << 0

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.exclusive("time", "now", ctl), cmd.exclusive("time", "sync", ctl), cmd.exclusive("now", "sync", ctl) else {
            return false
        }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        guard case .success(let time) = cmd.longLong("time", ctl) else { return false }
        let now = cmd.bool("now"), rtcSync = cmd.bool("sync")
        if time != nil || now || rtcSync {
            let seconds = now ? Int64(Glibc.time(nil)) : time ?? 0
            do { try await dom.setGuestTime(seconds: seconds, nseconds: 0, flags: rtcSync ? sync : 0) } catch {
                ctl.save(error)
                return false
            }
            return true
        }
        let seconds: Int64
        do { seconds = try await dom.guestTime().seconds } catch {
            ctl.save(error)
            return false
        }
        // As virsh: no newline after the time.
        if cmd.bool("pretty") {
            var t = time_t(seconds)
            var tm = tm()
            gmtime_r(&t, &tm)
            ctl.print(String(format: "Time: %04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                             tm.tm_hour, tm.tm_min, tm.tm_sec))
        } else {
            ctl.print("Time: \(seconds)")
        }
        return true
    }
}
