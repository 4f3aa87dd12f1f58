import libvirt_abi

/// One vCPU of a definition: whether it is online, whether it can be
/// plugged and unplugged while the guest runs, and the order in which the
/// running QEMU enabled it (0: not said).
///
/// libvirt: `virDomainVcpuDef`.
public struct DomainVcpuDef: Equatable, Sendable {
    public var online: Bool
    /// `nil`: the XML did not say (`VIR_TRISTATE_BOOL_ABSENT`).
    public var hotpluggable: Bool?
    public var order: UInt32

    public init(online: Bool, hotpluggable: Bool? = nil, order: UInt32 = 0) {
        self.online = online
        self.hotpluggable = hotpluggable
        self.order = order
    }
}

/// The vCPUs of a definition, `<vcpu>` and `<vcpus>`.
///
/// libvirt: `virDomainDef`'s `vcpus`, `maxvcpus` and `individualvcpus`.
extension DomainDef {
    /// The vCPUs online (`<vcpu current=>`).
    ///
    /// libvirt: `virDomainDefGetVcpus`.
    public var currentVcpus: UInt32 { UInt32(vcpuList.filter(\.online).count) }

    /// `N` vCPUs, all online and not hot-pluggable: what code that builds
    /// a definition itself means by a vCPU count.
    public mutating func setVcpus(all count: UInt32) {
        vcpuList = Array(repeating: DomainVcpuDef(online: true, hotpluggable: false), count: Int(count))
        individualVcpus = false
    }

    /// Changes the maximum: new vCPUs are offline, with nothing said of
    /// them; vCPUs past the new maximum are dropped.
    ///
    /// libvirt: `virDomainDefSetVcpusMax`.
    public mutating func setMaxVcpus(_ count: UInt32) {
        let n = Int(count)
        if n < vcpuList.count {
            vcpuList.removeLast(vcpuList.count - n)
        } else {
            vcpuList += Array(repeating: DomainVcpuDef(online: false), count: n - vcpuList.count)
        }
    }

    /// Forgets the order the vCPUs were enabled in.
    ///
    /// libvirt: `virDomainDefVcpuOrderClear`.
    public mutating func clearVcpuOrder() {
        for i in vcpuList.indices { vcpuList[i].order = 0 }
    }

    /// `<vcpu>` (its text, `current`) and `<vcpus>`.
    ///
    /// libvirt: `virDomainVcpuParse`, then `qemuDomainDefVcpusPostParse`
    /// (the QEMU driver's rules, on the values as written, and here again
    /// with the defaults) and `virDomainVcpuDefPostParse` (the defaults).
    static func parseVcpus(_ root: XMLElement) throws(VirError) -> (list: [DomainVcpuDef], individual: Bool) {
        var maximum: UInt32 = 1
        var current: UInt32?
        if let v = root.child("vcpu") {
            guard let n = ScaledInteger.parseUnsigned(v.text), let count = UInt32(exactly: n) else {
                throw VirError.conf(.xmlError, "maximum vcpus count must be an integer")
            }
            guard count > 0 else {
                throw VirError.conf(.invalidArg, "domain configuration does not specify any vCPUs")
            }
            maximum = count
            current = try DomainDeviceParsing.unsignedAttribute(v, "current")
        }
        var list = Array(repeating: DomainVcpuDef(online: false), count: Int(maximum))
        let entries = root.child("vcpus")?.children(named: "vcpu") ?? []
        if entries.isEmpty {
            let online = current ?? maximum
            guard online <= maximum else {
                throw VirError.conf(.configUnsupported, "maximum vCPU count must not be less than current vCPU count")
            }
            for i in 0..<Int(online) { list[i].online = true }
        } else {
            for e in entries {
                guard let id = try DomainDeviceParsing.unsignedAttribute(e, "id") else {
                    throw VirError.conf(.xmlError, "Missing required attribute 'id' in element 'vcpu'")
                }
                guard id < maximum else {
                    throw VirError.conf(.xmlError, "vcpu id '\(id)' is out of range of maximum vcpu count")
                }
                guard e.attribute("enabled") != nil else {
                    throw VirError.conf(.xmlError, "Missing required attribute 'enabled' in element 'vcpu'")
                }
                list[Int(id)].online = try DomainDeviceParsing.boolAttribute(e, "enabled") ?? false
                list[Int(id)].hotpluggable = try DomainDeviceParsing.boolAttribute(e, "hotpluggable")
                list[Int(id)].order = try DomainDeviceParsing.unsignedAttribute(e, "order") ?? 0
            }
        }
        try checkVcpus(list)
        for (i, vcpu) in list.enumerated() {
            switch vcpu.hotpluggable {
            case nil: list[i].hotpluggable = !vcpu.online
            case false?:
                if !vcpu.online {
                    throw VirError.conf(.configUnsupported, "vcpu '\(i)' is both offline and not hotpluggable")
                }
            case true?: break
            }
        }
        // Once more with the defaults: libvirt checks only the values as
        // written when it defines, and refuses the same definition when it
        // starts it (the definition is parsed again), or when a daemon that
        // restarts loads it; refused here at once, in the start's words.
        try checkVcpus(list)
        return (list, !entries.isEmpty)
    }

