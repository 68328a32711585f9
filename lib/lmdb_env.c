/*
 * lmdb_env.c - the LMDB environment the stores share: errors, growth,
 * transactions under the resize lock (lmdb_int.h).
 */
#include <errno.h>
#include <stdio.h>

#include <winnow/err.h>

#include "lmdb_int.h"

void
wn__lmdb_init(wn__lmdb *l, size_t max_map, char *error, size_t errlen)
{
	l->env = NULL;
	l->max_map = max_map;
	l->error = error;
	l->errlen = errlen;
	pthread_rwlock_init(&l->resize_lock, NULL);
}

void
wn__lmdb_fini(wn__lmdb *l)
{
	if (l->env != NULL)
		mdb_env_close(l->env);
	l->env = NULL;
	pthread_rwlock_destroy(&l->resize_lock);
}

int
wn__lmdb_err(wn__lmdb *l, const char *what, int rc)
{
	snprintf(l->error, l->errlen, "%s: %s", what, mdb_strerror(rc));
	switch (rc) {
	case ENOMEM:
		return WN_ENOMEM;
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
	case MDB_CORRUPTED:
	case MDB_PANIC:
	case MDB_PAGE_NOTFOUND:
	case MDB_INCOMPATIBLE:
	case MDB_BAD_VALSIZE:
		return WN_EFORMAT;
	case MDB_MAP_FULL:
	case ENOSPC:
		return WN_ELIMIT;
	case MDB_READERS_FULL:
		return WN_ETEMP;
	default:
		errno = rc > 0 ? rc : EIO;
		return WN_EIO;
	}
}

int
wn__lmdb_grow(wn__lmdb *l, bool adopt_only)
{
	MDB_envinfo info;
	int rc;

	pthread_rwlock_wrlock(&l->resize_lock);
	if (adopt_only)
		rc = mdb_env_set_mapsize(l->env, 0);
	else {
		mdb_env_info(l->env, &info);
		if (info.me_mapsize * 2 > l->max_map) {
			pthread_rwlock_unlock(&l->resize_lock);
			snprintf(l->error, l->errlen,
			    "store is at its maximum size");
			return WN_ELIMIT;
		}
		rc = mdb_env_set_mapsize(l->env, info.me_mapsize * 2);
	}
	pthread_rwlock_unlock(&l->resize_lock);
	return rc == 0 ? 0 : wn__lmdb_err(l, "resize", rc);
}

int
wn__lmdb_begin(wn__lmdb *l, unsigned flags, MDB_txn **txn)
{
	int rc, tries;

	for (tries = 0; tries < 4; tries++) {
		pthread_rwlock_rdlock(&l->resize_lock);
		rc = mdb_txn_begin(l->env, NULL, flags, txn);
		if (rc == 0)
			return 0;	/* lock held until commit or abort */
		pthread_rwlock_unlock(&l->resize_lock);
		if (rc != MDB_MAP_RESIZED)
			return wn__lmdb_err(l, "begin transaction", rc);
		if ((rc = wn__lmdb_grow(l, true)) != 0)
			return rc;
	}
	return wn__lmdb_err(l, "begin transaction", MDB_MAP_RESIZED);
}

void
wn__lmdb_abort(wn__lmdb *l, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	pthread_rwlock_unlock(&l->resize_lock);
}

int
wn__lmdb_commit(wn__lmdb *l, MDB_txn *txn)
{
	int rc = mdb_txn_commit(txn);

	pthread_rwlock_unlock(&l->resize_lock);
	return rc;
}

int
wn__lmdb_walk(wn__lmdb *l, MDB_dbi dbi, const char *what,
    int (*row)(MDB_txn *txn, const MDB_val *k, const MDB_val *d, void *arg,
    int *bad), void *arg)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, d;
	int rc, stop = 0, bad = 0;

	if ((rc = wn__lmdb_begin(l, MDB_RDONLY, &txn)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0) {
		wn__lmdb_abort(l, txn);
		return wn__lmdb_err(l, what, rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT))
		if ((stop = row(txn, &k, &d, arg, &bad)) != 0 || bad != 0)
			break;
	mdb_cursor_close(cur);
	wn__lmdb_abort(l, txn);
	if (bad != 0)
		return wn__lmdb_err(l, what, bad);
	if (stop != 0)
		return stop;
	if (rc != MDB_NOTFOUND)
		return wn__lmdb_err(l, what, rc);
	return 0;
}
