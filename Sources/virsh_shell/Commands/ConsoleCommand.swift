import Foundation
import Glibc
import libvirt_abi
import virutil

/// `console`: the guest's serial console on this terminal, in raw mode,
/// until the escape character (`^]`, or `-e`'s) is typed or the console
/// goes away.
///
/// libvirt: `cmdConsole`, `cmdRunConsole` (tools/virsh-domain.c),
/// `virshRunConsole` (tools/virsh-console.c).
enum ConsoleCommand: VirshCommand {
    static let name = "console"
    static let group = CommandGroup.domain
    static let help = "connect to the guest console"
    static let description = "Connect the virtual serial console for the guest"
    static let options: [OptionDef] = [
        .domainFull,
        .string("devname", "character device name"),
        .bool("force", "force console connection (disconnect already connected sessions)"),
        .bool("safe", "only connect if safe console handling is supported"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        guard case .success(let devName) = cmd.string("devname", ctl) else { return false }
        var flags: UInt32 = 0
        if cmd.bool("force") { flags |= 2 }
        if cmd.bool("safe") { flags |= 1 }
        guard let state = try? await dom.state() else {
            ctl.error("Unable to get domain status")
            return false
        }
        if state.state == DomainState.shutoff.rawValue {
            ctl.error("The domain is not running")
            return false
        }
        guard isatty(STDIN_FILENO) == 1 else {
            ctl.error("Cannot run interactive console without a controlling TTY")
            return false
        }
        ctl.printExtra("Connected to domain '\(dom.name)'\n")
        ctl.printExtra("Escape character is \(ctl.escapeChar)")
        let e = Array(ctl.escapeChar.utf8)
        if e.first == 0x5E, e.count > 1 { ctl.printExtra(" (Ctrl + \(Character(Unicode.Scalar(e[1]))))") }
        ctl.printExtra("\n")
        // virshGetEscapeChar: ^X is the control character, else the character.
        let escape: UInt8 = e.first == 0x5E && e.count > 1 ? (e[1] & 0xDF) ^ 0x40 : (e.first ?? 0x1D)

        var saved = termios()
        let haveTTY = tcgetattr(STDIN_FILENO, &saved) == 0
        if haveTTY {
            var raw = saved
            cfmakeraw(&raw)
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)
        }
        defer { if haveTTY { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) } }

        let stream: any VirshConsoleStream
        do { stream = try await dom.openConsole(devName, flags: flags) } catch {
            ctl.save(error)
            return false
        }
        var failure: VirshError?
        loop: while true {
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 1, 10)
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                var buf = [UInt8](repeating: 0, count: 1024)
                let n = buf.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if n <= 0 {
                    failure = VirshError(code: .internalError, message: n == 0 ? "internal error: EOF on stdin"
                                         : "cannot read from stdin: \(String(cString: strerror(errno)))")
                    break loop
                }
                let input = buf[0..<n]
                if let i = input.firstIndex(of: escape) {
                    do { try stream.send(Array(input[..<i])) } catch { failure = error }
                    break loop
                }
                do { try stream.send(Array(input)) } catch {
                    failure = error
                    break loop
                }
            }
            do {
                // Everything the guest wrote meanwhile.
                while true {
                    guard let bytes = try stream.receive() else { break loop }
                    if bytes.isEmpty { break }
                    Console.writeRaw(bytes)
                }
            } catch {
                failure = error
                break loop
            }
        }
        do { try stream.finish() } catch { if failure == nil { failure = error } }
        if let failure {
            ctl.save(failure)
            return false
        }
        return true
    }
}
