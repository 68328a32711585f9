/* test_bulk_store.c - the LMDB bulk store: the window semantics every
 * backend shares (bulk_store_cases.h), a file shared by two handles, a
 * broken file moved aside, a token store refused, growth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <winnow/bulk.h>
#include <winnow/err.h>
#include <winnow/store.h>

#include "bulk_store_cases.h"

static char dir[64], path[128];

static void
setup(void)
{
	strcpy(dir, "/tmp/wn-bulkst-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bulk.lmdb", dir);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static wn_bulk_store *
open_fresh(void)
{
	wn_bulk_store *bs = NULL;
	char err[256];
	int rc = wn_bulk_store_open(path, 0, &bs, NULL, err, sizeof(err));

	cr_assert_eq(rc, 0, "open: %s (%s)", wn_strerror(rc), err);
	cr_assert_str_eq(bs->ops->name, "lmdb");
	return bs;
}

TestSuite(bulk_lmdb, .init = setup, .fini = teardown);

WN_BULK_STORE_TESTS(bulk_lmdb, open_fresh)

/* Two handles on one file (two processes in production) count together,
 * and the counts survive closing. */
Test(bulk_lmdb, shared_and_persistent)
{
	wn_bulk_store *a = open_fresh(), *b = open_fresh();
	wn_bulk_key k = bc_key('d', 1);
	wn_bulk_obs o = bc_obs(BC_T0, 86400, 2, 1);
	wn_bulk_counts c;

	bc_observe(a, &k, &o);
	o.sender = 2;
	c = bc_observe(b, &k, &o);
	cr_expect_eq(c.copies, 2);
	cr_expect_eq(c.senders, 2);
	wn_bulk_store_close(&a);
	wn_bulk_store_close(&b);
	a = open_fresh();
	c = bc_peek(a, &k, BC_T0 + 1, 86400);
	cr_expect_eq(c.recipients, 4);
	wn_bulk_store_close(&a);
}

Test(bulk_lmdb, broken_file_moved_aside)
{
	char aside[160], err[256];
	wn_bulk_store *bs = NULL;
	struct stat sb;
	bool recovered = false;
	FILE *f = fopen(path, "w");
	int rc;

	cr_assert_not_null(f);
	fputs("this is not an LMDB file, but it is long enough to look at "
	    "its header and fail", f);
	fclose(f);
	rc = wn_bulk_store_open(path, 0, &bs, &recovered, err, sizeof(err));
	cr_expect_eq(rc, WN_EFORMAT, "%d %s", rc, err);
	cr_expect_null(bs);
	rc = wn_bulk_store_open(path, WN_BULK_STORE_RECOVER, &bs, &recovered,
	    err, sizeof(err));
	cr_assert_eq(rc, 0, "%s", err);
	cr_expect(recovered);
	cr_expect_not_null(strstr(err, "moved aside"), "%s", err);
	snprintf(aside, sizeof(aside), "%s.broken", path);
	cr_expect_eq(stat(aside, &sb), 0);
	wn_bulk_store_close(&bs);
}

/* Pointing bulk_store at the Bayes store must not destroy the model. */
Test(bulk_lmdb, token_store_refused)
{
	wn_store_params p = { 1, 3, 0 };
	wn_bulk_store *bs = NULL;
	wn_store *st = NULL;
	bool recovered = true;
	char err[256];
	int rc;

	cr_assert_eq(wn_store_open_lmdb(path, WN_STORE_CREATE, &p, &st, err,
	    sizeof(err)), 0);
	wn_store_close(&st);
	rc = wn_bulk_store_open(path, WN_BULK_STORE_RECOVER, &bs, &recovered,
	    err, sizeof(err));
	cr_expect_eq(rc, WN_EINVAL);
	cr_expect(!recovered);
	cr_expect_not_null(strstr(err, "token store"), "%s", err);
	cr_assert_eq(wn_store_open_lmdb(path, 0, NULL, &st, err,
	    sizeof(err)), 0, "the token store is intact");
	wn_store_close(&st);
}

/* Many keys: the map grows past its first size, and the sweep keeps up
 * with keys leaving the window. */
Test(bulk_lmdb, grows_and_sweeps, .timeout = 120)
{
	wn_bulk_store *bs = open_fresh();
	wn_bulk_key keys[WN_BULK_MAX_KEYS];
	wn_bulk_counts c[WN_BULK_MAX_KEYS];
	uint64_t n = 0, removed = 0;
	unsigned i, j;

	for (i = 0; i < 40000; i++) {
		/* a new message every second; window 80 s */
		wn_bulk_obs o = bc_obs(BC_T0 + i, 80, 1, i + 1);

		for (j = 0; j < 17; j++) {
			keys[j] = bc_key('b', j);
			memcpy(keys[j].b + 2, &i, sizeof(i));
		}
		cr_assert_eq(bs->ops->observe(bs, keys, 17, &o, c), 0, "%s",
		    wn_bulk_store_error(bs));
	}
	cr_assert_eq(bs->ops->size(bs, &n), 0);
	/* without the sweep there would be 680,000 keys */
	cr_expect_lt(n, 200000, "%llu keys", (unsigned long long)n);
	cr_assert_eq(bs->ops->expire(bs, BC_T0 + 40000, 80, &removed), 0);
	cr_assert_eq(bs->ops->size(bs, &n), 0);
	cr_expect_leq(n, 17 * 90, "%llu keys left", (unsigned long long)n);
	wn_bulk_store_close(&bs);
}
