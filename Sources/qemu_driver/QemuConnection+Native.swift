import domain_conf
import libvirt_abi
import qemu_domain
import qemu_process

extension QemuConnection {
    /// The one native format: QEMU's command line.
    public static let nativeFormatArgv = "qemu-argv"

    /// The command line the driver would run for a definition, with its
    /// environment, on one line (`virsh domxml-to-native qemu-argv`):
    /// the definition is prepared as a start prepares it
    /// (`QemuDomainProcess.prepare`), but nothing is started, allocated or written.
    ///
    /// Unlike libvirt, which turns every interface into `type='ethernet'`
    /// for this, interfaces stay what they are: the line is the one a
    /// start runs.
    ///
    /// libvirt: `qemuConnectDomainXMLToNative`.
    public func domainXMLToNative(format: String, xml: String, flags: UInt32 = 0) throws(VirError) -> String {
        guard flags == 0 else {
            throw VirError.unsupportedFlags(flags, in: "qemuConnectDomainXMLToNative")
        }
        guard format == Self.nativeFormatArgv else {
            throw VirError(.invalidArg, "unsupported config type \(format)")
        }
        var def = try DomainDef.parse(xml)
        let caps = try QemuDomainProcess.prepare(&def, state, incoming: false)
        return try QemuProcess.pretendCommandLine(def: def, id: -1, config: driver.config, caps: caps)
    }
}
