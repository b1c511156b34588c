/*
 * confine.h - what the sensor keeps of root once the capture and the
 * database are open (confine.c): nothing. A dedicated user, no
 * capabilities (bounding and ambient sets cleared), no new privileges,
 * and a system-call filter that allows only what the capture, writer and
 * alert threads do.
 */
#ifndef SW_CONFINE_H
#define SW_CONFINE_H
#include <limits.h>
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
 * -t DIR: like OpenBSD tcpdump, the sensor shuts itself in DIR (chroot,
 * then chdir "/") once the capture is open and before it drops root, so a
 * decoder taken over by a hostile packet sees nothing of the file system
 * but DIR. SQLite opens, reopens and removes the database's -wal and -shm
 * by the path it was given at open, so the database must live inside DIR
 * and is opened after the chroot by its path from DIR's root.
 */
struct sw_confine_root {
	bool on;
	char dir[PATH_MAX];      /* DIR, resolved (no symbolic link, absolute) */
	char db_path[PATH_MAX];  /* the database seen from inside DIR: "/x.db" */
};

/*
 * Check -t dir for the database db_path before anything is made: dir must
 * be a directory, the database (its directory when it does not exist yet;
 * the file itself, symbolic links followed, when it does) inside it, and
 * the process allowed to chroot (CAP_SYS_CHROOT: root). Fills r. 0, or -1
 * with a one-line err naming -t or -w.
 */
int sw_confine_root_check(const char *dir, const char *db_path, struct sw_confine_root *r,
			  char *err, size_t errlen);

/* path (given with option opt) as the sensor will see it after the chroot
 * r: inside r->dir, or path itself when there is no chroot. 0, or -1 with
 * a one-line reason in err (not inside DIR, cannot be resolved). */
int sw_confine_root_path(const struct sw_confine_root *r, const char *opt, const char *path,
                         char *out, size_t outlen, char *err, size_t errlen);

/* The path of resolved (absolute, no symbolic link) seen from inside the
 * directory root (also resolved): "/a/b" inside "/a" is "/b". false when it
 * is not strictly inside root or out is too small. */
bool sw_confine_path_inside(const char *root, const char *resolved, char *out, size_t outlen);

/*
 * Load what the process would otherwise read by path later (the time zone;
 * SQLite's random seed from /dev/urandom), then chroot into r->dir and
 * chdir to its root. Nothing to do when r->on is false. Syslog's socket is
 * connected by the caller before (sw_alerts_prepare). 0 or -1 (err).
 */
int sw_confine_chroot(const struct sw_confine_root *r, char *err, size_t errlen);

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
