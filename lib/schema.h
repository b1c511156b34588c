/*
 * schema.h - the migrations embedded from schema/NNN-*.sql at build time.
 * sw_schema_migrations[i] takes a database from user_version i to i + 1.
 */
#ifndef SW_SCHEMA_H
#define SW_SCHEMA_H

extern const char *const sw_schema_migrations[];
extern const int sw_schema_version;

#endif
