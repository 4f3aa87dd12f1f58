import Foundation
import domain_conf
import libvirt_abi

/// Displays: VNC and SPICE servers, the video devices the guest sees, and
/// the audio backend the display and the sound cards share.
extension QemuCommandLineBuilder {
    /// The audio backend's id: libvirt 9.0 adds `<audio id='1'>` to every
    /// guest (SPICE's when the guest has SPICE graphics, else `none`).
    static let audioID = "audio1"

    /// libvirt: `qemuBuildAudioCommandLine` (for the implicit `<audio>` of
    /// `qemuDomainDefAddDefaultAudioBackend`).
    mutating func addAudio() throws(VirError) {
        let spice = def.graphics.contains { $0.type == .spice }
        let audios = devices.children(named: "audio")
        // An explicit <audio id='1'>: the implicit one's types, no settings.
        if let audio = audios.first {
            let type = audio.attribute("type") ?? ""
            guard audios.count == 1, audio.attribute("id") ?? "1" == "1", audio.elements.isEmpty,
                  type == "none" || (type == "spice" && spice) else {
                throw QemuCommandLine.unsupported("audio device '\(type)' is not supported by this driver")
            }
        }
        let driver = audios.first?.attribute("type") ?? (spice ? "spice" : "none")
        add("-audiodev", "{\"id\":\"\(Self.audioID)\",\"driver\":\"\(driver)\"}")
    }

    /// The address a display listens on (libvirt's `vnc_listen` and
    /// `spice_listen` default).
    static let defaultListen = "127.0.0.1"

    /// The port an instance's display listens on: its own (allocated per
    /// instance, so that both ends of a local migration have one), or the
    /// XML's.
    ///
    /// libvirt: `qemuProcessVNCAllocatePorts`, `qemuProcessSPICEAllocatePorts`.
    func graphicsPort(_ index: Int) throws(VirError) -> Int {
        let g = def.graphics[index]
        if g.autoport {
            if options.pretend, options.graphicsPorts[index] == nil { return g.type == .spice ? 5901 : 5900 }
            guard let port = options.graphicsPorts[index] else {
                throw VirError(.internalError, "no port was allocated for graphics device \(index)")
            }
            return port
        }
        guard let port = g.port else { throw VirError(.internalError, "graphics device \(index) has no port") }
        return port
    }

    /// libvirt: `qemuBuildGraphicsVNCCommandLine`, `qemuBuildGraphicsSPICECommandLine`.
    mutating func addGraphics() throws(VirError) {
        for (i, g) in def.graphics.enumerated() {
            for attribute in ["passwd", "keymap", "sharePolicy", "passwdValidTo", "connected", "websocket", "defaultMode"]
                where g.node.attribute(attribute) != nil {
                throw QemuCommandLine.unsupported("graphics attribute '\(attribute)' is not supported by this driver")
            }
            let listen = g.listen ?? Self.defaultListen
            if let t = g.listenType, t != "address" {
                throw QemuCommandLine.unsupported("graphics listen type '\(t)' is not supported by this driver")
            }
            switch g.type {
            case .vnc:
                for e in g.node.elements where e.name != "listen" {
                    throw QemuCommandLine.unsupported("VNC graphics setting <\(e.name)> is not supported by this driver")
                }
                let port = try graphicsPort(i)
                guard port >= 5900 else {
                    throw VirError(.configUnsupported, "vnc port must be in range [5900,65535]")
                }
                let host = listen.contains(":") ? "[\(listen)]" : listen
                add("-vnc", "\(host):\(port - 5900),audiodev=\(Self.audioID)")
            case .spice:
                if g.tlsPort != nil {
                    throw QemuCommandLine.unsupported("SPICE TLS is not supported by this driver (spice_tls is off)")
                }
                var spice = "port=\(try graphicsPort(i)),addr=\(listen),disable-ticketing=on"
                for e in g.node.elements where e.name != "listen" {
                    switch e.name {
                    case "image": spice += e.attribute("compression").map { ",image-compression=\($0)" } ?? ""
                    case "jpeg": spice += e.attribute("compression").map { ",jpeg-wan-compression=\($0)" } ?? ""
                    case "zlib": spice += e.attribute("compression").map { ",zlib-glz-wan-compression=\($0)" } ?? ""
                    case "playback": spice += e.attribute("compression").map { ",playback-compression=\($0)" } ?? ""
                    case "streaming": spice += e.attribute("mode").map { ",streaming-video=\($0)" } ?? ""
                    default:
                        throw QemuCommandLine.unsupported("SPICE graphics setting <\(e.name)> is not supported by this driver")
                    }
                }
                add("-spice", spice + ",seamless-migration=on")
            default:
                throw QemuCommandLine.unsupported("graphics type '\(g.type.rawValue)' is not supported by this driver")
            }
        }
    }

