// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "local-migration",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "domain_conf", targets: ["domain_conf"]),
        .library(name: "virdomainobjlist", targets: ["virdomainobjlist"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C at the edge: module maps plus a shim header, nothing else.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // Headers only: virsh loads the client library with dlopen when a
        // URI needs it (the embedded driver never does).
        .systemLibrary(
            name: "CLibvirt",
            providers: [.apt(["libvirt-dev"])]
        ),
        // glibc's GNU extensions (closefrom as a spawn action, setsid).
        .systemLibrary(name: "CGlibc"),

        // libvirt's public ABI: error numbers, states, flags, events, parameters.
        .target(name: "libvirt_abi", dependencies: ["CLibvirt"]),

        // The POSIX layer (src/util): files, /proc, UNIX socket addresses,
        // process spawning, the log.
        .target(name: "virutil", dependencies: ["CGlibc", "libvirt_abi", .product(name: "Logging", package: "swift-log")]),

        // Domain XML (src/conf/domain_conf.c).
        .target(name: "domain_conf", dependencies: ["CLibXML2", "libvirt_abi"]),

        // The host CPU as the capabilities describe it: libvirt's x86 CPU
        // map, CPUID and the model decoding (src/cpu/cpu_x86.c, cpu_map.c,
        // src/util/virhostcpu.c).
        .target(name: "cpu_x86", dependencies: ["CGlibc", "domain_conf", "libvirt_abi"]),

        // Patches 2 and 6: source and remote tables (src/conf/virdomainobjlist.c).
        .target(name: "virdomainobjlist", dependencies: ["domain_conf", "libvirt_abi"]),

        // QMP client (src/qemu/qemu_monitor.c, qemu_monitor_json.c).
        .target(name: "qemu_monitor", dependencies: ["virutil", "libvirt_abi"]),

        // The guest agent's client (src/qemu/qemu_agent.c).
        .target(name: "qemu_agent", dependencies: ["virutil", "libvirt_abi", "qemu_monitor"]),

        // Patch 4: close callbacks per instance (src/hypervisor/virclosecallbacks.c).
        .target(name: "virclosecallbacks", dependencies: ["virdomainobjlist", "domain_conf", "libvirt_abi"]),

        // libvirt's RPC protocol (src/rpc/virnetprotocol.x, src/remote/remote_protocol.x).
        .target(name: "remote", dependencies: ["virutil", "libvirt_abi", "domain_conf"]),

        // The daemon: the driver behind libvirt's wire protocol.
        .executableTarget(name: "virtqemud", dependencies: ["virutil", "remote", "qemu_driver", "qemu_domain", "qemu_process", "libvirt_abi", "domain_conf",
                                                            .product(name: "Logging", package: "swift-log")]),

        // Patch 1: virsh with `migrate --local`. The shell (parser, command
        // table), the commands and the backends (tools/vsh.c, tools/virsh*.c)
        // are a library so that they can be unit-tested; the executable only
        // calls into it.
        .target(name: "virsh_shell", dependencies: ["virutil", "qemu_driver", "qemu_capabilities", "qemu_monitor", "qemu_process", "libvirt_abi", "domain_conf", "CLibvirt"]),
        .executableTarget(name: "virsh", dependencies: ["virsh_shell"]),
        // CLI latency: our virsh on the embedded driver against Debian's virsh on libvirtd.
        .executableTarget(name: "virsh-bench", dependencies: ["virutil", "TestSupport"]),

        // A client that stops a migration at a given phase (used by tests).
        .executableTarget(name: "test-migration-client", dependencies: ["qemu_driver", "libvirt_abi"]),

        // Benchmarks (executables that print figures; not tests).
        .executableTarget(name: "virdomainobjlist-bench", dependencies: ["virdomainobjlist", "domain_conf"]),
        .executableTarget(name: "virtqemud-bench", dependencies: ["virutil", "remote", "libvirt_abi", "domain_conf", "TestSupport"]),
        .executableTarget(name: "migration-bench", dependencies: ["virutil", "qemu_driver", "qemu_domain", "qemu_process", "qemu_capabilities", "qemu_monitor", "domain_conf", "libvirt_abi", "TestSupport"]),

        // What each emulator binary offers, cached by the binary's identity
        // (src/qemu/qemu_capabilities.c).
        .target(name: "qemu_capabilities", dependencies: ["virutil", "domain_conf", "qemu_monitor", "libvirt_abi",
                                                          .product(name: "Logging", package: "swift-log")]),

        // Patch 5: QEMU instances with per-instance paths (src/qemu/qemu_process.c,
        // qemu_command.c, qemu_conf.c).
        .target(name: "qemu_process", dependencies: ["virutil", "domain_conf", "qemu_capabilities", "qemu_monitor", "libvirt_abi",
                                                     .product(name: "Logging", package: "swift-log")]),

        // Domains and their QEMU processes: private data, jobs, events, state
        // (src/qemu/qemu_domain.c, qemu_domainjob.c, the domain half of qemu_process.c).
        .target(name: "qemu_domain", dependencies: ["virutil", "qemu_process", "qemu_capabilities", "qemu_monitor", "virdomainobjlist", "virclosecallbacks", "domain_conf", "libvirt_abi",
                                                     .product(name: "Logging", package: "swift-log")]),

        // Patch 3: local migration in the QEMU migration framework
        // (src/qemu/qemu_migration.c, qemu_migration_cookie.c).
        .target(name: "qemu_migration", dependencies: ["virutil", "qemu_domain", "virclosecallbacks", "qemu_process", "qemu_capabilities", "qemu_monitor", "virdomainobjlist", "domain_conf", "libvirt_abi",
                                                     .product(name: "Logging", package: "swift-log")]),

        // The driver's API: one method per libvirt entry point (src/qemu/qemu_driver.c).
        .target(name: "qemu_driver", dependencies: ["CGlibc", "cpu_x86", "virutil", "qemu_agent", "qemu_migration", "qemu_domain", "virclosecallbacks", "qemu_process", "qemu_capabilities", "qemu_monitor", "virdomainobjlist", "domain_conf", "libvirt_abi",
                                                     .product(name: "Logging", package: "swift-log")]),

        // Helpers shared by the test targets (fixture paths, temporary roots).
        .target(name: "TestSupport", dependencies: ["virutil"], path: "Sources/TestSupport"),

        .testTarget(name: "virclosecallbacksTests", dependencies: ["virclosecallbacks", "virdomainobjlist", "domain_conf", "libvirt_abi"]),
        .testTarget(name: "remoteTests", dependencies: ["remote", "libvirt_abi", "domain_conf"]),
        .testTarget(name: "virtqemudTests", dependencies: ["remote", "virutil", "libvirt_abi", "domain_conf", "TestSupport"]),
        .testTarget(name: "virshTests", dependencies: ["virsh_shell", "libvirt_abi", "domain_conf", "TestSupport"]),
        .testTarget(name: "virutilTests", dependencies: ["virutil", "libvirt_abi", "TestSupport",
                                                       .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "libvirt_abiTests", dependencies: ["libvirt_abi", "CLibvirt"]),
        .testTarget(name: "domain_confTests", dependencies: ["domain_conf", "libvirt_abi", "TestSupport"]),
        .testTarget(name: "cpu_x86Tests", dependencies: ["cpu_x86", "libvirt_abi"]),
        .testTarget(name: "qemu_monitorTests", dependencies: ["qemu_monitor", "qemu_agent", "virutil", "libvirt_abi", "TestSupport"]),
        .testTarget(name: "qemu_capabilitiesTests", dependencies: ["qemu_capabilities", "libvirt_abi", "TestSupport"]),
        .testTarget(name: "qemu_processTests", dependencies: ["qemu_process", "qemu_monitor", "domain_conf", "libvirt_abi", "TestSupport"]),
        .testTarget(name: "qemu_migrationTests", dependencies: ["qemu_migration", "qemu_domain", "domain_conf", "libvirt_abi", "TestSupport"]),
        .testTarget(name: "qemu_driverTests", dependencies: ["virutil", "qemu_driver", "qemu_migration", "virclosecallbacks", "qemu_domain", "qemu_process", "qemu_capabilities", "qemu_monitor", "virdomainobjlist", "domain_conf", "libvirt_abi", "TestSupport"]),
        .testTarget(name: "virdomainobjlistTests", dependencies: ["virdomainobjlist", "domain_conf", "libvirt_abi", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets, only in the package scripts/fuzz.sh builds (LM_FUZZ=1,
// with -sanitize=fuzzer,address): libFuzzer supplies their main, so they
// cannot link in an ordinary build.
if Context.environment["LM_FUZZ"] != nil {
    package.targets += [
        // libFuzzer's driver (LLVMFuzzerRunDriver): a SwiftPM executable has its own main.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .executableTarget(name: "fuzz-xdr", dependencies: ["CLibFuzzer", "remote"], path: "Fuzz/xdr"),
        .executableTarget(name: "fuzz-domain-xml", dependencies: ["CLibFuzzer", "domain_conf"], path: "Fuzz/domain-xml"),
        .executableTarget(name: "fuzz-migration-cookie", dependencies: ["CLibFuzzer", "qemu_migration", "domain_conf"],
                          path: "Fuzz/migration-cookie"),
        .executableTarget(name: "fuzz-status-file", dependencies: ["CLibFuzzer", "qemu_process"], path: "Fuzz/status-file"),
    ]
}
