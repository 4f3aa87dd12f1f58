import Testing
import domain_conf
import libvirt_abi

/// `virsh sysinfo`'s parser and layout, on `dmidecode` output as a QEMU
/// guest's SMBIOS gives it (this host has no SMBIOS tables: its own answer
/// is the error, checked against libvirtd in `QemuGoldenTests`).
/// The expected XML follows libvirt's `virSysinfoReadDMI` rules: a key
/// is the first one after its section's heading, anywhere later (the first
/// processor, which has no "Part Number", takes the second one's; the
/// second has no "External Clock" and none follows, so it has none);
/// trailing blanks trimmed;
/// an empty value is no entry; a slot with no module is no memory device;
/// an OEM string with a dot is read raw by its index.
struct SysinfoDefTests {
    static let dmidecode = """
# dmidecode 3.4
BIOS Information
\tVendor: SeaBIOS   
\tVersion: 1.16.2-debian-1.16.2-1
\tRelease Date: 04/01/2014
\tAddress: 0xE8000
\tRuntime Size: 96 kB
\tROM Size: 64 kB
\tCharacteristics:
\t\tBIOS characteristics not supported
\t\tTargeted content distribution is supported
\tBIOS Revision: 0.0

System Information
\tManufacturer: QEMU
\tProduct Name: Standard PC (i440FX + PIIX, 1996)
\tVersion: pc-i440fx-7.2
\tSerial Number: Not Specified
\tUUID: 0cb5c2bb-ef9c-4075-ad1c-d1626adffd29
\tWake-up Type: Power Switch
\tSKU Number: Not Specified
\tFamily: Not Specified

Chassis Information
\tManufacturer: QEMU
\tType: Other
\tLock: Not Present
\tVersion: pc-i440fx-7.2
\tSerial Number: Not Specified
\tAsset Tag: Not Specified
\tBoot-up State: Safe
\tSKU Number: Not Specified

Processor Information
\tSocket Designation: CPU 0
\tType: Central Processor
\tFamily: Other
\tManufacturer: QEMU
\tID: 63 06 00 00 FD FB 8B 07
\tVersion: pc-i440fx-7.2
\tVoltage: Unknown
\tExternal Clock: Unknown
\tMax Speed: 2000 MHz
\tCurrent Speed: 2000 MHz
\tStatus: Populated, Enabled
\tUpgrade: Other
\tL1 Cache Handle: Not Provided
\tSerial Number: Not Specified
\tAsset Tag: Not Specified
\tCore Count: 1

Processor Information
\tSocket Designation: CPU 1
\tType: Central Processor
\tFamily: Other
\tManufacturer: QEMU
\tVersion: pc-i440fx-7.2
\tMax Speed: 2000 MHz
\tStatus: Populated, Enabled
\tSerial Number: Not Specified
\tPart Number: P-1

OEM Strings
\tString 1: <first> & 'second'
\tString 2: v1.2 with a dot
\tString 3:    

Memory Device
\tArray Handle: 0x1000
\tTotal Width: Unknown
\tData Width: Unknown
\tSize: 16 MB
\tForm Factor: DIMM
\tSet: None
\tLocator: DIMM 0
\tBank Locator: Not Specified
\tType: RAM
\tType Detail: Other
\tSpeed: Unknown
\tManufacturer: QEMU
\tSerial Number: Not Specified
\tAsset Tag: Not Specified
\tPart Number: Not Specified

Memory Device
\tSize: No Module Installed
\tLocator: DIMM 1
"""

    static let expected = """
<sysinfo type='smbios'>
  <bios>
    <entry name='vendor'>SeaBIOS</entry>
    <entry name='version'>1.16.2-debian-1.16.2-1</entry>
    <entry name='date'>04/01/2014</entry>
    <entry name='release'>0.0</entry>
  </bios>
  <system>
    <entry name='manufacturer'>QEMU</entry>
    <entry name='product'>Standard PC (i440FX + PIIX, 1996)</entry>
    <entry name='version'>pc-i440fx-7.2</entry>
    <entry name='serial'>Not Specified</entry>
    <entry name='uuid'>0cb5c2bb-ef9c-4075-ad1c-d1626adffd29</entry>
    <entry name='sku'>Not Specified</entry>
    <entry name='family'>Not Specified</entry>
  </system>
  <chassis>
    <entry name='manufacturer'>QEMU</entry>
    <entry name='version'>pc-i440fx-7.2</entry>
    <entry name='serial'>Not Specified</entry>
    <entry name='asset'>Not Specified</entry>
    <entry name='sku'>Not Specified</entry>
  </chassis>
  <processor>
    <entry name='socket_destination'>CPU 0</entry>
    <entry name='type'>Central Processor</entry>
    <entry name='family'>Other</entry>
    <entry name='manufacturer'>QEMU</entry>
    <entry name='version'>pc-i440fx-7.2</entry>
    <entry name='external_clock'>Unknown</entry>
    <entry name='max_speed'>2000 MHz</entry>
    <entry name='status'>Populated, Enabled</entry>
    <entry name='serial_number'>Not Specified</entry>
    <entry name='part_number'>P-1</entry>
  </processor>
  <processor>
    <entry name='socket_destination'>CPU 1</entry>
    <entry name='type'>Central Processor</entry>
    <entry name='family'>Other</entry>
    <entry name='manufacturer'>QEMU</entry>
    <entry name='version'>pc-i440fx-7.2</entry>
    <entry name='max_speed'>2000 MHz</entry>
    <entry name='status'>Populated, Enabled</entry>
    <entry name='serial_number'>Not Specified</entry>
    <entry name='part_number'>P-1</entry>
  </processor>
  <memory_device>
    <entry name='size'>16 MB</entry>
    <entry name='form_factor'>DIMM</entry>
    <entry name='locator'>DIMM 0</entry>
    <entry name='bank_locator'>Not Specified</entry>
    <entry name='type'>RAM</entry>
    <entry name='type_detail'>Other</entry>
    <entry name='speed'>Unknown</entry>
    <entry name='manufacturer'>QEMU</entry>
    <entry name='serial_number'>Not Specified</entry>
    <entry name='part_number'>Not Specified</entry>
  </memory_device>
  <oemStrings>
    <entry>&lt;first&gt; &amp; &apos;second&apos;</entry>
    <entry>v1.2 with
a line break</entry>
  </oemStrings>
</sysinfo>
"""

    @Test func dmidecodeOutputBecomesLibvirtsSysinfoXML() throws {
        var asked: [Int] = []
        let def = try SysinfoDef.parseDMI(Self.dmidecode) { (i: Int) throws(VirError) -> String in
            asked.append(i)
            return "v1.2 with\na line break"
        }
        #expect(asked == [2], "only the string with a dot is read again, by its index")
        // (A multi-line literal ends before its last line break.)
        #expect(def.format() == Self.expected + "\n")
    }

    @Test func noTablesIsAnEmptyElementAndABrokenOEMLineIsRefused() throws {
        #expect(try SysinfoDef.parseDMI("# dmidecode 3.4\n") { (_: Int) throws(VirError) -> String in "" }.format()
                == "<sysinfo type='smbios'/>\n")
        let broken = "OEM Strings\n\tString x: no number\n"
        let error = #expect(throws: VirError.self) {
            _ = try SysinfoDef.parseDMI(broken) { (_: Int) throws(VirError) -> String in "" }
        }
        #expect(error?.message == "internal error: Malformed output of dmidecode")
    }
}
