/*
 * confine.c - the sensor needs root only to open the capture. Everything
 * after that (decoding hostile packets, writing the database) runs as a
 * dedicated unprivileged user with no capabilities, no way to gain any
 * (NO_NEW_PRIVS) and a system-call allowlist, as OpenSSH's sandboxed
 * child and OpenBSD tcpdump's privsep do. This holds without systemd; the
 * unit files add their own walls on top. Open descriptors (the capture
 * ring, the database and its WAL) stay usable after the switch.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cap-ng.h>
#include <seccomp.h>
#include <sqlite3.h>

#include "confine.h"
#include "log.h"
#include "util.h"

/* ---- the user ----------------------------------------------------------- */

int sw_confine_resolve(const char *user, uid_t euid, struct sw_confine_user *u,
		       char *err, size_t errlen)
{
	const char *name = user ? user : SW_CONFINE_DEFAULT_USER;
	struct passwd *pw;

	memset(u, 0, sizeof(*u));
	if (euid != 0 || strcmp(name, "root") == 0)
		return 0;
	pw = getpwnam(name);
	if (!pw && !user) {
		sw_warn("no user %s: running as nobody, which other daemons may share; "
			"create it (adduser --system --group --no-create-home %s, or "
			"systemd-sysusers) or name one with -Z", name, name);
		name = "nobody";
		pw = getpwnam(name);
	}
	if (!pw) {
		sw_fmt(err, errlen, "-Z %s: no such user", name);
		return -1;
	}
	if (pw->pw_uid == 0) {
		sw_fmt(err, errlen, "-Z %s: that is root (uid 0); say -Z root to keep root", name);
		return -1;
	}
	u->drop = true;
	sw_fmt(u->name, sizeof(u->name), "%s", pw->pw_name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

/* ---- its files ------------------------------------------------------------ */

/* Can uid/gid create and remove files in dir? (Owner, group or other
 * write permission; root-only directories are the case to warn about.) */
static bool dir_writable_by(const char *dir, uid_t uid, gid_t gid)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return false;
	if (st.st_uid == uid)
		return (st.st_mode & S_IWUSR) != 0;
	if (st.st_gid == gid)
		return (st.st_mode & S_IWGRP) != 0;
	return (st.st_mode & S_IWOTH) != 0;
}

int sw_confine_own_db(const struct sw_confine_user *u, const char *db_path,
		      char *err, size_t errlen)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[4200], dir[4200];
	const char *slash;

	if (!u->drop)
		return 0;
	for (size_t i = 0; i < SW_ARRAY_LEN(suffix); i++) {
		if (!sw_fmt(path, sizeof(path), "%s%s", db_path, suffix[i])) {
			sw_fmt(err, errlen, "%s: path too long", db_path);
			return -1;
		}
		if (chown(path, u->uid, u->gid) < 0 && errno != ENOENT) {
			sw_fmt(err, errlen, "%s: cannot give it to %s: %s", path, u->name,
			       strerror(errno));
			return -1;
		}
	}
	slash = strrchr(db_path, '/');
	if (!slash)
		sw_fmt(dir, sizeof(dir), ".");
	else if (slash == db_path)
		sw_fmt(dir, sizeof(dir), "/");
	else
		sw_fmt(dir, sizeof(dir), "%.*s", (int)(slash - db_path), db_path);
	if (!dir_writable_by(dir, u->uid, u->gid))
		sw_info("%s: %s cannot write this directory: the database's -wal and -shm "
			"files will stay behind after the run (give the directory to %s)",
			dir, u->name, u->name);
	return 0;
}

/* ---- the chroot (-t DIR) ---------------------------------------------------- */

bool sw_confine_path_inside(const char *root, const char *resolved, char *out, size_t outlen)
{
	size_t n = strcmp(root, "/") == 0 ? 0 : strlen(root);

	if (strncmp(resolved, root, n) != 0 || resolved[n] != '/' || resolved[n + 1] == '\0')
		return false;
	return sw_fmt(out, outlen, "%s", resolved + n);
}

/* A file's absolute path with every symbolic link resolved: the file
 * itself when it exists, else its directory and its name. opt names the
 * option that gave it, for the messages. */
