import Foundation
import Glibc
import Testing
import TestSupport
import virutil

/// Whole-file replacement: unique temporary files, so that concurrent
/// writers never mix their content, no symbolic link followed, the mode
/// asked for, nothing left beside the file.
@Suite struct AtomicFileTests {
    @Test func concurrentWritersEachLeaveAWholeFileAndNothingElse() async throws {
        let root = TestRoot("atomic")
        defer { #expect(root.cleanup() == []) }
        let path = root.path + "/status.xml"
        let contents = (0..<4).map { i in String(repeating: "writer \(i)\n", count: 20_000) }
        await withTaskGroup(of: Void.self) { group in
            for text in contents {
                group.addTask {
                    for _ in 0..<25 { try? AtomicFile.write(text, to: path, durable: false) }
                }
            }
        }
        let final = try String(contentsOfFile: path, encoding: .utf8)
        #expect(contents.contains(final), "one writer's whole content")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["status.xml"])
    }

    @Test func theModeIsAppliedAndALinkInTheWayIsReplacedNotFollowed() throws {
        let root = TestRoot("atomic2")
        defer { #expect(root.cleanup() == []) }
        let victim = root.path + "/victim"
        try "untouched".write(toFile: victim, atomically: false, encoding: .utf8)
        let path = root.path + "/vm.xml"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        try AtomicFile.write("<domain/>", to: path, mode: 0o640)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "untouched")
        var st = stat()
        #expect(lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG && st.st_mode & 0o777 == 0o640)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "<domain/>")
    }
}
