import Glibc
import Testing
import libvirt_abi
@testable import cpu_x86

/// The installed CPU map, loaded once for the suites that read it.
enum Fixtures {
    static let mapDirectory = CPUx86Map.defaultDirectory

    static let map: Result<CPUx86Map, VirError> = {
        do throws(VirError) {
            return .success(try CPUx86Map.load(directory: mapDirectory))
        } catch {
            return .failure(error)
        }
    }()

    static func loadedMap() throws -> CPUx86Map { try map.get() }

    /// A whole file, /proc included (whose size stat does not give).
    static func read(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0, "cannot open \(path)")
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            try #require(n >= 0, "cannot read \(path)")
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of the first "key : value" line of /proc/cpuinfo with that key.
    static func cpuinfoField(_ key: String, in text: String) -> String? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            if parts[0].trimmed() == key {
                return parts[1].trimmed()
            }
        }
        return nil
    }

    /// The names of the elements `element` with a `name` attribute in an XML
    /// text, in order, by a plain scan (independent of the parser under test).
    static func names(of element: String, in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        let opener = "<\(element) name='"
        while let start = rest.firstRange(of: opener) {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "'") else { break }
            names.append(String(rest[..<end]))
            rest = rest[end...]
        }
        return names
    }
}

extension Substring {
    /// Without the spaces and tabs around it.
    func trimmed() -> String {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
