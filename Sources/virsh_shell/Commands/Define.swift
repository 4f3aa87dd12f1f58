import Foundation

/// `define`: defines (does not start) a domain from an XML file.
///
/// libvirt: `cmdDefine` (tools/virsh-domain.c).
enum DefineCommand: VirshCommand {
    static let name = "define"
    static let group = CommandGroup.domain
    static let help = "define (but don't start) a domain from an XML file"
    static let description = "Define a domain."
    static let options: [OptionDef] = [
        .data("file", "file containing an XML domain description"),
        .bool("validate", "validate the XML against the schema"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let f) = cmd.string("file", ctl), let file = f else { return false }
        guard let xml = XMLFile.read(file, ctl) else { return false }
        do {
            let dom = try await ctl.connected.defineXML(xml, validate: cmd.bool("validate"))
            ctl.printExtra("Domain '\(dom.name)' defined from \(file)\n")
            return true
        } catch {
            ctl.error("Failed to define domain from \(file)")
            ctl.save(error)
            return false
        }
    }
}

/// Reads an XML file as virsh does (`virFileReadAll` with
/// `VSH_MAX_XML_FILE`, 10 MiB), with libvirt's error messages.
enum XMLFile {
    static let maxSize = 10 * 1024 * 1024

    /// `read`, its error saved for virsh to print: `nil` on failure.
    @MainActor static func read(_ path: String, _ ctl: Control) -> String? {
        switch read(path) {
        case .success(let text): return text
        case .failure(let e):
            ctl.save(e)
            return nil
        }
    }

    static func read(_ path: String) -> Result<String, VirshError> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            return .failure(VirshError(code: .systemError, message: "Failed to open file '\(path)': \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(VirshError(code: .systemError, message: "Failed to read file '\(path)': \(String(cString: strerror(errno)))"))
            }
            if n == 0 { break }
            data += buf[0..<n]
            if data.count > maxSize {
                return .failure(VirshError(code: .internalError, message: "internal error: file '\(path)' is too large"))
            }
        }
        return .success(String(decoding: data, as: UTF8.self))
    }
}
