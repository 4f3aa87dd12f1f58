import Foundation
import Glibc
import libvirt_abi
import qemu_process

/// The daemon's settings (`virtqemud.conf`, given with `--config FILE`):
/// who may reach which socket, and the limits that keep one client from
/// starving the others. The names, meanings and defaults are libvirt's.
///
/// libvirt: `struct daemonConfig`, `daemonConfigNew`, `daemonConfigLoadOptions`
/// (src/remote/remote_daemon_config.c); the file's syntax is virConf's
/// (`QemuConf`).
struct DaemonConfig: Sendable, Equatable {
    /// `unix_sock_group`: the group both sockets are given (by name or
    /// number); `nil` keeps the daemon's.
    var unixSockGroup: String?
    /// `unix_sock_ro_perms`: the read-only socket's mode.
    var unixSockROPerms: mode_t = 0o777
    /// `unix_sock_rw_perms`: the read-write socket's mode. libvirt's
    /// default without polkit (which this daemon does not have).
    var unixSockRWPerms: mode_t = 0o700

    /// `max_clients`: connections served at once; past it, new ones wait
    /// in the listen queue.
    var maxClients = 5000
    /// `max_queued_clients`: the listen queue (`listen(2)`'s backlog).
    var maxQueuedClients = 1000
    /// `max_anonymous_clients`: connections that have not opened the
    /// driver yet (libvirt: not yet authenticated); past it, no new
    /// connection is accepted until one of them opens or goes.
    var maxAnonymousClients = 20
    /// `min_workers`, `max_workers`, `prio_workers`: calls run at once for
    /// all clients together; high-priority calls (`RemoteProcedurePriority`)
    /// may use `prio_workers` more when all of `max_workers` are busy.
    /// `min_workers` is checked, but this daemon starts no idle threads.
    var minWorkers = 5
    var maxWorkers = 20
    var prioWorkers = 5
    /// `max_client_requests`: calls of one client run at once.
    var maxClientRequests = 5
    /// `keepalive_interval`, `keepalive_count`: once a client asked for
    /// keepalive, it is pinged after `interval` seconds without a message
    /// and dropped after `count` pings without one (-1 interval: never).
    var keepaliveInterval = 5
    var keepaliveCount = 5
    /// `handshake_timeout` (this daemon's own; libvirt has none for UNIX
    /// sockets): seconds a connection may take to open the driver, and may
    /// stall in the middle of a message, before it is dropped. 0: never.
    var handshakeTimeout = 30

    /// The settings of `conf`, libvirt's defaults for the rest. A value
    /// out of range, or a setting this daemon cannot honour (an
    /// authentication scheme, a TCP listener), is refused.
    ///
    /// libvirt: `daemonConfigLoadOptions`.
    init(_ conf: QemuConf) throws(VirError) {
        func int(_ key: String, min: Int, max: Int = Int(Int32.max)) throws(VirError) -> Int? {
            guard let text = conf[key] else { return nil }
            guard let v = Int(text), v >= min, v <= max else {
                throw VirError.conf(.confSyntax, "\(conf.path): \(key): expected an integer from \(min) to \(max), not '\(text)'")
            }
            return v
        }
        func perms(_ key: String) throws(VirError) -> mode_t? {
            guard let text = conf[key] else { return nil }
            guard let m = mode_t(text, radix: 8), m <= 0o777 else {
                throw VirError.conf(.confSyntax, "\(conf.path): Failed to parse mode '\(text)'")
            }
            return m
        }
        unixSockGroup = conf["unix_sock_group"]
        if let m = try perms("unix_sock_ro_perms") { unixSockROPerms = m }
        if let m = try perms("unix_sock_rw_perms") { unixSockRWPerms = m }
        if let v = try int("max_clients", min: 1) { maxClients = v }
        if let v = try int("max_queued_clients", min: 1) { maxQueuedClients = v }
        if let v = try int("max_anonymous_clients", min: 0) { maxAnonymousClients = v }
        if let v = try int("min_workers", min: 1) { minWorkers = v }
        if let v = try int("max_workers", min: 1) { maxWorkers = v }
        if let v = try int("prio_workers", min: 0) { prioWorkers = v }
        if let v = try int("max_client_requests", min: 1) { maxClientRequests = v }
        if let v = try int("keepalive_interval", min: -1) { keepaliveInterval = v }
        if let v = try int("keepalive_count", min: 0) { keepaliveCount = v }
        if let v = try int("handshake_timeout", min: 0) { handshakeTimeout = v }
        if maxAnonymousClients > maxClients {
            throw VirError.conf(.confSyntax, "\(conf.path): max_anonymous_clients must be less than or equal to max_clients")
        }
        if minWorkers > maxWorkers {
            throw VirError.conf(.confSyntax, "\(conf.path): min_workers must be less than or equal to max_workers")
        }
        for key in ["auth_unix_rw", "auth_unix_ro"] {
            if let v = conf[key], v != "none" {
                throw VirError.conf(.confSyntax, "\(conf.path): \(key) = \"\(v)\" is not supported by this daemon (only \"none\": access is by the sockets' owner, group and mode)")
            }
        }
        for key in ["listen_tcp", "listen_tls"] {
            if let v = conf[key], v != "0" {
                throw VirError.conf(.confSyntax, "\(conf.path): \(key) = \(v) is not supported by this daemon (UNIX sockets only)")
            }
        }
    }

    /// libvirt's defaults.
    init() {}

    /// The group to give the sockets: `unix_sock_group` by name or number.
    ///
    /// libvirt: `virGetGroupID` ("Failed to parse group '%s'").
    func socketGroup() throws(VirError) -> gid_t? {
        guard let name = unixSockGroup else { return nil }
        if let g = getgrnam(name) { return g.pointee.gr_gid }
        if let n = gid_t(name) { return n }
        throw VirError(.internalError, "Failed to parse group '\(name)'")
    }
}
