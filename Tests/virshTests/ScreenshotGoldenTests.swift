import Foundation
import Testing
import TestSupport

/// `screenshot` of the same counter guest in our embedded driver (our
/// virsh) and in Debian's libvirtd (Debian's virsh): the same answers and
/// errors, and a PNG of the same size from each QEMU.
@Suite(.serialized)
final class ScreenshotGoldenTests {
    let twins: TwinGuests
    var name: String { twins.name }

    init() throws {
        twins = try TwinGuests("shot", definitions: [("plain.xml", ""), ("vga.xml", "<video><model type='vga'/></video>")])
    }

    func both(_ args: String...) -> (ours: VirshResult, ref: VirshResult) { twins.both(args) }
    func same(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        twins.same(args, sourceLocation: sourceLocation)
    }

    /// A PNG's width and height (its IHDR chunk).
    static func pngSize(_ path: String) -> (Int, Int)? {
        guard let d = FileManager.default.contents(atPath: path).map(Array.init), d.count > 24,
              d[0..<8] == [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], d[12..<16] == Array("IHDR".utf8)[...] else { return nil }
        let be = { (i: Int) in d[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }

    @Test func screenshotsAreLibvirts() throws {
        #expect(both("define", "DIR/plain.xml").ours.status == 0)
        same("screenshot", name)
        let started = both("start", name)
        #expect(started.ours == started.ref, "\(started)")
        same("screenshot", name)
        same("destroy", name)

        #expect(both("define", "DIR/vga.xml").ours.status == 0)
        #expect(both("start", name).ours.status == 0)
        // Both guests past the BIOS, counting in text mode.
        for dir in ["ours", "ref"] {
            let log = twins.dir(dir) + "/serial.log"
            let counted = (CounterGuest.counters(inLog: log).last ?? 0) + 3
            #expect(CounterGuest.waitForCounter(inLog: log, atLeast: counted), "\(dir) counts")
        }
        let shot = both("screenshot", name, "--file", "DIR/shot.png")
        #expect(shot.ours == shot.ref, "\(shot)")
        #expect(shot.ours == VirshResult(stdout: "Screenshot saved to DIR/shot.png, with type of image/png\n", stderr: "", status: 0))
        let ours = Self.pngSize(twins.dir("ours") + "/shot.png"), theirs = Self.pngSize(twins.dir("ref") + "/shot.png")
        #expect(ours != nil && ours?.0 == theirs?.0 && ours?.1 == theirs?.1, "\(String(describing: ours)) \(String(describing: theirs))")
        // Again over the same file, and by position.
        let again = both("screenshot", name, "DIR/shot.png")
        #expect(again.ours == again.ref, "\(again)")
        same("screenshot", name, "--screen", "1")
        same("screenshot", name, "--screen", "-1")
        same("screenshot", "nosuch")
        same("destroy", name)
        same("undefine", name)
        // The driver's file is gone once read.
        #expect(twins.root.files(under: "run/qemu").filter { $0.contains("screendump") }.isEmpty)
    }
}
