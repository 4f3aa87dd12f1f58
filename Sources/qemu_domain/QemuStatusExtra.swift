/// The elements the driver adds to an instance's status file, beside the
/// domain definition and its state: what a driver that restarts must know.
///
/// libvirt: the private data `qemuDomainObjPrivateXMLFormat` writes
/// (`<job>` with its migration, `<autodestroy>`...).
public enum QemuStatusExtra: String, Sendable, CaseIterable {
    /// A migration in flight: role, phase, flags, parameters.
    case migration
    /// The instance dies with the connection that started it.
    case autodestroy
    /// Statistics of the last completed job (`domjobinfo --completed`).
    case completedJob
    /// A save in flight: its file, and whether the guest ran before it
    /// (libvirt: `<job type='none' async='save'>`).
    case saveJob
    /// The guest's next power-off is a reboot (`virsh reboot` by ACPI),
    /// QEMU set to pause on it (libvirt: `<fakereboot/>`).
    case fakeReboot = "fakereboot"
    /// A vCPU was unplugged from this QEMU: under TCG it crashes when a
    /// vCPU is plugged into it again.
    case vcpuUnplugged
}
