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

#endif
