#ifndef CGLIBC_SHIM_H
#define CGLIBC_SHIM_H

/* GNU extensions of glibc that Swift's Glibc module does not export,
 * because it is built without _GNU_SOURCE: declared here as <spawn.h> and
 * <sys/socket.h> declare them under __USE_GNU (the closefrom spawn action
 * needs glibc 2.34 or later; Debian 12 has 2.36). */

#include <spawn.h>
#include <sys/socket.h>

/* Linux interfaces the Glibc module leaves out: epoll, and pidfds
 * (glibc 2.36 wraps pidfd_open), for ProcessExitWatch. */
#include <sys/epoll.h>
#include <sys/pidfd.h>

/* sched_getaffinity(2), a GNU extension: which host CPUs a thread (a
 * vCPU) may run on, as a byte mask of at most `size` bytes. */
extern int sched_getaffinity(int pid, size_t size, void *mask);

/* posix_spawnattr_setflags: run the child in a session of its own. */
#define CGLIBC_POSIX_SPAWN_SETSID 0x80

/* Close every descriptor from fd on in the child (after the actions added
 * before it), as closefrom(3) would. */
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/* accept(2) that sets flags (SOCK_CLOEXEC) on the new socket at once. */
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);

/* SO_PEERCRED: who is at the other end of a UNIX socket. struct ucred is
 * declared only under __USE_GNU, so its layout is given here (pid, uid,
 * gid, as <bits/socket.h> has it). Returns -1 with errno set on failure. */
#include <sys/types.h>
struct cglibc_ucred { pid_t pid; uid_t uid; gid_t gid; };
#define CGLIBC_SO_PEERCRED 17
static inline int cglibc_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct cglibc_ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, CGLIBC_SO_PEERCRED, &cred, &len) < 0) return -1;
    *pid = cred.pid;
    *uid = cred.uid;
    *gid = cred.gid;
    return 0;
}

/* Tap devices and bridge ports (libvirt: virNetDevTapCreate,
 * virNetDevBridgeAddPort, virNetDevSetMAC, virNetDevSetOnline): struct
 * ifreq is a union Swift cannot fill, so these few ioctls are wrapped
 * here. Each returns -1 with errno set on failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
/* From <linux/if_tun.h> and <linux/sockios.h>, whose headers clash with
 * glibc's in one module. */
#define CGLIBC_TUNSETIFF 0x400454caUL
#define CGLIBC_IFF_TAP 0x0002
#define CGLIBC_IFF_NO_PI 0x1000
#define CGLIBC_SIOCBRADDIF 0x89a2

/* Opens /dev/net/tun as the tap `name` (a template such as "vnet%d" lets
 * the kernel choose the number), close-on-exec, without packet info;
 * writes the name the kernel gave into `chosen` (IFNAMSIZ bytes). */
static inline int cglibc_tap_open(const char *name, char *chosen) {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = CGLIBC_IFF_TAP | CGLIBC_IFF_NO_PI;
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
    if (ioctl(fd, CGLIBC_TUNSETIFF, &ifr) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    snprintf(chosen, IFNAMSIZ, "%s", ifr.ifr_name);
    return fd;
}

static inline int cglibc_netdev_set_mac(const char *ifname, const unsigned char *mac) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
    ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
    memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
    int rc = ioctl(s, SIOCSIFHWADDR, &ifr);
    int saved = errno;
    close(s);
    errno = saved;
    return rc;
}

static inline int cglibc_netdev_set_up(const char *ifname) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int saved = errno;
    close(s);
    errno = saved;
    return rc;
}

static inline int cglibc_bridge_add_port(const char *bridge, const char *ifname) {
    unsigned int index = if_nametoindex(ifname);
    if (index == 0) return -1;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", bridge);
    ifr.ifr_ifindex = (int)index;
    int rc = ioctl(s, CGLIBC_SIOCBRADDIF, &ifr);
    int saved = errno;
    close(s);
    errno = saved;
    return rc;
}

/* Extended attributes, where the DAC security driver remembers the owner
 * of a file it gave QEMU (getxattr, setxattr, removexattr). */
#include <sys/xattr.h>

/* Starting a program as another user, which posix_spawn cannot do
 * (libvirt: virCommand's child after fork, virSetUIDGIDWithCaps).
 *
 * fork, then in the child system calls only, as a child of a threaded
 * process must: every signal at its default and unblocked; a session of
 * its own if asked; dup2(from[i], to[i]) in order (each from[i] is a
 * close-on-exec copy above every to[i]); the capability bounding set and
 * the ambient set emptied; the supplementary groups, then the gid, then
 * the uid set for real, effective and saved (a uid other than 0 clears
 * the permitted and effective capabilities); every descriptor from
 * close_from on marked close-on-exec; execve. Whatever fails in the child
 * comes back as its errno through a close-on-exec pipe, and the child is
 * reaped. Returns the pid, or -1 with errno set. */
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
extern int pipe2(int fds[2], int flags);
#define CGLIBC_CLOSE_RANGE_CLOEXEC (1U << 2)

