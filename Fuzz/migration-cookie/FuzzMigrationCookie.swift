// libFuzzer target: the migration cookie parser (Sources/qemu_migration,
// with the domain XML it carries), built by scripts/fuzz.sh with SwiftPM.
//
// The cookie is checked against the domain and host of libvirt's cookie
// fixtures (name "upstream"), as a remote migration and as a local one.
// Every input must be refused with a VirError or parse to a cookie whose
// formatted XML parses again and formats to the same text.
import domain_conf
import qemu_migration

private let uuid = DomainUUID("dcf47dbd-46d1-4d5b-b442-262a806a333a")!
private let otherHost = DomainUUID("8b3f4dc4-6a8e-5f9b-94a5-4c35babd8d95")!
private let thisHost = DomainUUID("4a6e3e3a-8d7e-4b51-9b0c-3a6f1e6f2a10")!

func fuzzMigrationCookie(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    for (host, local) in [(thisHost, false), (otherHost, true)] {
        guard let cookie = try? QemuMigrationCookie.parse(text, name: "upstream", uuid: uuid, localHostUUID: host,
                                                          local: local) else { continue }
        let xml = cookie.format()
        let again: QemuMigrationCookie
        do {
            again = try QemuMigrationCookie.parse(xml, name: "upstream", uuid: uuid, localHostUUID: host, local: local)
        } catch {
            fatalError("the formatted cookie is refused (\(error)):\n\(xml)")
        }
        let xml2 = again.format()
        if xml2 != xml { fatalError("format, parse, format changed the cookie:\n\(xml)\n---\n\(xml2)") }
    }
    return 0
}
