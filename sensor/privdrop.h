/*
 * privdrop.h - give up root once the capture and the database are open.
 */
#ifndef SW_PRIVDROP_H
#define SW_PRIVDROP_H

/* Become user (name) for good: groups, gid, uid. 0, or -1 with a message. */
int sw_drop_privileges(const char *user);

#endif
