/// QEMU's version, as the QMP greeting announces it
/// (`{"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}, "package": "..."}}}`).
///
/// libvirt: `qemuMonitorJSONGetVersion` (libvirt asks `query-version`; the
/// greeting carries the same object).
public struct QemuVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let micro: Int
    /// The distribution's package string (`Debian 1:7.2+dfsg-7+deb12u18`), possibly empty.
    public let package: String

    public init(major: Int, minor: Int, micro: Int, package: String = "") {
        self.major = major
        self.minor = minor
        self.micro = micro
        self.package = package
    }

    /// Reads the greeting's `version` object (the `query-version` reply layout).
    public init?(qmp version: JSONValue) {
        guard let qemu = version["qemu"],
              let major = qemu["major"]?.intValue,
              let minor = qemu["minor"]?.intValue,
              let micro = qemu["micro"]?.intValue else { return nil }
        self.init(major: major, minor: minor, micro: micro,
                  package: version["package"]?.stringValue ?? "")
    }

    /// libvirt's single number for a version: `major * 1000000 + minor * 1000 + micro`.
    public var number: Int { major * 1_000_000 + minor * 1_000 + micro }

    public var description: String { "\(major).\(minor).\(micro)" }

    /// Versions compare by number; the package string does not take part.
    public static func == (lhs: QemuVersion, rhs: QemuVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.micro) == (rhs.major, rhs.minor, rhs.micro)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(micro)
    }

    public static func < (lhs: QemuVersion, rhs: QemuVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.micro) < (rhs.major, rhs.minor, rhs.micro)
    }
}
