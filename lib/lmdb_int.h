/*
 * lmdb_int.h - what the LMDB-backed stores share: an environment whose
 * map grows when full, errors as WN_E* codes with a message, and the
 * lock that lets transactions run together and resizing alone.
 *
 * Growing the map needs no transaction active in this process, so every
 * transaction holds the read side of resize_lock from begin to commit or
 * abort, and growing takes the write side. Another process that grew the
 * map shows up as MDB_MAP_RESIZED at the next begin, and the new size is
 * adopted then. Used by store_lmdb.c (the token store) and bulk_lmdb.c
 * (the bulk store).
 */
#ifndef WINNOW_LMDB_INT_H
#define WINNOW_LMDB_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <lmdb.h>

typedef struct wn__lmdb {
	MDB_env *env;
	pthread_rwlock_t resize_lock;
	size_t max_map;		/* growth stops here: WN_ELIMIT */
	char *error;		/* the store's message buffer */
	size_t errlen;
} wn__lmdb;

/* wn__lmdb_init - the lock; env is NULL until the caller creates it */
void wn__lmdb_init(wn__lmdb *l, size_t max_map, char *error, size_t errlen);

/* wn__lmdb_fini - close the environment (if any) and the lock */
void wn__lmdb_fini(wn__lmdb *l);

/* wn__lmdb_err - "what: LMDB's text" into the message buffer; the
 * WN_E* code for rc (WN_EFORMAT, WN_ELIMIT, WN_ETEMP, WN_ENOMEM, WN_EIO) */
int wn__lmdb_err(wn__lmdb *l, const char *what, int rc);

/* wn__lmdb_grow - double the map, or (adopt_only) take the size another
 * process set */
int wn__lmdb_grow(wn__lmdb *l, bool adopt_only);

/* wn__lmdb_begin - a transaction under the read side of the lock, held
 * until wn__lmdb_commit or wn__lmdb_abort */
int wn__lmdb_begin(wn__lmdb *l, unsigned flags, MDB_txn **txn);
void wn__lmdb_abort(wn__lmdb *l, MDB_txn *txn);
/* returns LMDB's code (MDB_MAP_FULL means: grow and try again) */
int wn__lmdb_commit(wn__lmdb *l, MDB_txn *txn);

/*
 * wn__lmdb_walk - every record of table dbi in key order, in one read
 * transaction: row(txn, key, data, arg, &bad) returns 0 to go on, or a
 * value that stops the walk and is returned as it is; setting bad (an
 * LMDB code: MDB_CORRUPTED for a record that is not one) stops it too,
 * and is reported as an error of what, as a failing cursor is.
 */
int wn__lmdb_walk(wn__lmdb *l, MDB_dbi dbi, const char *what,
    int (*row)(MDB_txn *txn, const MDB_val *k, const MDB_val *d, void *arg,
    int *bad), void *arg);

#endif
