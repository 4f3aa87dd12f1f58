import domain_conf
import libvirt_abi
import virdomainobjlist

/// The statistics of the last completed migration, kept on the domain for
/// `domjobinfo --completed`.
///
/// libvirt: `vm->job->completed`.
public struct QemuCompletedJob: Sendable, Equatable {
    public var operation: DomainJobOperation
    public var stats: QemuMigrationStatistics

    public init(operation: DomainJobOperation, stats: QemuMigrationStatistics) {
        self.operation = operation
        self.stats = stats
    }

    /// The status file's `<completedJob>`: the next driver process (the
    /// next virsh command) shows it too.
    package var element: XMLElement {
        var stats = self.stats.element
        if let t = self.stats.qemuTotalTime { stats.children.append(.element(XMLElement("qemu_total_time", text: String(t)))) }
        return XMLElement(QemuStatusExtra.completedJob.rawValue, attributes: [XMLAttribute("operation", String(operation.rawValue))],
                          children: [.element(stats)])
    }

    package init?(element e: XMLElement) {
        guard e.name == QemuStatusExtra.completedJob.rawValue, let op = e.attribute("operation").flatMap(Int32.init).flatMap(DomainJobOperation.init(rawValue:)),
              let s = e.child("statistics") else { return nil }
        operation = op
        stats = QemuMigrationStatistics(element: s)
        stats.qemuTotalTime = s.childText("qemu_total_time").flatMap { UInt64($0) }
    }

    /// The completed job of a domain: kept in memory, or found in its
    /// status file by a driver that started since.
    package static func of(_ obj: DomainObj) -> QemuCompletedJob? {
        if let job = obj.qemu.completedJob { return job }
        return obj.qemu.statusExtra(.completedJob).flatMap(QemuCompletedJob.init(element:))
    }
}
