#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H

/* Linux interfaces that Swift's Glibc module leaves out: epoll, and
 * pidfds (glibc 2.36 wraps pidfd_open). */
#include <sys/epoll.h>
#include <sys/pidfd.h>

#endif
