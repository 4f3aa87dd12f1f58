import libvirt_abi

/// A guest PCI address: `<address type='pci' domain='0x0000' bus='0x00'
/// slot='0x03' function='0x0' [multifunction='on|off']/>`.
///
/// libvirt: `virPCIDeviceAddress` (src/util/virpci.h); parsing is
/// `virPCIDeviceAddressParseXML` (src/conf/device_conf.c), formatting the
/// PCI case of `virDomainDeviceInfoFormat` (src/conf/domain_conf.c).
public struct PCIDeviceAddress: Hashable, Sendable, CustomStringConvertible {
    public var domain: UInt32
    public var bus: UInt32
    public var slot: UInt32
    public var function: UInt32
    /// `multifunction=`: `nil` when absent (libvirt's `VIR_TRISTATE_SWITCH_ABSENT`).
    public var multifunction: Bool?

    /// libvirt: `VIR_PCI_ADDRESS_SLOT_LAST`.
    public static let slotLast: UInt32 = 31
    /// libvirt: `VIR_PCI_ADDRESS_FUNCTION_LAST`.
    public static let functionLast: UInt32 = 7

    public init(domain: UInt32 = 0, bus: UInt32 = 0, slot: UInt32, function: UInt32 = 0, multifunction: Bool? = nil) {
        self.domain = domain
        self.bus = bus
        self.slot = slot
        self.function = function
        self.multifunction = multifunction
    }

    /// No domain, bus or slot: `<address type='pci'/>` asks for an address
    /// to be assigned. libvirt: `virPCIDeviceAddressIsEmpty`.
    public var isEmpty: Bool { domain == 0 && bus == 0 && slot == 0 }

    /// `0000:00:03.0`. libvirt: `virPCIDeviceAddressAsString`
    /// (`VIR_PCI_DEVICE_ADDRESS_FMT`).
    public var description: String {
        hex(domain, 4) + ":" + hex(bus, 2) + ":" + hex(slot, 2) + "." + String(function)
    }

    /// The address as QEMU's `addr=` property takes it: `0x3`, `0x3.0x1`.
    ///
    /// libvirt: `qemuBuildDeviceAddressPCIProps`.
    public var qemuAddr: String {
        "0x" + String(slot, radix: 16) + (function == 0 ? "" : ".0x" + String(function, radix: 16))
    }

    /// Parses the attributes of an `<address type='pci'>` element.
    ///
    /// libvirt: `virPCIDeviceAddressParseXML`, which reads each number with
    /// `virXMLPropUInt` in base 0 (`0x` hex, a leading `0` octal) and checks
    /// a non-empty address with `virPCIDeviceAddressIsValid`.
    public init(element e: XMLElement) throws(VirError) {
        func number(_ name: String) throws(VirError) -> UInt32 {
            guard let text = e.attribute(name) else { return 0 }
            guard let v = Self.parseUInt(text) else {
                throw VirError.conf(.xmlError, "Invalid value for attribute '\(name)' in element '\(e.name)': '\(text)'. Expected non-negative integer value")
            }
            return v
        }
        domain = try number("domain")
        bus = try number("bus")
        slot = try number("slot")
        function = try number("function")
        switch e.attribute("multifunction") {
        case nil: multifunction = nil
        case "on"?: multifunction = true
        case "off"?: multifunction = false
        case let other?:
            throw VirError.conf(.xmlError, "Invalid value for attribute 'multifunction' in element '\(e.name)': '\(other)'.")
        }
        if !isEmpty { try validate() }
    }

    /// libvirt: `virPCIDeviceAddressIsValid` with `report` set.
    public func validate() throws(VirError) {
        if bus > 0xFF {
            throw VirError.conf(.xmlError, "Invalid PCI address bus='0x\(String(bus, radix: 16))', must be <= 0xFF")
        }
        if slot > Self.slotLast {
            throw VirError.conf(.xmlError, "Invalid PCI address slot='0x\(String(slot, radix: 16))', must be <= 0x1F")
        }
        if function > Self.functionLast {
            throw VirError.conf(.xmlError, "Invalid PCI address function=0x\(String(function, radix: 16)), must be <= 7")
        }
        if isEmpty {
            throw VirError.conf(.xmlError, "Invalid PCI address 0000:00:00, at least one of domain, bus, or slot must be > 0")
        }
    }

    /// The attributes libvirt writes after `type='pci'`.
    var attributes: [XMLAttribute] {
        var a: [XMLAttribute] = []
        if !isEmpty {
            a = [XMLAttribute("domain", "0x" + hex(domain, 4)), XMLAttribute("bus", "0x" + hex(bus, 2)),
                 XMLAttribute("slot", "0x" + hex(slot, 2)), XMLAttribute("function", "0x" + String(function))]
        }
        if let multifunction { a.append(XMLAttribute("multifunction", multifunction ? "on" : "off")) }
        return a
    }

    private func hex(_ v: UInt32, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// `strtoul` in base 0 as `virStrToLong_uip` uses it: leading white
    /// space and `+` allowed, `0x` hexadecimal, a leading `0` octal, the
    /// whole string consumed, no sign, within 32 bits.
    public static func parseUInt(_ text: String) -> UInt32? {
        var s = Substring(text)
        while let c = s.first, c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" { s.removeFirst() }
        if s.first == "+" { s.removeFirst() }
        var radix = 10
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            radix = 16
            s = s.dropFirst(2)
        } else if s.hasPrefix("0") && s.count > 1 {
            radix = 8
            s = s.dropFirst()
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return UInt32(s, radix: radix)
    }
}
