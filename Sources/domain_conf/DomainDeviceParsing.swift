import libvirt_abi

/// How device parsers read a typed attribute: libvirt's
/// `virXMLPropEnum` and its wording for a value outside the enum.
enum DomainDeviceParsing {
    /// The attribute as an enum case, `nil` when absent.
    static func enumAttribute<E: RawRepresentable>(_ element: XMLElement, _ name: String,
                                                   in elementName: String? = nil) throws(VirError) -> E? where E.RawValue == String {
        guard let text = element.attribute(name) else { return nil }
        guard let v = E(rawValue: text) else {
            throw VirError.conf(.xmlError, "Invalid value for attribute '\(name)' in element '\(elementName ?? element.name)': '\(text)'.")
        }
        return v
    }

    /// A non-negative integer attribute, `nil` when absent.
    static func unsignedAttribute(_ element: XMLElement, _ name: String) throws(VirError) -> UInt32? {
        guard let text = element.attribute(name) else { return nil }
        guard let v = PCIDeviceAddress.parseUInt(text) else {
            throw VirError.conf(.xmlError, "Invalid value for attribute '\(name)' in element '\(element.name)': '\(text)'. Expected non-negative integer value")
        }
        return v
    }

    /// `yes`/`no` (and libvirt's `on`/`off`), `nil` when absent.
    static func boolAttribute(_ element: XMLElement, _ name: String) throws(VirError) -> Bool? {
        switch element.attribute(name) {
        case nil: return nil
        case "yes"?, "on"?: return true
        case "no"?, "off"?: return false
        case let other?:
            throw VirError.conf(.xmlError, "Invalid value for attribute '\(name)' in element '\(element.name)': '\(other)'.")
        }
    }
}
