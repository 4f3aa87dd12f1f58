import Foundation
import Testing
import TestSupport
import libvirt_abi

/// `send-key` on the same running counter guest in our embedded driver
/// (our virsh) and in Debian's libvirtd (Debian's virsh): the same
/// answers, errors included, and the same keys reaching QEMU. QEMU's
/// `input_event_key_qcode` trace event, turned on through the monitor,
/// writes each key its input layer gets into the domain's log, so every
/// Linux key this driver translates is sent to both and the two logs
/// must list the same keys in the same order: libvirt's keymap tables
/// and ours agree on each of them.
@Suite(.serialized)
final class SendKeyGoldenTests {
    let twins: TwinGuests
    var name: String { twins.name }

    init() throws {
        twins = try TwinGuests("sendkey", definitions: [("vm.xml", "")])
    }

    func both(_ args: [String]) -> (ours: VirshResult, ref: VirshResult) { twins.both(args) }
    func same(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        twins.same(args, sourceLocation: sourceLocation)
    }

    /// The keys QEMU's input layer got, in order, from a domain log.
    static func keys(inLog path: String) -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard let pattern = try? NSRegularExpression(pattern: #"input_event_key_qcode con -?\d+, key qcode (\S+), down (\d)"#) else { return [] }
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            guard let key = Range(m.range(at: 1), in: text), let down = Range(m.range(at: 2), in: text) else { return nil }
            return "\(text[key]) \(text[down])"
        }
    }

    @Test func keysAndErrorsAreLibvirts() throws {
        let defined = both(["define", "DIR/vm.xml"])
        #expect(defined.ours.status == 0 && defined.ref.status == 0, "\(defined)")
        // Not running yet.
        same("send-key", name, "KEY_A")
        let started = both(["start", name])
        #expect(started.ours == started.ref, "\(started)")
        let state = both(["domstate", name])
        #expect(state.ours.stdout == "running\n\n" && state.ref.stdout == "running\n\n", "\(state)")

        // Refusals, in virsh's and libvirt's words.
        same("send-key", name, "KEY_NOSUCH")
        same("send-key", name, "--codeset", "nosuch", "KEY_A")
        same("send-key", name, "--holdtime", "-1", "KEY_A")
        same("send-key", name, "--holdtime", "x", "KEY_A")
        same("send-key", name, "0x10000")
        same("send-key", name, "600")
        same("send-key", name, "--codeset", "qnum", "KEY_A")
        same("send-key", name, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17")
        same("send-key", name)
        same("send-key", "nosuch", "KEY_A")

        // Every Linux key this driver translates, by number and by name,
        // and through the other code sets it translates.
        let trace = #"{"execute":"trace-event-set-state","arguments":{"name":"input_event_key_qcode","enable":true}}"#
        let enabled = both(["qemu-monitor-command", name, trace])
        #expect(enabled.ours.status == 0 && enabled.ref.status == 0, "\(enabled)")
        let codes = VirKeycode.translatedLinuxCodes
        // Each: its options, then its keys.
        var sends: [(options: [String], keys: [String])] = stride(from: 0, to: codes.count, by: 16).map { i in
            ([], codes[i..<min(i + 16, codes.count)].map(String.init))
        }
        sends.append(([], ["KEY_LEFTCTRL", "KEY_LEFTALT", "KEY_DELETE"]))
        sends.append((["--holdtime", "50"], ["0x1e", "036"]))
        sends.append((["--codeset", "qnum"], ["0x9d", "0x1e"]))
        sends.append((["--codeset", "rfb"], ["0xc8"]))
        sends.append((["--codeset", "xt"], ["0x1e", "0x39"]))
        sends.append((["--codeset", "atset1"], ["0xe01d", "0xe048", "0x1e"]))
        for send in sends {
            let args = ["send-key", name] + send.options + send.keys
            let r = both(args)
            #expect(r.ours == r.ref, "virsh \(args.joined(separator: " "))")
            #expect(r.ours == VirshResult(stdout: "\n", stderr: "", status: 0), "\(r.ours)")
        }
        let ourLog = twins.root.path + "/log/qemu/\(name).log", theirLog = "/var/log/libvirt/qemu/\(name).log"
        // Each send presses its keys and releases them: two lines a key.
        let expected = sends.reduce(0) { $0 + $1.keys.count * 2 }
        #expect(Wait.untilBlocking(timeout: .seconds(30)) { Self.keys(inLog: ourLog).count >= expected && Self.keys(inLog: theirLog).count >= expected })
        let ours = Self.keys(inLog: ourLog), theirs = Self.keys(inLog: theirLog)
        #expect(ours.count == expected)
        #expect(ours == theirs)
        // A few qnum codes (KEY_KPJPCOMMA's, the Japanese keys') have no
        // QEMU key code: QEMU says "unmapped" for libvirt's the same.
        #expect(ours.filter { !$0.hasPrefix("unmapped") }.count > expected - 20, "\(ours)")
        same("destroy", name)
    }
}