static inline pid_t cglibc_spawn_as(const char *path, char *const argv[], char *const envp[],
                                    const int *from, const int *to, int ndup, int close_from, int new_session,
                                    uid_t uid, gid_t gid, const gid_t *groups, int ngroups) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(report[0]);
        close(report[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; sig++) (void)sigaction(sig, &dfl, NULL); /* EINVAL for KILL, STOP */
        sigset_t none;
        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) goto fail;
        if (new_session && setsid() < 0) goto fail;
        for (int i = 0; i < ndup; i++)
            if (dup2(from[i], to[i]) < 0) goto fail;
        for (unsigned long cap = 0;; cap++) {
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0) continue;
            if (errno == EINVAL) break; /* past the last capability the kernel knows */
            goto fail;
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) goto fail;
        if (syscall(SYS_setgroups, (size_t)ngroups, groups) < 0) goto fail;
        if (syscall(SYS_setresgid, gid, gid, gid) < 0) goto fail;
        if (syscall(SYS_setresuid, uid, uid, uid) < 0) goto fail;
        if (syscall(SYS_close_range, (unsigned)close_from, ~0U, CGLIBC_CLOSE_RANGE_CLOEXEC) < 0) {
            if (errno != ENOSYS && errno != EINVAL) goto fail;
            struct rlimit lim;
            int last = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 1048576 ? (int)lim.rlim_cur : 1048576;
            for (int fd = close_from; fd < last; fd++) (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        execve(path, argv, envp);
    fail:;
        int err = errno;
        (void)!write(report[1], &err, sizeof err);
        _exit(127);
    }
    close(report[1]);
    int child_errno = 0;
    ssize_t n;
    do n = read(report[0], &child_errno, sizeof child_errno); while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof child_errno) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        errno = child_errno;
        return -1;
    }
    return pid;
}

/* The host CPU as libvirt's CPU driver reads it (src/cpu/cpu_x86.c,
 * src/util/virhostcpu.c). */
#include <stdint.h>

/* One CPUID leaf and sub-leaf (libvirt: virHostCPUX86GetCPUID); x86 only,
 * as the instruction is. */
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
static inline void cglibc_cpuid(uint32_t leaf, uint32_t subleaf,
                                uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx) {
    uint32_t a, b, c, d;
    __cpuid_count(leaf, subleaf, a, b, c, d);
    *eax = a;
    *ebx = b;
    *ecx = c;
    *edx = d;
}
#endif

/* KVM's ioctls that libvirt probes the host with, numbered as
 * <linux/kvm.h> numbers them (that header is left out of this module). */
#define CGLIBC_KVM_CHECK_EXTENSION 0xAE03UL
#define CGLIBC_KVM_CREATE_VM 0xAE01UL
#define CGLIBC_KVM_CREATE_VCPU 0xAE41UL
#define CGLIBC_KVM_GET_TSC_KHZ 0xAEA3UL
#define CGLIBC_KVM_GET_MSRS 0xC008AE88UL /* _IOWR(KVMIO, 0x88, struct kvm_msrs) */
#define CGLIBC_KVM_CAP_TSC_CONTROL 60

/* ioctl(2) with an integer argument (or none): Swift cannot call the
 * variadic declaration. Returns what the ioctl returns, -1 with errno set
 * on failure. */
static inline int cglibc_ioctl_arg(int fd, unsigned long request, unsigned long arg) {
    return ioctl(fd, request, arg);
}

/* KVM_GET_MSRS for one MSR on a /dev/kvm descriptor (struct kvm_msrs with
 * one struct kvm_msr_entry, as <linux/kvm.h> lays them out). Returns the
 * ioctl's result (the number of MSRs read) and stores the value, or -1
 * with errno set. libvirt: virHostCPUGetMSRFromKVM. */
struct cglibc_kvm_msrs_one {
    uint32_t nmsrs;
    uint32_t pad;
    struct { uint32_t index; uint32_t reserved; uint64_t data; } entry;
};
static inline int cglibc_kvm_get_msr(int fd, uint32_t index, uint64_t *value) {
    struct cglibc_kvm_msrs_one msrs;
    memset(&msrs, 0, sizeof msrs);
    msrs.nmsrs = 1;
    msrs.entry.index = index;
    int rc = ioctl(fd, CGLIBC_KVM_GET_MSRS, &msrs);
    if (rc < 0) return -1;
    *value = msrs.entry.data;
    return rc;
}

#endif
