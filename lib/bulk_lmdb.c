/*
 * bulk_lmdb.c - the bulk store in one LMDB file (the embedded default).
 *
 * Two named databases: "counts" (a 17-byte bulk key -> its record,
 * bulk_int.h) and "meta" (format version, where the sweep goes on). Every
 * observation is one write transaction that also looks at the next few
 * records after the sweep position and deletes those with nothing left in
 * the window, so stale keys go away in step with new ones coming in and
 * the file stays near the size of one window of mail.
 *
 * Counts are soft state: the environment is opened with MDB_NOSYNC, so a
 * commit costs no fsync; a crash of the process loses nothing (the pages
 * are in the page cache), a crash of the host may lose the last seconds.
 * A file that LMDB cannot read is moved aside on request and a new store
 * started. Growth of the map and the resize lock: lmdb_int.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/str.h>

#include "bulk_int.h"
#include "lmdb_int.h"

#define WN_BULK_LMDB_VERSION	1
#define WN_BULK_LMDB_MAP	((size_t)64 << 20)
#define WN_BULK_LMDB_MAX_MAP	((size_t)1 << 38)
#define WN_BULK_LMDB_READERS	512
#define WN_BULK_SWEEP_STEP	(2 * WN_BULK_MAX_KEYS) /* records looked at per
						 * observation: more than it adds */

typedef struct wn_bulk_lmdb {
	wn_bulk_store base;
	wn__lmdb lm;		/* environment, growth, errors */
	MDB_dbi counts, meta;
} wn_bulk_lmdb;

static const wn_bulk_store_ops wn_bulk_lmdb_ops;

static int
wn_blmdb_get(wn_bulk_lmdb *s, MDB_txn *txn, const wn_bulk_key *key,
    wn__bulk_rec *r)
{
	MDB_val k = { WN_BULK_KEY_LEN, (void *)(uintptr_t)key->b }, d;
	int rc = mdb_get(txn, s->counts, &k, &d);

	if (rc == MDB_NOTFOUND) {
		memset(r, 0, sizeof(*r));
		return 0;
	}
	if (rc != 0)
		return rc;
	wn__bulk_rec_decode(d.mv_data, d.mv_size, r);
	return 0;
}

/* Look at the next WN_BULK_SWEEP_STEP records after the saved position,
 * delete the stale ones, save where it stopped. */
static int
wn_blmdb_sweep(wn_bulk_lmdb *s, MDB_txn *txn, int64_t now, uint32_t window,
    size_t step, uint64_t *removed)
{
	MDB_val pk = { 5, "sweep" }, pos, k, d;
	uint8_t at[WN_BULK_KEY_LEN];
	MDB_cursor *cur;
	wn__bulk_rec r;
	size_t i;
	int rc, op = MDB_SET_RANGE;

	if ((rc = mdb_cursor_open(txn, s->counts, &cur)) != 0)
		return rc;
	rc = mdb_get(txn, s->meta, &pk, &pos);
	if (rc == 0 && pos.mv_size == WN_BULK_KEY_LEN) {
		memcpy(at, pos.mv_data, sizeof(at));
		k.mv_size = sizeof(at);
		k.mv_data = at;
	} else {
		op = MDB_FIRST;
	}
	rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op);
	for (i = 0; i < step && rc == 0; i++) {
		wn__bulk_rec_decode(d.mv_data, d.mv_size, &r);
		if (wn__bulk_rec_stale(&r, now, window)) {
			if ((rc = mdb_cursor_del(cur, 0)) != 0)
				break;
			(*removed)++;
			/* MDB_NEXT after a delete yields the record that
			 * followed the deleted one */
		}
		rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT);
	}
	if (rc == 0 && k.mv_size == WN_BULK_KEY_LEN) {
		memcpy(at, k.mv_data, sizeof(at));
		pos.mv_size = sizeof(at);
		pos.mv_data = at;
		rc = mdb_put(txn, s->meta, &pk, &pos, 0);
	} else if (rc == MDB_NOTFOUND) {
		/* the end: start from the first record next time */
		rc = mdb_del(txn, s->meta, &pk, NULL);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	mdb_cursor_close(cur);
	return rc;
}

static int
wn_blmdb_observe_txn(wn_bulk_lmdb *s, MDB_txn *txn, const wn_bulk_key *keys,
    size_t n, const wn_bulk_obs *obs, wn_bulk_counts *out)
{
	uint8_t buf[WN__BULK_REC_LEN];
	uint64_t removed = 0;
	wn__bulk_rec r;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		MDB_val k = { WN_BULK_KEY_LEN, (void *)(uintptr_t)keys[i].b };
		MDB_val d = { sizeof(buf), buf };

		if ((rc = wn_blmdb_get(s, txn, &keys[i], &r)) != 0)
			return rc;
		wn__bulk_rec_add(&r, obs);
		wn__bulk_rec_counts(&r, obs->now, obs->window, &out[i]);
		wn__bulk_rec_encode(&r, buf);
		if ((rc = mdb_put(txn, s->counts, &k, &d, 0)) != 0)
			return rc;
	}
	return wn_blmdb_sweep(s, txn, obs->now, obs->window,
	    WN_BULK_SWEEP_STEP, &removed);
}

