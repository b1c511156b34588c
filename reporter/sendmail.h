/*
 * sendmail.h - handing a rendered message to the mail command (sendmail.c).
 */
#ifndef SW_SENDMAIL_H
#define SW_SENDMAIL_H
#include <stddef.h>

/* Pipe a rendered eml/xarf message to command (run by /bin/sh -c, e.g.
 * "sendmail -t -oi"); 0 if it exited 0, else -1 with err. */
int sw_mail_send(const char *command, const char *msg, size_t len,
		 char *err, size_t errlen);

#endif
