#ifndef CGLIBC_SHIM_H
#define CGLIBC_SHIM_H

/* GNU extensions of glibc (2.34 and later) that Swift's Glibc module does
 * not export, because it is built without _GNU_SOURCE: they are declared
 * here as <spawn.h> declares them under __USE_GNU. */

#include <spawn.h>

/* posix_spawnattr_setflags: run the child in a session of its own. */
#define CGLIBC_POSIX_SPAWN_SETSID 0x80

/* Close every descriptor from fd on in the child (after the actions added
 * before it), as closefrom(3) would. */
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

#endif
