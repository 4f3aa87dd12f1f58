import domain_conf
import libvirt_abi

/// Which functions of which slots of which guest PCI buses are taken.
///
/// libvirt: `virDomainPCIAddressSet` (src/conf/domain_addr.c), for the
/// buses this driver runs: the machine's root (`pci-root` on i440fx,
/// `pcie-root` on q35: slots 1 to 31, slot 0 being the host bridge) and
/// `pcie-root-port`s (one slot, 0), each bus numbered by its controller's
/// index.
struct PCIAddressSet {
    /// libvirt: the `virDomainControllerModelPCI` values this driver runs.
    enum BusModel: Equatable {
        case pciRoot, pcieRoot, pcieRootPort

        var slots: ClosedRange<UInt32> {
            switch self {
            case .pciRoot, .pcieRoot: return 1...PCIDeviceAddress.slotLast
            case .pcieRootPort: return 0...0
            }
        }
    }

    /// What a device plugs into. libvirt: the `VIR_PCI_CONNECT_TYPE_*`
    /// flags `qemuDomainDeviceCalculatePCIConnectFlags` gives it.
    enum Connect: Equatable {
        /// A conventional PCI endpoint (every device on i440fx; e1000 and
        /// rtl8139 anywhere).
        case pciDevice
        /// A PCI Express endpoint (virtio and e1000e on q35).
        case pcieDevice
        /// A `pcie-root-port`, which shares a slot of pcie-root with others
        /// (`VIR_PCI_CONNECT_AGGREGATE_SLOT`).
        case rootPort

        /// libvirt's names in `virDomainPCIAddressFlagsCompatible`.
        var name: String {
            switch self {
            case .pciDevice: return "standard PCI device"
            case .pcieDevice: return "PCI Express device"
            case .rootPort: return "pcie-root-port"
            }
        }
    }

    struct Bus {
        var model: BusModel
        /// Bit `f` of `functions[s]`: function `f` of slot `s` is in use.
        var functions = [UInt8](repeating: 0, count: Int(PCIDeviceAddress.slotLast) + 1)
        /// Slots whose first function was taken by a device that lets
        /// others share the slot (root ports).
        var aggregate = [Bool](repeating: false, count: Int(PCIDeviceAddress.slotLast) + 1)

        init(model: BusModel) { self.model = model }

        /// What libvirt lets a bus take: automatically, or (`fromConfig`)
        /// when the XML says so, which also lets a PCI endpoint sit in a
        /// PCIe slot and the other way round.
        /// libvirt: `virDomainPCIAddressBusSetModel`, `virDomainPCIAddressFlagsCompatible`.
        func accepts(_ connect: Connect, fromConfig: Bool) -> Bool {
            switch (model, connect) {
            case (.pciRoot, .pciDevice), (.pcieRoot, .rootPort), (.pcieRootPort, .pcieDevice): return true
            case (.pciRoot, .pcieDevice), (.pcieRoot, .pciDevice), (.pcieRoot, .pcieDevice),
                 (.pcieRootPort, .pciDevice): return fromConfig
            case (.pciRoot, .rootPort), (.pcieRootPort, .rootPort): return false
            }
        }
    }

    private(set) var buses: [Bus]

    init(buses models: [BusModel]) {
        buses = models.map(Bus.init(model:))
    }

    mutating func addBus(_ model: BusModel) { buses.append(Bus(model: model)) }

    /// Marks one function as used.
    ///
    /// - Parameter fromConfig: the address came from the XML (errors are
    ///   `VIR_ERR_XML_ERROR`), else libvirt chose it (`VIR_ERR_INTERNAL_ERROR`).
    ///
    /// libvirt: `virDomainPCIAddressReserveAddrInternal` and
    /// `virDomainPCIAddressValidate`.
    mutating func reserve(_ a: PCIDeviceAddress, _ connect: Connect, fromConfig: Bool) throws(VirError) {
        let code: ErrorNumber = fromConfig ? .xmlError : .internalError
        func fail(_ m: String) -> VirError { VirError(code, m, domain: .domain) }
        if buses.isEmpty { throw fail("No PCI buses available") }
        if a.domain != 0 { throw fail("Invalid PCI address \(a). Only PCI domain 0 is available") }
        if a.bus >= buses.count { throw fail("Invalid PCI address \(a). Only PCI buses up to \(buses.count - 1) are available") }
        let b = Int(a.bus)
        guard buses[b].accepts(connect, fromConfig: fromConfig) else {
            throw fail("The device at PCI address \(a) cannot be plugged into the PCI controller with index='\(a.bus)'. It requires a controller that accepts a \(connect.name).")
        }
        let slots = buses[b].model.slots
        if a.slot < slots.lowerBound, slots.lowerBound > 0 { throw fail("Invalid PCI address \(a). slot must be >= \(slots.lowerBound)") }
        if a.slot > slots.upperBound { throw fail("Invalid PCI address \(a). slot must be <= \(slots.upperBound)") }
        if a.function > PCIDeviceAddress.functionLast {
            throw fail("Invalid PCI address \(a). function must be <= \(PCIDeviceAddress.functionLast)")
        }
        let s = Int(a.slot)
        let bit = UInt8(1) << UInt8(a.function)
        if buses[b].functions[s] & bit != 0 { throw fail("Attempted double use of PCI Address \(a)") }
        if buses[b].functions[s] == 0 && connect == .rootPort { buses[b].aggregate[s] = true }
        buses[b].functions[s] |= bit
    }

    /// The first free place for a device, without taking it: a slot with
    /// no function in use (function 0), or for a root port a free function
    /// of a slot other root ports share; `nil` when every bus is full.
    ///
    /// libvirt: `virDomainPCIAddressGetNextAddr` (`function` -1),
    /// `virDomainPCIAddressFindUnusedFunctionOnBus`.
    func next(_ connect: Connect) -> PCIDeviceAddress? {
        for (b, bus) in buses.enumerated() where bus.accepts(connect, fromConfig: false) {
            for slot in bus.model.slots {
                let used = bus.functions[Int(slot)]
                if used == 0 { return PCIDeviceAddress(bus: UInt32(b), slot: slot) }
                if connect == .rootPort, bus.aggregate[Int(slot)],
                   let f = (0...PCIDeviceAddress.functionLast).first(where: { used & (UInt8(1) << UInt8($0)) == 0 }) {
                    return PCIDeviceAddress(bus: UInt32(b), slot: slot, function: f)
                }
            }
        }
        return nil
    }

    /// Whether any function of the slot is in use.
    /// libvirt: `virDomainPCIAddressSlotInUse`.
    func slotInUse(_ a: PCIDeviceAddress) -> Bool {
        guard Int(a.bus) < buses.count, a.slot <= PCIDeviceAddress.slotLast else { return false }
        return buses[Int(a.bus)].functions[Int(a.slot)] != 0
    }

    /// Takes the first free place. libvirt: `virDomainPCIAddressReserveNextAddr`.
    mutating func reserveNext(_ connect: Connect) throws(VirError) -> PCIDeviceAddress {
        guard let a = next(connect) else {
            throw VirError(.internalError, "No more available PCI slots", domain: .domain)
        }
        try reserve(a, connect, fromConfig: false)
        return a
    }
}
