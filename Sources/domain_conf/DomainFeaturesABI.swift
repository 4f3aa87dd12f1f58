import libvirt_abi

/// The `<features>` half of the ABI check.
///
/// libvirt: `virDomainDefFeaturesCheckABIStability` (src/conf/domain_conf.c),
/// over `virDomainFeature` in its order. A feature's state is libvirt's
/// tristate switch: `absent` when the element is missing, its `state=`
/// when it has one, else `on`. The features whose sub-elements libvirt
/// also compares (hyperv, kvm, xen, msrs, ...) are compared by state here.
enum DomainFeaturesABI {
    /// libvirt: `VIR_ENUM_IMPL(virDomainFeature, ...)`.
    static let features = ["acpi", "apic", "pae", "hap", "viridian", "privnet", "hyperv", "kvm", "pvspinlock",
                           "capabilities", "pmu", "vmport", "gic", "smm", "ioapic", "hpt", "vmcoreinfo", "htm",
                           "nested-hv", "msrs", "ccf-assist", "xen", "cfpc", "sbbc", "ibs", "tcg"]

    static func check(_ src: XMLElement?, _ dst: XMLElement?) throws(VirError) {
        for name in features {
            let (s, d) = (src?.child(name), dst?.child(name))
            switch name {
            case "apic":
                let (ss, ds) = (state(s), state(d))
                let (se, de) = (s?.attribute("eoi") ?? "absent", d?.attribute("eoi") ?? "absent")
                if ss != ds || se != de {
                    throw DomainABIStability.fail("State of feature '\(name)' differs: source: '\(ss),eoi=\(se)', destination: '\(ds),eoi=\(de)'")
                }
            case "ioapic":
                let (sd, dd) = (s?.attribute("driver") ?? "none", d?.attribute("driver") ?? "none")
                if sd != dd {
                    throw DomainABIStability.fail("State of feature '\(name)' differs: source: 'driver=\(sd)', destination: 'driver=\(dd)'")
                }
            case "capabilities":
                let (sp, dp) = (s?.attribute("policy") ?? "default", d?.attribute("policy") ?? "default")
                if sp != dp {
                    throw DomainABIStability.fail("State of feature '\(name)' differs: source: 'policy=\(sp)', destination: 'policy=\(dp)'")
                }
            default:
                let (ss, ds) = (state(s), state(d))
                if ss != ds {
                    throw DomainABIStability.fail("State of feature '\(name)' differs: source: '\(ss)', destination: '\(ds)'")
                }
            }
        }
    }

    /// libvirt: `virTristateSwitchTypeToString` of the parsed state.
    static func state(_ e: XMLElement?) -> String {
        guard let e else { return "absent" }
        return e.attribute("state") ?? "on"
    }
}
