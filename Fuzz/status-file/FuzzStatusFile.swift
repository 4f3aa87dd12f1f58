// libFuzzer target: the status file parsers (Sources/qemu_process): the
// whole file, and the header a driver reads first when it opens a root
// (name, uuid and process, without the live definition), built by
// scripts/fuzz.sh with SwiftPM.
//
// Every input must be refused with a VirError or parse; a whole file that
// parses formats to text that parses again and formats the same; when both
// parsers accept a file they agree on its domain and its process.
import qemu_process

func fuzzStatusFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    let header = try? QemuStatusHeader(text, path: "fuzz.xml")
    guard let status = try? QemuStatusFile.parse(text, path: "fuzz.xml") else { return 0 }
    if let header, header.name != status.def.name || header.uuid != status.def.uuid
        || header.instance != status.instance {
        fatalError("the header and the whole file disagree:\n\(text)")
    }
    let xml = status.format()
    let again: QemuStatusFile
    do { again = try QemuStatusFile.parse(xml, path: "fuzz.xml") } catch {
        fatalError("the formatted status file is refused (\(error)):\n\(xml)")
    }
    let xml2 = again.format()
    if xml2 != xml { fatalError("format, parse, format changed the status file:\n\(xml)\n---\n\(xml2)") }
    return 0
}
