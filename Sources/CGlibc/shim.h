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

/* posix_spawnattr_setflags: run the child in a session of its own. */
#define CGLIBC_POSIX_SPAWN_SETSID 0x80

/* Close every descriptor from fd on in the child (after the actions added
 * before it), as closefrom(3) would. */
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/* accept(2) that sets flags (SOCK_CLOEXEC) on the new socket at once. */
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);

#endif
