import libvirt_abi

/// What libvirt's post-parse fills into every definition before a driver
/// sees it: controller indexes, the serial port a `<console>` stands for,
/// and the controllers the devices need.
extension DomainDef {
    /// Applies all of them, in libvirt's order.
    ///
    /// libvirt: `virDomainDefPostParseCommon` (the parts that add devices).
    public mutating func addImplicitDevices() throws(VirError) {
        assignControllerIndexes()
        try addConsoleCompat()
        addDefaultUSBController()
        addImplicitControllers()
        addDefaultMemballoon()
    }

    /// A guest that names no USB controller gets the machine's default one
    /// (write `<controller type='usb' model='none'/>` for none), as libvirt
    /// does on x86: `piix3-uhci` on `pc`, `qemu-xhci` on `q35`.
    ///
    /// libvirt: `qemuDomainDefAddDefaultDevices` (`addDefaultUSB`) and
    /// `qemuDomainDefaultUSBControllerModel`.
    mutating func addDefaultUSBController() {
        guard os.type == "hvm", !controllers.contains(where: { $0.type == .usb }) else { return }
        let model = (os.machine ?? "").contains("q35") ? "qemu-xhci" : "piix3-uhci"
        controllers.append(DomainControllerDef(type: .usb, index: 0, model: model))
    }

    /// A guest that names no `<memballoon>` gets a virtio one (write
    /// `<memballoon model='none'/>` for none), as libvirt does on x86.
    ///
    /// libvirt: `qemuDomainDefAddDefaultDevices` (`addDefaultMemballoon`).
    mutating func addDefaultMemballoon() {
        if memballoon == nil { memballoon = DomainMemballoonDef(model: "virtio") }
    }

    /// USB2 companions take the index of the USB2 controller listed just
    /// before them; any other controller without `index=` the lowest index
    /// its type does not use yet.
    ///
    /// libvirt: `virDomainAssignControllerIndexes`.
    mutating func assignControllerIndexes() {
        for i in controllers.indices where controllers[i].index == nil {
            let c = controllers[i]
            if i > 0, c.isUSB2 {
                if let prev = controllers[..<i].last(where: { $0.type == .usb }), prev.isUSB2, let index = prev.index,
                   !controllers.contains(where: { $0.type == .usb && $0.index == index && $0.model == c.model }) {
                    controllers[i].index = index
                    continue
                }
            }
            var index = 0
            while controllers.contains(where: { $0.type == c.type && $0.index == index }) { index += 1 }
            controllers[i].index = index
        }
    }

    /// The first `<console>` of an HVM guest, when it is a serial console
    /// and no `<serial>` exists, becomes serial port 0 and the console an
    /// alias of it.
    ///
    /// libvirt: `virDomainDefAddConsoleCompat`.
    mutating func addConsoleCompat() throws(VirError) {
        for c in consoles.dropFirst() where c.targetType == "serial" {
            throw VirError.conf(.configUnsupported, "Only the first console can be a serial port")
        }
        guard os.type == "hvm", let first = consoles.first, (first.targetType ?? "serial") == "serial" else { return }
        if serials.isEmpty {
            var serial = first
            serial.deviceType = "serial"
            serial.node.name = "serial"
            serial.targetType = nil
            serial.targetPort = 0
            serial.node.setChild("target", nil, order: DomainChrDef.order)
            serials.append(serial)
        }
        var console = consoles[0]
        console.targetType = "serial"
        console.targetPort = 0
        consoles[0] = console
    }

    /// A virtio-serial controller for virtio channels and consoles, and a
    /// SATA or SCSI controller for the disks on those buses, when the XML
    /// has none (libvirt's default SCSI model for QEMU on x86 is
    /// `lsilogic`).
    ///
    /// libvirt: `virDomainDefAddImplicitControllers`
    /// (`virDomainDefMaybeAddVirtioSerialController`,
    /// `virDomainDefAddDiskControllersForType`) and
    /// `qemuDomainGetSCSIControllerModel`.
    mutating func addImplicitControllers() {
        for (bus, type, model) in [(DomainDiskBus.sata, DomainControllerDef.ControllerType.sata, nil),
                                   (.scsi, .scsi, "lsilogic")] as [(DomainDiskBus, DomainControllerDef.ControllerType, String?)] {
            if disks.contains(where: { $0.targetBus == bus }) && !controllers.contains(where: { $0.type == type }) {
                controllers.append(DomainControllerDef(type: type, index: 0, model: model))
            }
        }
        let virtioChannels = channels.contains { $0.targetType == "virtio" } || consoles.contains { $0.targetType == "virtio" }
        if virtioChannels && !controllers.contains(where: { $0.type == .virtioSerial }) {
            controllers.append(DomainControllerDef(type: .virtioSerial, index: 0))
        }
    }
}

extension DomainControllerDef {
    /// An ICH9 EHCI or one of its UHCI companions. libvirt: `IS_USB2_CONTROLLER`.
    public var isUSB2: Bool {
        type == .usb && ["ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3"].contains(model ?? "")
    }
}
