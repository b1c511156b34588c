/*
 * sign.h - the detached OpenPGP signature of a PGP/MIME message, made with
 * GPGME when built with it (sign.c).
 */
#ifndef SW_SIGN_H
#define SW_SIGN_H
#include <stddef.h>

#include "buf.h"

/* A detached, ASCII-armored OpenPGP signature of data made with
 * the secret key keyid, appended to sig; micalg gets the RFC 3156 name of
 * the hash used ("pgp-sha256"). 0, or -1 with err ("built without GPGME"
 * when HAVE_GPGME is not defined). */
int sw_pgp_sign(const char *keyid, const char *data, size_t len,
		struct sw_buf *sig, char *micalg, size_t micalglen,
		char *err, size_t errlen);

#endif