    /// The QEMU driver's rules for vCPUs: vCPU 0 online, first and not
    /// hot-pluggable; an order for every online vCPU or none; the vCPUs
    /// online at start, before the hot-pluggable ones, in ascending order.
    ///
    /// libvirt: `qemuDomainDefVcpusPostParse`.
    public static func checkVcpus(_ list: [DomainVcpuDef]) throws(VirError) {
        guard let first = list.first else { return }
        guard first.online else { throw VirError.conf(.configUnsupported, "vcpu 0 can't be offline") }
        if first.hotpluggable == true { throw VirError.conf(.configUnsupported, "vcpu0 can't be hotpluggable") }
        if first.order > 1 { throw VirError.conf(.configUnsupported, "vcpu0 must be enabled first") }
        let hasOrder = first.order != 0
        var previous = first
        for vcpu in list.dropFirst() {
            if vcpu.online && (vcpu.order != 0) != hasOrder {
                throw VirError.conf(.configUnsupported, "all vcpus must have either set or unset order")
            }
            if vcpu.hotpluggable == false {
                if previous.hotpluggable == true {
                    throw VirError.conf(.configUnsupported,
                                        "online non-hotpluggable vcpus need to be ordered prior to hotplugable vcpus")
                }
                if previous.order > vcpu.order {
                    throw VirError.conf(.configUnsupported, "online non-hotpluggable vcpus must be ordered in ascending order")
                }
            }
            previous = vcpu
        }
    }

    /// Writes `<vcpu>`'s `current` and text, and `<vcpus>` when the
    /// definition keeps each vCPU's state.
    ///
    /// libvirt: `virDomainCpuDefFormat`.
    func formatVcpus(_ e: inout XMLElement) {
        let o = DomainDef.order
        var vcpu = node.child("vcpu") ?? XMLElement("vcpu")
        // The placement always (static unless the XML says), then cpuset
        // and current.
        if vcpu.attribute("placement") == nil { vcpu.attributes.insert(XMLAttribute("placement", "static"), at: 0) }
        vcpu.setAttribute("current", vcpuList.allSatisfy(\.online) ? nil : String(currentVcpus))
        vcpu.orderAttributes(["placement", "cpuset", "current"])
        vcpu.setText(String(vcpus))
        e.setChild("vcpu", vcpu, order: o)
        guard individualVcpus else {
            e.setChild("vcpus", nil, order: o)
            return
        }
        let entries = vcpuList.enumerated().map { i, v in
            var attributes = [XMLAttribute("id", String(i)), XMLAttribute("enabled", v.online ? "yes" : "no")]
            if let h = v.hotpluggable { attributes.append(XMLAttribute("hotpluggable", h ? "yes" : "no")) }
            if v.order != 0 { attributes.append(XMLAttribute("order", String(v.order))) }
            return XMLNode.element(XMLElement("vcpu", attributes: attributes))
        }
        e.setChild("vcpus", XMLElement("vcpus", children: entries), order: o)
    }
}
