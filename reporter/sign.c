/*
 * sign.c - the detached OpenPGP signature of a PGP/MIME message (RFC 3156)
 * made with GPGME, when the reporter is built with it (HAVE_GPGME). mime.c
 * builds the canonical (CRLF, 7-bit) entity and the multipart/signed
 * envelope; this file only signs bytes and names the hash for micalg.
 * Without GPGME, --sign fails with a clear reason instead.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "sign.h"
#include "util.h"

#ifdef HAVE_GPGME
#include <gpgme.h>

static void gpg_error_text(char *err, size_t errlen, const char *what,
			   const char *keyid, gpgme_error_t e)
{
	char shown[128];

	sw_sanitize(shown, sizeof(shown), keyid, (size_t)-1);
	sw_fmt(err, errlen, "signing with key %s: %s: %s", shown, what, gpgme_strerror(e));
}

/* "pgp-" and the lower-case hash name GPGME reports ("SHA256"). */
static bool micalg_name(gpgme_hash_algo_t algo, char *micalg, size_t len)
{
	const char *name = gpgme_hash_algo_name(algo);
	size_t n;

	if (!name || !sw_fmt(micalg, len, "pgp-%s", name))
		return false;
	n = strlen(micalg);
	for (size_t i = 0; i < n; i++)
		micalg[i] = (char)tolower((unsigned char)micalg[i]);
	return true;
}

int sw_pgp_sign(const char *keyid, const char *data, size_t len,
		struct sw_buf *sig, char *micalg, size_t micalglen,
		char *err, size_t errlen)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_key_t key = NULL;
	gpgme_data_t in = NULL, out = NULL;
	gpgme_sign_result_t res;
	gpgme_error_t e;
	char *bytes = NULL;
	size_t nbytes = 0;
	int rc = -1;

	if (!keyid || !*keyid) {
		sw_fmt(err, errlen, "no signing key given");
		return -1;
	}
	gpgme_check_version(NULL);
	e = gpgme_new(&ctx);
	if (e) {
		gpg_error_text(err, errlen, "gpgme_new", keyid, e);
		return -1;
	}
	gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP);
	gpgme_set_armor(ctx, 1);
	/* mime.c already made the entity canonical (CRLF), so a binary
	 * signature over exactly these bytes is what RFC 3156 asks for */
	gpgme_set_textmode(ctx, 0);
	e = gpgme_get_key(ctx, keyid, &key, 1);
	if (e) {
		gpg_error_text(err, errlen, "no usable secret key", keyid, e);
		goto out;
	}
	gpgme_signers_clear(ctx);
	e = gpgme_signers_add(ctx, key);
	if (!e)
		e = gpgme_data_new_from_mem(&in, data, len, 0);
	if (!e)
		e = gpgme_data_new(&out);
	if (!e)
		e = gpgme_op_sign(ctx, in, out, GPGME_SIG_MODE_DETACH);
	if (e) {
		gpg_error_text(err, errlen, "sign", keyid, e);
		goto out;
	}
	res = gpgme_op_sign_result(ctx);
	if (!res || res->invalid_signers || !res->signatures ||
	    res->signatures->next) {
		sw_fmt(err, errlen, "signing made no single valid signature");
		goto out;
	}
	if (!micalg_name(res->signatures->hash_algo, micalg, micalglen)) {
		sw_fmt(err, errlen, "signature with an unknown hash algorithm");
		goto out;
	}
	bytes = gpgme_data_release_and_get_mem(out, &nbytes);
	out = NULL;
	if (!bytes || nbytes == 0) {
		sw_fmt(err, errlen, "signing produced no output");
		goto out;
	}
	sw_buf_add(sig, bytes, nbytes);
	rc = sw_buf_ok(sig) ? 0 : -1;
	if (rc)
		sw_fmt(err, errlen, "out of memory");
out:
	if (bytes)
		gpgme_free(bytes);
	if (in)
		gpgme_data_release(in);
	if (out)
		gpgme_data_release(out);
	if (key)
		gpgme_key_unref(key);
	gpgme_release(ctx);
	return rc;
}

#else /* !HAVE_GPGME */

int sw_pgp_sign(const char *keyid, const char *data, size_t len,
		struct sw_buf *sig, char *micalg, size_t micalglen,
		char *err, size_t errlen)
{
	(void)keyid;
	(void)data;
	(void)len;
	(void)sig;
	(void)micalg;
	(void)micalglen;
	sw_fmt(err, errlen, "cannot sign: spanwatch-reporter was built without GPGME");
	return -1;
}

#endif
