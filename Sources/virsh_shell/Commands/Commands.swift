/// Every command, in the order `virsh help` lists them within a group.
enum Commands {
    static let all: [any VirshCommand.Type] = [
        // Domain Management
        AttachDeviceCommand.self, AttachDiskCommand.self, AutostartCommand.self, ChangeMediaCommand.self, ConsoleCommand.self, CreateCommand.self, DefineCommand.self, DescCommand.self, DestroyCommand.self, DetachDeviceCommand.self, DetachDiskCommand.self, DomDisplayCommand.self, DomFSInfoCommand.self, DomHostnameCommand.self, DomIDCommand.self, DomJobAbortCommand.self,
        DomJobInfoCommand.self, DomNameCommand.self, DomUUIDCommand.self, DomXMLToNativeCommand.self, DumpXMLCommand.self, EditCommand.self, GuestInfoCommand.self, ManagedSaveCommand.self, ManagedSaveRemoveCommand.self, MetadataCommand.self,
        MigrateCommand.self, MigrateGetMaxDowntimeCommand.self, MigrateGetSpeedCommand.self,
        MigrateSetMaxDowntimeCommand.self, MigrateSetSpeedCommand.self, QemuMonitorCommandCommand.self, RebootCommand.self, ResetCommand.self, RestoreCommand.self, ResumeCommand.self, SaveCommand.self, ScreenshotCommand.self, SendKeyCommand.self, SetMaxMemCommand.self, SetMemCommand.self, SetVcpusCommand.self, ShutdownCommand.self, StartCommand.self,
        SuspendCommand.self, UndefineCommand.self, UpgradeQemuCommand.self, VcpuCountCommand.self, VcpuInfoCommand.self, VNCDisplayCommand.self,
        // Domain Monitoring
        DomBlkListCommand.self, DomBlkStatCommand.self, DomControlCommand.self, DomIfAddrCommand.self, DomIfListCommand.self, DomIfStatCommand.self, DomInfoCommand.self, DomMemStatCommand.self, DomStateCommand.self, DomStatsCommand.self, DomTimeCommand.self, ListCommand.self,
        // Domain Events
        EventCommand.self,
        // Host and Hypervisor
        CapabilitiesCommand.self, DomCapabilitiesCommand.self, FreeCellCommand.self, HostnameCommand.self, MaxVcpusCommand.self, NodeInfoCommand.self, SysinfoCommand.self, URICommand.self, VersionCommand.self,
        // Virsh itself
        ConnectCommand.self, ExitCommand.self, HelpCommand.self, QuitCommand.self,
    ]

    /// libvirt: `vshCmddefSearch`.
    static func find(_ name: String) -> (any VirshCommand.Type)? {
        all.first { $0.name == name }
    }
}