    /// `<video>`: the first is the primary (VGA-compatible) device.
    ///
    /// libvirt: `qemuBuildVideoCommandLine`, `qemuBuildDeviceVideoStr`,
    /// with the sizes of `qemuDomainDeviceVideoDefPostParse`.
    mutating func addVideos() throws(VirError) {
        for (i, v) in def.videos.enumerated() {
            let primary = i == 0
            let id = "video\(i)"
            let heads = v.heads ?? 1
            var device: String
            switch v.model {
            case .none:
                continue
            case .vga, .default:
                guard primary else { throw QemuCommandLine.unsupported("video type 'vga' is only valid as primary video device") }
                device = "VGA,id=\(id),vgamem_mb=\((v.vram ?? 16384) / 1024)"
            case .cirrus:
                guard primary else { throw QemuCommandLine.unsupported("video type 'cirrus' is only valid as primary video device") }
                device = "cirrus-vga,id=\(id)"
            case .qxl:
                let ram = UInt64(v.ram ?? 65536) * 1024, vram = UInt64(v.vram ?? 65536) * 1024
                device = "\(primary ? "qxl-vga" : "qxl"),id=\(id),max_outputs=\(heads),ram_size=\(ram),vram_size=\(vram),vram64_size_mb=0,vgamem_mb=\((v.vgamem ?? 16384) / 1024)"
            case .virtio:
                device = "\(primary ? "virtio-vga" : "virtio-gpu-pci"),id=\(id),max_outputs=\(heads)"
            case .bochs:
                device = "bochs-display,id=\(id),vgamem=\(UInt64(v.vram ?? 16384) * 1024)"
            default:
                throw QemuCommandLine.unsupported("video type '\(v.model.rawValue)' is not supported by this driver")
            }
            add("-device", device + pciAddress(v.address))
        }
    }

    /// `<sound>`: an HDA controller with its codecs, or an AC97/ES1370
    /// card, each fed by the audio backend.
    ///
    /// libvirt: `qemuBuildSoundCommandLine`.
    mutating func addSounds() throws(VirError) {
        for (i, s) in def.sounds.enumerated() {
            let id = "sound\(i)"
            switch s.model {
            case .ich6, .ich9:
                add("-device", "\(s.model == .ich9 ? "ich9-intel-hda" : "intel-hda"),id=\(id)" + pciAddress(s.address))
                for (c, codec) in (s.codecs.isEmpty ? [.duplex] : s.codecs).enumerated() {
                    add("-device", "hda-\(codec.rawValue),id=\(id)-codec\(c),bus=\(id).0,cad=\(c),audiodev=\(Self.audioID)")
                }
            case .ac97:
                add("-device", "AC97,id=\(id),audiodev=\(Self.audioID)" + pciAddress(s.address))
            case .es1370:
                add("-device", "ES1370,id=\(id),audiodev=\(Self.audioID)" + pciAddress(s.address))
            default:
                throw QemuCommandLine.unsupported("sound model '\(s.model.rawValue)' is not supported by this driver")
            }
        }
    }
}
