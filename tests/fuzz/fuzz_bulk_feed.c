/*
 * fuzz_bulk_feed.c - libFuzzer target for the feed of shared bulk keys
 * that `winnow bulk feed update` fetches and winnowd loads
 * (wn_bulk_feed_parse).
 *
 * Two ways in, by the first byte: even, the input is the whole envelope
 * as it comes off the network (almost never signed right, so this
 * exercises the envelope checks); odd, the rest is the inner feed text,
 * signed here with a fixed key so that the inner parser is reached. The
 * contract: either a feed whose counts add up and that matches nothing
 * for a short fingerprint, or an error with a one-line message and no
 * feed. A violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/buf.h>
#include <winnow/bulk_feed.h>
#include <winnow/err.h>
#include <winnow/json.h>

static void
fuzz_feed_check(int rc, wn_bulk_feed *f, const char *err)
{
	wn_fingerprint fp;

	if (rc == 0) {
		const wn_bulk_feed_info *i;

		if (f == NULL)
			abort();
		i = wn_bulk_feed_info_get(f);
		if (i->n_digests + i->n_bands > WN_BULK_FEED_MAX_KEYS ||
		    i->min_reporters < 1)
			abort();
		memset(&fp, 0, sizeof(fp));
		fp.flags = WN_FINGERPRINT_SHORT;
		if (wn_bulk_feed_match(f, &fp))
			abort();
		return;
	}
	if (f != NULL || err[0] == '\0' || strchr(err, '\n') != NULL)
		abort();
	if (rc != WN_EFORMAT && rc != WN_EINVAL && rc != WN_ELIMIT &&
	    rc != WN_ENOMEM)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static wn_seckey sk;
	static int ready;
	char err[512], sig[WN_SIGN_SIG_B64_LEN + 1];
	wn_bulk_feed *f = NULL;
	wn_buf env, msg;
	wn_json j;
	int rc;

	if (!ready) {
		/* a fixed key: the same for every run */
		memset(&sk, 0, sizeof(sk));
		if (wn_sign_init() != 0 || wn_seckey_generate(&sk) != 0)
			abort();
		ready = 1;
	}
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		rc = wn_bulk_feed_parse((const char *)data + 1, size - 1,
		    &sk.pub, 1800000000, &f, err, sizeof(err));
		fuzz_feed_check(rc, f, err);
		wn_bulk_feed_free(&f);
		return 0;
	}
	wn_buf_init(&env);
	wn_buf_init(&msg);
	wn_buf_puts(&msg, "winnow-signed-bulk-feed-1\n");
	wn_buf_puts(&msg, sk.pub.id);
	wn_buf_putc(&msg, '\n');
	wn_buf_append(&msg, data + 1, size - 1);
	if (!msg.failed) {
		wn_sign_detached(&sk, msg.data, msg.len, sig);
		wn_json_init(&j, &env, 0);
		wn_json_obj_begin(&j);
		wn_json_key(&j, "format");
		wn_json_str(&j, "winnow-signed-bulk-feed-1");
		wn_json_key(&j, "key_id");
		wn_json_str(&j, sk.pub.id);
		wn_json_key(&j, "feed");
		wn_json_strn(&j, (const char *)data + 1, size - 1);
		wn_json_key(&j, "signature");
		wn_json_str(&j, sig);
		wn_json_obj_end(&j);
		if (!env.failed) {
			rc = wn_bulk_feed_parse(env.data, env.len, &sk.pub,
			    1800000000, &f, err, sizeof(err));
			fuzz_feed_check(rc, f, err);
			wn_bulk_feed_free(&f);
		}
	}
	wn_buf_fini(&env);
	wn_buf_fini(&msg);
	return 0;
}
