import domain_conf
import libvirt_abi

/// Which functions of which slots of the root bus are taken.
///
/// libvirt: `virDomainPCIAddressSet` (src/conf/domain_addr.c) with one bus,
/// the root (`pci-root`/`pcie-root`: slots 1 to 31; slot 0 is the host
/// bridge). This driver runs no PCI bridges, so there is no other bus.
struct PCIAddressSet {
    /// Bit `f` of `functions[s]`: function `f` of slot `s` is in use.
    private var functions = [UInt8](repeating: 0, count: Int(PCIDeviceAddress.slotLast) + 1)
    static let minSlot: UInt32 = 1
    let nbuses: UInt32 = 1

    /// Marks one function as used.
    ///
    /// - Parameter fromConfig: the address came from the XML (errors are
    ///   `VIR_ERR_XML_ERROR`), else libvirt chose it (`VIR_ERR_INTERNAL_ERROR`).
    ///
    /// libvirt: `virDomainPCIAddressReserveAddrInternal` and
    /// `virDomainPCIAddressValidate`.
    mutating func reserve(_ a: PCIDeviceAddress, fromConfig: Bool) throws(VirError) {
        let code: ErrorNumber = fromConfig ? .xmlError : .internalError
        if a.domain != 0 {
            throw VirError(code, "Invalid PCI address \(a). Only PCI domain 0 is available", domain: .domain)
        }
        if a.bus >= nbuses {
            throw VirError(code, "Invalid PCI address \(a). Only PCI buses up to \(nbuses - 1) are available", domain: .domain)
        }
        if a.slot < Self.minSlot {
            throw VirError(code, "Invalid PCI address \(a). slot must be >= \(Self.minSlot)", domain: .domain)
        }
        if a.slot > PCIDeviceAddress.slotLast {
            throw VirError(code, "Invalid PCI address \(a). slot must be <= \(PCIDeviceAddress.slotLast)", domain: .domain)
        }
        if a.function > PCIDeviceAddress.functionLast {
            throw VirError(code, "Invalid PCI address \(a). function must be <= \(PCIDeviceAddress.functionLast)", domain: .domain)
        }
        let bit = UInt8(1) << UInt8(a.function)
        if functions[Int(a.slot)] & bit != 0 {
            throw VirError(code, "Attempted double use of PCI Address \(a)", domain: .domain)
        }
        functions[Int(a.slot)] |= bit
    }

    /// Function 0 of the first slot with no function in use.
    ///
    /// libvirt: `virDomainPCIAddressReserveNextAddr` (`function` -1).
    mutating func reserveNext() throws(VirError) -> PCIDeviceAddress {
        for slot in Self.minSlot...PCIDeviceAddress.slotLast where functions[Int(slot)] == 0 {
            let a = PCIDeviceAddress(slot: slot)
            try reserve(a, fromConfig: false)
            return a
        }
        throw VirError(.internalError, "No more available PCI slots", domain: .domain)
    }
}
