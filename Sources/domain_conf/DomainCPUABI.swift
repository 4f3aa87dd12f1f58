import libvirt_abi

/// The `<cpu>` half of the ABI check, read from the element as kept.
///
/// libvirt: `virCPUDefIsEqual` (src/conf/cpu_conf.c) with `reportError`.
/// The defaults are those of a parsed guest CPU: mode `custom`, check
/// `default`, feature policy `require`, topology 0 when absent.
enum DomainCPUABI {
    static func check(_ src: XMLElement?, _ dst: XMLElement?) throws(VirError) {
        func fail(_ m: String) -> VirError { DomainABIStability.fail(m) }
        guard let src, let dst else {
            if (src == nil) != (dst == nil) { throw fail("Target CPU does not match source") }
            return
        }
        func attr(_ e: XMLElement, _ name: String, _ fallback: String) -> String { e.attribute(name) ?? fallback }
        let (sm, dm) = (attr(src, "mode", "custom"), attr(dst, "mode", "custom"))
        if sm != dm { throw fail("Target CPU mode \(dm) does not match source \(sm)") }
        let (sc, dc) = (attr(src, "check", "default"), attr(dst, "check", "default"))
        if sc != dc { throw fail("Target CPU check \(dc) does not match source \(sc)") }
        let (smo, dmo) = (src.childText("model"), dst.childText("model"))
        if smo != dmo { throw fail("Target CPU model \(dmo ?? "<null>") does not match source \(smo ?? "<null>")") }
        let (sv, dv) = (src.childText("vendor"), dst.childText("vendor"))
        if sv != dv { throw fail("Target CPU vendor \(dv ?? "<null>") does not match source \(sv ?? "<null>")") }
        let (st, dt) = (src.child("topology"), dst.child("topology"))
        for (name, label) in [("sockets", "sockets"), ("dies", "dies"), ("cores", "cores"), ("threads", "threads")] {
            let (s, d) = (st?.attribute(name) ?? "0", dt?.attribute(name) ?? "0")
            if s != d { throw fail("Target CPU \(label) \(d) does not match source \(s)") }
        }
        let (sa, da) = (src.child("maxphysaddr"), dst.child("maxphysaddr"))
        if sa?.attribute("mode") != da?.attribute("mode") || sa?.attribute("bits") != da?.attribute("bits") {
            throw fail("Target CPU maxphysaddr does not match source")
        }
        let (sf, df) = (src.children(named: "feature"), dst.children(named: "feature"))
        if sf.count != df.count {
            throw fail("Target CPU feature count \(df.count) does not match source \(sf.count)")
        }
        for (s, d) in zip(sf, df) {
            let (sn, dn) = (attr(s, "name", ""), attr(d, "name", ""))
            if sn != dn { throw fail("Target CPU feature \(dn) does not match source \(sn)") }
            let (sp, dp) = (attr(s, "policy", "require"), attr(d, "policy", "require"))
            if sp != dp { throw fail("Target CPU feature policy \(dp) does not match source \(sp)") }
        }
        let (sca, dca) = (src.child("cache"), dst.child("cache"))
        if sca?.attribute("level") != dca?.attribute("level") || sca?.attribute("mode") != dca?.attribute("mode") {
            throw fail("Target CPU cache does not match source")
        }
    }
}