static int resolve_file(const char *opt, const char *db_path, char *full, size_t fulllen,
                        char *err, size_t errlen)
{
	char parent[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(db_path, '/'), *base;
	struct stat st;

	if (lstat(db_path, &st) == 0) {
		if (!realpath(db_path, full)) {
			sw_fmt(err, errlen, "%s %s: cannot resolve it: %s", opt, db_path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		sw_fmt(err, errlen, "%s %s: %s", opt, db_path, strerror(errno));
		return -1;
	}
	base = slash ? slash + 1 : db_path;
	if (!slash)
		sw_fmt(parent, sizeof(parent), ".");
	else if (slash == db_path)
		sw_fmt(parent, sizeof(parent), "/");
	else if (!sw_fmt(parent, sizeof(parent), "%.*s", (int)(slash - db_path), db_path)) {
		sw_fmt(err, errlen, "%s %s: path too long", opt, db_path);
		return -1;
	}
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		sw_fmt(err, errlen, "%s %s: not a file name", opt, db_path);
		return -1;
	}
	if (!realpath(parent, real)) {
		sw_fmt(err, errlen, "%s %s: %s: %s", opt, db_path, parent, strerror(errno));
		return -1;
	}
	if (!sw_fmt(full, fulllen, "%s%s%s", real, strcmp(real, "/") == 0 ? "" : "/", base)) {
		sw_fmt(err, errlen, "%s %s: path too long", opt, db_path);
		return -1;
	}
	return 0;
}

int sw_confine_root_check(const char *dir, const char *db_path, struct sw_confine_root *r,
			  char *err, size_t errlen)
{
	char full[PATH_MAX];
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (!dir)
		return 0;
	if (stat(dir, &st) < 0) {
		sw_fmt(err, errlen, "-t %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		sw_fmt(err, errlen, "-t %s: not a directory", dir);
		return -1;
	}
	if (!realpath(dir, r->dir)) {
		sw_fmt(err, errlen, "-t %s: cannot resolve it: %s", dir, strerror(errno));
		return -1;
	}
	if (resolve_file("-w", db_path, full, sizeof(full), err, errlen) < 0)
		return -1;
	if (!sw_confine_path_inside(r->dir, full, r->db_path, sizeof(r->db_path))) {
		sw_fmt(err, errlen, "-w %s: the database must be inside -t %s (it is %s)", db_path,
		       r->dir, full);
		return -1;
	}
	capng_get_caps_process();
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_CHROOT) != 1) {
		sw_fmt(err, errlen, "-t %s: chroot needs root (CAP_SYS_CHROOT)", dir);
		return -1;
	}
	r->on = true;
	return 0;
}

int sw_confine_root_path(const struct sw_confine_root *r, const char *opt, const char *path,
                         char *out, size_t outlen, char *err, size_t errlen)
{
	char full[PATH_MAX];

	if (!r->on)
		return sw_fmt(out, outlen, "%s", path) ? 0 : -1;
	if (resolve_file(opt, path, full, sizeof(full), err, errlen) < 0)
		return -1;
	if (!sw_confine_path_inside(r->dir, full, out, outlen)) {
		sw_fmt(err, errlen, "%s %s: the file must be inside -t %s (it is %s)", opt, path,
		       r->dir, full);
		return -1;
	}
	return 0;
}

int sw_confine_chroot(const struct sw_confine_root *r, char *err, size_t errlen)
{
	unsigned char seed[16];

	if (!r->on)
		return 0;
	/* what would be read by path later, read now: the time zone (syslog's
	 * time stamps) and SQLite's random seed (/dev/urandom, read once) */
	tzset();
	if (sqlite3_initialize() != SQLITE_OK) {
		sw_fmt(err, errlen, "SQLite cannot start");
		return -1;
	}
	sqlite3_randomness(sizeof(seed), seed);
	if (chroot(r->dir) < 0) {
		sw_fmt(err, errlen, "-t %s: chroot: %s", r->dir, strerror(errno));
		return -1;
	}
	if (chdir("/") < 0) {
		sw_fmt(err, errlen, "-t %s: chdir to its root: %s", r->dir, strerror(errno));
		return -1;
	}
	return 0;
}

int sw_confine_own_file(const struct sw_confine_user *u, const char *path, int fd,
			char *err, size_t errlen)
{
	char dir[4200];
	const char *slash;

	if (!u->drop)
		return 0;
	if (fchown(fd, u->uid, u->gid) < 0) {
		sw_fmt(err, errlen, "%s: cannot give it to %s: %s", path, u->name, strerror(errno));
		return -1;
	}
	slash = strrchr(path, '/');
	if (!slash)
		sw_fmt(dir, sizeof(dir), ".");
	else if (slash == path)
		sw_fmt(dir, sizeof(dir), "/");
	else
		sw_fmt(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (!dir_writable_by(dir, u->uid, u->gid))
		sw_warn("%s: %s cannot create files in this directory: after SIGHUP the events go "
			"on to the file already open (give the directory to %s)", dir, u->name,
			u->name);
	return 0;
}

/* ---- the switch ------------------------------------------------------------ */

int sw_confine_drop(const struct sw_confine_user *u, char *err, size_t errlen)
{
	int rc;

	if (!u->drop)
		return 0;
	/* keep nothing across the switch; clear the bounding and ambient sets
	 * while we still may (CAP_SETPCAP) */
	capng_clear(CAPNG_SELECT_ALL);
	rc = capng_change_id((int)u->uid, (int)u->gid,
			     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING | CAPNG_CLEAR_AMBIENT);
	if (rc < 0) {
		sw_fmt(err, errlen, "cannot become user %s (libcap-ng error %d): %s", u->name, rc,
		       strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		sw_fmt(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	/* a process that can get root or a capability back has not dropped it */
	if (setuid(0) == 0 || seteuid(0) == 0) {
		sw_fmt(err, errlen, "privileges of root could be regained after dropping to %s",
		       u->name);
		return -1;
	}
	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE ||
	    capng_have_capabilities(CAPNG_SELECT_BOUNDS) != CAPNG_NONE) {
		sw_fmt(err, errlen, "capabilities are left after dropping to %s", u->name);
		return -1;
	}
	return 0;
}

/* ---- the system-call filter -------------------------------------------------- */

/*
 * What the sensor does once confined, measured with strace -f on file
 * reads and live captures (with alerts to stderr and syslog): reading the
 * capture (poll, recvfrom, the mmap'd ring, getsockopt for statistics),
 * SQLite writing the database and its WAL (pread/pwrite, fcntl locks,
 * fdatasync, ftruncate, unlink of the WAL on close), threads and their
 * memory, signals, clocks, and syslog's AF_UNIX datagram socket. The
 * chroot of -t comes before the filter and needs nothing after it (the
 * interface's drop counters, held open, are read with pread).
 */
static const char *const allowed[] = {
	/* I/O on descriptors already open */
	"read", "write", "writev", "pread64", "pwrite64", "lseek", "close", "fcntl",
	"fstat", "newfstatat", "statx", "fsync", "fdatasync", "ftruncate",
	"poll", "ppoll", "recvfrom", "recvmsg", "getsockopt", "setsockopt",
	/* SQLite: the WAL and shared-memory files, removed on close; and the
	 * -A json:PATH file, reopened after SIGHUP (open descriptors need
	 * nothing more: the file was opened, and given away, before the drop) */
	"openat", "unlink", "unlinkat", "getrandom",
	/* syslog: socket() itself is limited to AF_UNIX below */
	"connect", "sendto", "sendmsg",
	/* memory */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	/* threads */
	"clone", "clone3", "futex", "set_robust_list", "rseq", "sched_yield",
	"exit", "exit_group", "gettid", "getpid", "tgkill",
	/* signals and time */
	"rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "restart_syscall",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday",
	"getuid", "geteuid", "getgid", "getegid",
};

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer's reports and LeakSanitizer's exit-time scan (a
 * tracer thread that stops the others) in the test suite's debug build */
static const char *const sanitizer_allowed[] = {
	"sigaltstack", "prctl", "sched_getaffinity", "wait4", "ptrace", "getppid", "readlink",
	"readlinkat", "getdents", "getdents64", "kill", "open", "close_range",
};
#endif

static int allow(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not a call on this architecture */
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

int sw_confine_filter(char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = 0;

	if (!ctx) {
		sw_fmt(err, errlen, "seccomp: cannot create a filter");
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < SW_ARRAY_LEN(allowed); i++)
		rc = allow(ctx, allowed[i]);
#if defined(__SANITIZE_ADDRESS__)
	for (size_t i = 0; rc == 0 && i < SW_ARRAY_LEN(sanitizer_allowed); i++)
		rc = allow(ctx, sanitizer_allowed[i]);
#endif
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		sw_fmt(err, errlen, "seccomp: cannot install the filter: %s", strerror(-rc));
		return -1;
	}
	return 0;
}
