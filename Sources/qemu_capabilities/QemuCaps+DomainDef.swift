import domain_conf
import libvirt_abi

extension QemuCaps {
    /// Pins the definition's machine type: none becomes the emulator's
    /// default, an alias (`pc`, `q35`) the versioned machine it stands for,
    /// so that the guest keeps its machine when a newer QEMU runs it.
    ///
    /// libvirt: `qemuDomainDefMachinePostParse`, `qemuCanonicalizeMachine`.
    public func pinMachine(_ def: inout DomainDef) throws(VirError) {
        guard let machine = def.os.machine else {
            guard let preferred = preferredMachine else {
                throw VirError(.invalidArg, "could not get preferred machine for \(emulator) type=\(def.virtType)")
            }
            def.os.machine = preferred
            return
        }
        def.os.machine = canonicalMachine(machine)
    }

    /// What the emulator must offer to run the definition.
    ///
    /// libvirt: `qemuValidateDomainDef` (the emulator checks).
    public func validate(_ def: DomainDef) throws(VirError) {
        let machine = def.os.machine ?? preferredMachine ?? ""
        guard supportsMachine(machine) else {
            throw VirError(.configUnsupported, "Emulator '\(emulator)' does not support machine type '\(machine)'")
        }
    }
}
