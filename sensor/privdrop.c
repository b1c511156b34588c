/*
 * privdrop.c - the sensor needs root only to open the capture. Everything
 * after that (decoding hostile packets, writing the database) runs as an
 * unprivileged user, as tcpdump -Z does. Open descriptors (the capture
 * ring, the database and its WAL) stay usable after the switch.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"

int sw_drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		sw_err("-Z %s: no such user", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		sw_err("cannot become user %s: %s", user, strerror(errno));
		return -1;
	}
	/* a process that can get root back has not dropped it */
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		sw_err("privileges of root could be regained after dropping to %s", user);
		return -1;
	}
	return 0;
}
