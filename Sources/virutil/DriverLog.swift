import Foundation
import Glibc
import Logging
import Synchronization
import libvirt_abi

/// Where the driver's log goes, as libvirt configures its own: a list of
/// outputs, each `LEVEL:stderr` or `LEVEL:file:PATH`, separated by spaces,
/// with libvirt's levels (1 debug, 2 info, 3 warning, 4 error). Read from
/// `LIBVIRT_LOG_OUTPUTS` (the daemon's `--log-outputs` sets the same);
/// unset, it is libvirt's default, `3:stderr`.
///
/// libvirt: `virLogSetFromEnv`, `virLogParseOutputs` (src/util/virlog.c).
public enum DriverLog {
    /// One output: where, and from which level on.
    public struct Output: Equatable, Sendable {
        public enum Destination: Equatable, Sendable {
            case stderr
            case file(String)
        }
        public var level: Logger.Level
        public var destination: Destination
    }

    /// The environment variable libvirt reads.
    public static let variable = "LIBVIRT_LOG_OUTPUTS"

    /// Parses an outputs setting.
    ///
    /// - Throws: libvirt's error for an output it cannot parse.
    public static func parse(_ text: String) throws(VirError) -> [Output] {
        try text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { item throws(VirError) -> Output in
            let parts = item.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, let n = Int(parts[0]), let level = level(libvirt: n) else {
                throw VirError(.configUnsupported, "Failed to parse value of setting 'log_outputs': '\(item)'", domain: .conf)
            }
            switch (parts[1], parts.count) {
            case ("stderr", 2): return Output(level: level, destination: .stderr)
            case ("file", 3) where parts[2].hasPrefix("/"): return Output(level: level, destination: .file(parts[2]))
            default:
                throw VirError(.configUnsupported, "Failed to parse value of setting 'log_outputs': '\(item)'", domain: .conf)
            }
        }
    }

    static func level(libvirt n: Int) -> Logger.Level? {
        switch n {
        case 1: return .debug
        case 2: return .info
        case 3: return .warning
        case 4: return .error
        default: return nil
        }
    }

    /// The outputs in force for this process: the environment's, or
    /// libvirt's default when it is unset or cannot be parsed (which is
    /// said once, on standard error).
    public static let outputs: [Output] = {
        let fallback = [Output(level: .warning, destination: .stderr)]
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return fallback }
        do {
            return try parse(text)
        } catch {
            FileHandle.standardError.write(Data("warning: \(error); logging to stderr from level 3\n".utf8))
            return fallback
        }
    }()

    /// A logger for one part of the driver (`qemu_domain`, `qemu_migration`, ...)
    /// writing to the outputs in force.
    public static func logger(_ label: String) -> Logger {
        var log = Logger(label: label) { label in
            MultiplexLogHandler(outputs.map { VirLogHandler(label: label, output: $0) })
        }
        log.logLevel = outputs.map(\.level).min() ?? .warning
        return log
    }
}

/// One log output: lines laid out as libvirt's
/// (`TIMESTAMP: PID: LEVEL : LABEL: MESSAGE key=value ...`), each written
/// with one `write` on a descriptor opened `O_APPEND`.
///
/// libvirt: `virLogOutputToFd`, `virLogFormatString`.
struct VirLogHandler: LogHandler {
    let label: String
    let output: DriverLog.Output
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level

    init(label: String, output: DriverLog.Output) {
        self.label = label
        self.output = output
        self.logLevel = output.level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(VirTime.stringNowRaw()): \(getpid()): \(event.level) : \(label): \(event.message)\(fields.isEmpty ? "" : " " + fields)\n"
        switch output.destination {
        case .stderr:
            Self.write(line, to: STDERR_FILENO)
        case .file(let path):
            guard let fd = Self.descriptor(path) else { return }  // nowhere left to say it
            Self.write(line, to: fd)
        }
    }

    /// Log files, opened once per process (`O_APPEND`: each line lands
    /// whole at the end, whoever else writes the file).
    private static let files = Mutex<[String: Int32]>([:])

    static func descriptor(_ path: String) -> Int32? {
        files.withLock { open in
            if let fd = open[path] { return fd }
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { return nil }
            open[path] = fd
            return fd
        }
    }

    static func write(_ line: String, to fd: Int32) {
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