static int
wn_blmdb_observe(wn_bulk_store *bs, const wn_bulk_key *keys, size_t n,
    const wn_bulk_obs *obs, wn_bulk_counts *out)
{
	wn_bulk_lmdb *s = (wn_bulk_lmdb *)bs;
	MDB_txn *txn;
	int rc, tries;

	for (tries = 0; tries < 8; tries++) {
		if ((rc = wn__lmdb_begin(&s->lm, 0, &txn)) != 0)
			return rc;
		rc = wn_blmdb_observe_txn(s, txn, keys, n, obs, out);
		if (rc == 0)
			rc = wn__lmdb_commit(&s->lm, txn);
		else
			wn__lmdb_abort(&s->lm, txn);
		if (rc != MDB_MAP_FULL)
			break;
		if ((rc = wn__lmdb_grow(&s->lm, false)) != 0)
			return rc;
		rc = MDB_MAP_FULL;
	}
	return rc == 0 ? 0 : wn__lmdb_err(&s->lm, "count", rc);
}

static int
wn_blmdb_peek(wn_bulk_store *bs, const wn_bulk_key *keys, size_t n,
    const wn_bulk_obs *obs, wn_bulk_counts *out)
{
	wn_bulk_lmdb *s = (wn_bulk_lmdb *)bs;
	wn__bulk_rec r;
	MDB_txn *txn;
	size_t i;
	int rc = 0;

	if ((rc = wn__lmdb_begin(&s->lm, MDB_RDONLY, &txn)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		if ((rc = wn_blmdb_get(s, txn, &keys[i], &r)) == 0)
			wn__bulk_rec_counts(&r, obs->now, obs->window, &out[i]);
	wn__lmdb_abort(&s->lm, txn);
	return rc == 0 ? 0 : wn__lmdb_err(&s->lm, "read", rc);
}

static int
wn_blmdb_expire(wn_bulk_store *bs, int64_t now, uint32_t window,
    uint64_t *removed_out)
{
	wn_bulk_lmdb *s = (wn_bulk_lmdb *)bs;
	MDB_val pk = { 5, "sweep" };
	MDB_txn *txn;
	MDB_stat st;
	int rc;

	*removed_out = 0;
	if ((rc = wn__lmdb_begin(&s->lm, 0, &txn)) != 0)
		return rc;
	/* one pass over everything, from the first record */
	rc = mdb_del(txn, s->meta, &pk, NULL);
	if (rc == 0 || rc == MDB_NOTFOUND)
		rc = mdb_stat(txn, s->counts, &st);
	if (rc == 0)
		rc = wn_blmdb_sweep(s, txn, now, window, st.ms_entries,
		    removed_out);
	if (rc == 0)
		rc = wn__lmdb_commit(&s->lm, txn);
	else
		wn__lmdb_abort(&s->lm, txn);
	if (rc == 0)
		rc = mdb_env_sync(s->lm.env, 1);
	return rc == 0 ? 0 : wn__lmdb_err(&s->lm, "expire", rc);
}

static int
wn_blmdb_size(wn_bulk_store *bs, uint64_t *keys_out)
{
	wn_bulk_lmdb *s = (wn_bulk_lmdb *)bs;
	MDB_txn *txn;
	MDB_stat st;
	int rc;

	if ((rc = wn__lmdb_begin(&s->lm, MDB_RDONLY, &txn)) != 0)
		return rc;
	rc = mdb_stat(txn, s->counts, &st);
	wn__lmdb_abort(&s->lm, txn);
	if (rc != 0)
		return wn__lmdb_err(&s->lm, "stat", rc);
	*keys_out = st.ms_entries;
	return 0;
}

static void
wn_blmdb_close(wn_bulk_store *bs)
{
	wn_bulk_lmdb *s = (wn_bulk_lmdb *)bs;

	if (s->lm.env != NULL)
		mdb_env_sync(s->lm.env, 1);
	wn__lmdb_fini(&s->lm);
	wn_free(s);
}

static const wn_bulk_store_ops wn_bulk_lmdb_ops = {
	.name = "lmdb",
	.observe = wn_blmdb_observe,
	.peek = wn_blmdb_peek,
	.expire = wn_blmdb_expire,
	.size = wn_blmdb_size,
	.close = wn_blmdb_close,
};

/* Open the databases; write or check the version. WN_EFORMAT with a
 * message when the file is some other LMDB store. */
static int
wn_blmdb_setup(wn_bulk_lmdb *s)
{
	MDB_val vk = { 7, "version" }, vd;
	uint32_t version = WN_BULK_LMDB_VERSION;
	MDB_dbi other;
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_txn_begin(s->lm.env, NULL, 0, &txn)) != 0)
		return wn__lmdb_err(&s->lm, "open", rc);
	if (mdb_dbi_open(txn, "tokens", 0, &other) == 0) {
		mdb_txn_abort(txn);
		snprintf(s->base.error, sizeof(s->base.error),
		    "is a token store, not a bulk store");
		return WN_EINVAL;
	}
	if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta)) != 0 ||
	    (rc = mdb_dbi_open(txn, "counts", MDB_CREATE, &s->counts)) != 0)
		goto fail;
	rc = mdb_get(txn, s->meta, &vk, &vd);
	if (rc == MDB_NOTFOUND) {
		vd.mv_size = sizeof(version);
		vd.mv_data = &version;
		rc = mdb_put(txn, s->meta, &vk, &vd, 0);
	} else if (rc == 0) {
		if (vd.mv_size != sizeof(version)) {
			rc = MDB_CORRUPTED;
			goto fail;
		}
		memcpy(&version, vd.mv_data, sizeof(version));
		if (version > WN_BULK_LMDB_VERSION) {
			mdb_txn_abort(txn);
			snprintf(s->base.error, sizeof(s->base.error),
			    "bulk store format version %u is newer than this "
			    "winnow (%d)", version, WN_BULK_LMDB_VERSION);
			return WN_EINVAL;
		}
	}
	if (rc != 0)
		goto fail;
	if ((rc = mdb_txn_commit(txn)) != 0)
		return wn__lmdb_err(&s->lm, "open", rc);
	return 0;
