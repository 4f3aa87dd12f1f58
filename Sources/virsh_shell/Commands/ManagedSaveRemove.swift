/// `managedsave-remove`: throws the managed save image away.
///
/// libvirt: `cmdManagedSaveRemove` (tools/virsh-domain.c).
enum ManagedSaveRemoveCommand: VirshCommand {
    static let name = "managedsave-remove"
    static let group = CommandGroup.domain
    static let help = "Remove managed save of a domain"
    static let description = "Remove an existing managed save state file from a domain"
    static let options: [OptionDef] = [.domainFull]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, arg) = await cmd.domain(ctl) else { return false }
        let has: Bool
        do { has = try await dom.hasManagedSaveImage() } catch {
            ctl.error("Failed to check for domain managed save image")
            ctl.save(error)
            return false
        }
        guard has else {
            ctl.printExtra("Domain '\(arg)' has no manage save image; removal skipped")
            return true
        }
        do { try await dom.managedSaveRemove() } catch {
            ctl.error("Failed to remove managed save image for domain '\(arg)'")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Removed managedsave image for domain '\(arg)'")
        return true
    }
}
