/*
 * confine.h - what the sensor keeps of root once the capture and the
 * database are open (confine.c): nothing. A dedicated user, no
 * capabilities (bounding and ambient sets cleared), no new privileges,
 * and a system-call filter that allows only what the capture, writer and
 * alert threads do.
 */
#ifndef SW_CONFINE_H
#define SW_CONFINE_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SW_CONFINE_DEFAULT_USER "_spanwatch"

/* Who the sensor becomes, found before anything is created. */
struct sw_confine_user {
	bool drop;               /* running as root and told to give it up */
	char name[64];
	uid_t uid;
	gid_t gid;
};

/*
 * Resolve user (NULL: the default, _spanwatch) for a process running as
 * euid. Not root, or user "root": nothing to drop (drop false). A user
 * named with -Z that does not exist is an error (-1, err); the default one
 * missing falls back to "nobody" with a warning that says how to create
 * it (the Debian package and the sysusers.d entry do).
 */
int sw_confine_resolve(const char *user, uid_t euid, struct sw_confine_user *u,
		       char *err, size_t errlen);

/* Give the database file and its -wal and -shm (those that exist) to the
 * user, so that it can write them and remove them on exit; say so (info) when the
 * directory would not let it (the WAL then stays behind). 0 or -1 (err). */
int sw_confine_own_db(const struct sw_confine_user *u, const char *db_path,
		      char *err, size_t errlen);

/* Give an open file (the -A json:PATH events) to the user, and warn when
 * it could not create a new one in the directory (SIGHUP reopens PATH as
 * that user). 0 or -1 (err). */
int sw_confine_own_file(const struct sw_confine_user *u, const char *path, int fd,
			char *err, size_t errlen);

/*
 * Become u for good: supplementary groups, gid and uid switched with the
 * capability bounding set cleared (libcap-ng), then no effective,
 * permitted, inheritable or ambient capability left, PR_SET_NO_NEW_PRIVS
 * set, and a check that root cannot be regained. 0 or -1 (err).
 */
int sw_confine_drop(const struct sw_confine_user *u, char *err, size_t errlen);

/*
 * Install the system-call filter (libseccomp) on this thread and those it
 * starts later: an allowlist; anything else kills the process (SIGSYS),
 * so a hostile packet that took control of the decoder still cannot exec,
 * open a new socket to the network or change a file's owner. Needs
 * NO_NEW_PRIVS (sw_confine_drop) or root. 0 or -1 (err).
 */
int sw_confine_filter(char *err, size_t errlen);

#endif