fail:
	mdb_txn_abort(txn);
	return wn__lmdb_err(&s->lm, "open", rc);
}

static int
wn_blmdb_open_once(const char *path, wn_bulk_lmdb **out, char *err,
    size_t errlen)
{
	wn_bulk_lmdb *s;
	struct stat sb;
	size_t map = WN_BULK_LMDB_MAP;
	int rc;

	*out = NULL;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		return WN_EIO;
	}
	if ((s = wn_calloc(1, sizeof(*s))) == NULL)
		return WN_ENOMEM;
	s->base.ops = &wn_bulk_lmdb_ops;
	wn__lmdb_init(&s->lm, WN_BULK_LMDB_MAX_MAP, s->base.error,
	    sizeof(s->base.error));
	if ((rc = mdb_env_create(&s->lm.env)) != 0) {
		s->lm.env = NULL;
		rc = wn__lmdb_err(&s->lm, "create", rc);
		goto fail;
	}
	if (stat(path, &sb) == 0 && (size_t)sb.st_size > map)
		map = (size_t)sb.st_size;
	mdb_env_set_maxdbs(s->lm.env, 4);
	mdb_env_set_maxreaders(s->lm.env, WN_BULK_LMDB_READERS);
	mdb_env_set_mapsize(s->lm.env, map);
	if ((rc = mdb_env_open(s->lm.env, path, MDB_NOSUBDIR | MDB_NOTLS |
	    MDB_NOSYNC | MDB_NOMETASYNC, 0644)) != 0) {
		rc = wn__lmdb_err(&s->lm, "open", rc);
		goto fail;
	}
	if ((rc = wn_blmdb_setup(s)) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	snprintf(err, errlen, "%s", s->base.error);
	wn_blmdb_close(&s->base);
	return rc;
}

int
wn_bulk_store_open_lmdb(const char *path, unsigned flags,
    wn_bulk_store **bs_out, bool *recovered_out, char *err, size_t errlen)
{
	char aside[4096], lock[4096], why[256];
	wn_bulk_lmdb *s;
	int rc;

	*bs_out = NULL;
	if (recovered_out != NULL)
		*recovered_out = false;
	snprintf(err, errlen, "%s", "");
	rc = wn_blmdb_open_once(path, &s, why, sizeof(why));
	if (rc == WN_EFORMAT && (flags & WN_BULK_STORE_RECOVER)) {
		/* unreadable: keep it for a post-mortem, start afresh */
		if (!wn_path(aside, sizeof(aside), "%s.broken", path) ||
		    !wn_path(lock, sizeof(lock), "%s-lock", path)) {
			snprintf(err, errlen, "path too long");
			return WN_EINVAL;
		}
		if (rename(path, aside) != 0) {
			snprintf(err, errlen, "%s; cannot move it aside: %s",
			    why, strerror(errno));
			return WN_EIO;
		}
		(void)unlink(lock);
		rc = wn_blmdb_open_once(path, &s, err, errlen);
		if (rc == 0 && recovered_out != NULL)
			*recovered_out = true;
		if (rc == 0)
			snprintf(err, errlen, "%s; moved aside to %s, counting "
			    "afresh", why, aside);
	} else if (rc != 0)
		snprintf(err, errlen, "%s", why);
	if (rc != 0)
		return rc;
	*bs_out = &s->base;
	return 0;
}
