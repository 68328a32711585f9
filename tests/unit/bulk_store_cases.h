/*
 * bulk_store_cases.h - the cases every bulk-store backend must pass.
 *
 * A backend's test file defines a function returning a fresh, empty store
 * and expands WN_BULK_STORE_TESTS(suite, opener): one Criterion test per
 * case, so LMDB and Redis are held to the same window semantics (bulk.h).
 */
#ifndef WINNOW_TEST_BULK_STORE_CASES_H
#define WINNOW_TEST_BULK_STORE_CASES_H

#include <string.h>

#include <criterion/criterion.h>

#include <winnow/bulk.h>

static wn_bulk_key
bc_key(char kind, unsigned n)
{
	wn_bulk_key k;

	memset(&k, 0, sizeof(k));
	k.b[0] = (uint8_t)kind;
	k.b[1] = (uint8_t)n;
	k.b[16] = (uint8_t)(n >> 8);
	return k;
}

static wn_bulk_obs
bc_obs(int64_t now, uint32_t window, uint32_t rcpts, uint32_t sender)
{
	wn_bulk_obs o = { rcpts, sender, now, window };

	return o;
}

static wn_bulk_counts
bc_observe(wn_bulk_store *bs, const wn_bulk_key *k, const wn_bulk_obs *o)
{
	wn_bulk_counts c;
	int rc = bs->ops->observe(bs, k, 1, o, &c);

	cr_assert_eq(rc, 0, "observe: %d %s", rc, wn_bulk_store_error(bs));
	return c;
}

static wn_bulk_counts
bc_peek(wn_bulk_store *bs, const wn_bulk_key *k, int64_t now, uint32_t window)
{
	wn_bulk_obs o = bc_obs(now, window, 0, 0);
	wn_bulk_counts c;
	int rc = bs->ops->peek(bs, k, 1, &o, &c);

	cr_assert_eq(rc, 0, "peek: %d %s", rc, wn_bulk_store_error(bs));
	return c;
}

#define BC_T0 1700000000	/* a multiple of 10: bucket edges are exact */

static void
bc_case_first_copy(wn_bulk_store *bs)
{
	wn_bulk_key k = bc_key('d', 1);
	wn_bulk_obs o = bc_obs(BC_T0, 86400, 3, 77);
	wn_bulk_counts c = bc_observe(bs, &k, &o);

	cr_expect_eq(c.copies, 1);
	cr_expect_eq(c.recipients, 3);
	cr_expect_eq(c.senders, 1);
}

static void
bc_case_accumulates(wn_bulk_store *bs)
{
	wn_bulk_key k = bc_key('b', 2);
	wn_bulk_obs o;
	wn_bulk_counts c;

	o = bc_obs(BC_T0, 86400, 2, 5);
	bc_observe(bs, &k, &o);
	o = bc_obs(BC_T0 + 60, 86400, 3, 5);
	bc_observe(bs, &k, &o);
	o = bc_obs(BC_T0 + 3600, 86400, 5, 6);
	c = bc_observe(bs, &k, &o);
	cr_expect_eq(c.copies, 3);
	cr_expect_eq(c.recipients, 10);
	cr_expect_eq(c.senders, 2);
}

static void
bc_case_peek_changes_nothing(wn_bulk_store *bs)
{
	wn_bulk_key k = bc_key('d', 3);
	wn_bulk_obs o = bc_obs(BC_T0, 86400, 4, 9);
	wn_bulk_counts c;

	c = bc_peek(bs, &k, BC_T0, 86400);
	cr_expect_eq(c.copies, 0);
	cr_expect_eq(c.recipients, 0);
	cr_expect_eq(c.senders, 0);
	bc_observe(bs, &k, &o);
	c = bc_peek(bs, &k, BC_T0 + 1, 86400);
	cr_expect_eq(c.copies, 1);
	c = bc_peek(bs, &k, BC_T0 + 2, 86400);
	cr_expect_eq(c.copies, 1);
	cr_expect_eq(c.recipients, 4);
}

/* Window 80 s: buckets of 10 s; a copy counts until its bucket is 8
 * buckets old. */
static void
bc_case_window_slides(wn_bulk_store *bs)
{
	wn_bulk_key k = bc_key('d', 4);
	wn_bulk_obs o;
	wn_bulk_counts c;

	o = bc_obs(BC_T0, 80, 1, 1);		/* bucket B */
	bc_observe(bs, &k, &o);
	o = bc_obs(BC_T0 + 35, 80, 2, 2);	/* B + 3 */
	bc_observe(bs, &k, &o);
	o = bc_obs(BC_T0 + 75, 80, 4, 3);	/* B + 7 */
	c = bc_observe(bs, &k, &o);
	cr_expect_eq(c.copies, 3);
	cr_expect_eq(c.recipients, 7);
	cr_expect_eq(c.senders, 3);
	c = bc_peek(bs, &k, BC_T0 + 85, 80);	/* B + 8: B has left */
	cr_expect_eq(c.copies, 2);
	cr_expect_eq(c.recipients, 6);
	cr_expect_eq(c.senders, 2);
	c = bc_peek(bs, &k, BC_T0 + 115, 80);	/* B + 11: B + 3 has left */
	cr_expect_eq(c.copies, 1);
	cr_expect_eq(c.recipients, 4);
	c = bc_peek(bs, &k, BC_T0 + 155, 80);	/* B + 15: all gone */
	cr_expect_eq(c.copies, 0);
	cr_expect_eq(c.senders, 0);
	/* counting again after a gap starts from the new copy only */
	o = bc_obs(BC_T0 + 400, 80, 1, 1);
	c = bc_observe(bs, &k, &o);
	cr_expect_eq(c.copies, 1);
	cr_expect_eq(c.recipients, 1);
	cr_expect_eq(c.senders, 1);
}

static void
bc_case_keys_independent(wn_bulk_store *bs)
{
	wn_bulk_key keys[3] = { bc_key('d', 5), bc_key('b', 5),
	    bc_key('a', 5) };
	wn_bulk_obs o = bc_obs(BC_T0, 86400, 2, 1);
	wn_bulk_counts c[3];

	cr_assert_eq(bs->ops->observe(bs, keys, 3, &o, c), 0);
	cr_assert_eq(bs->ops->observe(bs, keys, 2, &o, c), 0);
	cr_expect_eq(c[0].copies, 2);
	cr_expect_eq(c[1].copies, 2);
	cr_assert_eq(bs->ops->observe(bs, keys + 2, 1, &o, c), 0);
	cr_expect_eq(c[0].copies, 2);
	cr_expect_eq(c[0].recipients, 4);
	/* same bytes but another kind is another key */
	c[0] = bc_peek(bs, &(wn_bulk_key){ .b = { 'x', 5 } }, BC_T0, 86400);
	cr_expect_eq(c[0].copies, 0);
}

static void
bc_case_senders_saturate(wn_bulk_store *bs)
{
	wn_bulk_key k = bc_key('d', 6);
	wn_bulk_counts c = { 0, 0, 0 };
	uint32_t s;

	for (s = 1; s <= 10; s++) {
		wn_bulk_obs o = bc_obs(BC_T0 + s, 86400, 1, s * 1000);

		c = bc_observe(bs, &k, &o);
	}
	cr_expect_eq(c.copies, 10);
	cr_expect_eq(c.senders, WN_BULK_SENDER_SLOTS);
	/* the same sender again adds a copy, not a sender */
	{
		wn_bulk_obs o = bc_obs(BC_T0 + 20, 86400, 1, 10000);

		c = bc_observe(bs, &k, &o);
	}
	cr_expect_eq(c.copies, 11);
	cr_expect_eq(c.senders, WN_BULK_SENDER_SLOTS);
}

static void
bc_case_window_change_restarts(wn_bulk_store *bs)
{
	wn_bulk_key k = bc_key('d', 7);
	wn_bulk_obs o = bc_obs(BC_T0, 86400, 5, 1);
	wn_bulk_counts c;

	bc_observe(bs, &k, &o);
	bc_observe(bs, &k, &o);
	o = bc_obs(BC_T0 + 10, 3600, 1, 1);
	c = bc_observe(bs, &k, &o);
	cr_expect_eq(c.copies, 1);
	cr_expect_eq(c.recipients, 1);
}

/* Hosts of a fleet disagree on the time by a little: a copy stamped a
 * bucket before the newest one still counts. */
static void
bc_case_clock_skew(wn_bulk_store *bs)
{
	wn_bulk_key k = bc_key('d', 8);
	wn_bulk_obs o = bc_obs(BC_T0 + 50, 80, 1, 1);
	wn_bulk_counts c;

	bc_observe(bs, &k, &o);
	o = bc_obs(BC_T0 + 30, 80, 1, 2);
	c = bc_observe(bs, &k, &o);
	cr_expect_eq(c.copies, 2);
	cr_expect_eq(c.senders, 2);
}

static void
bc_case_expire(wn_bulk_store *bs)
{
	wn_bulk_key a = bc_key('d', 9), b = bc_key('d', 10);
	wn_bulk_obs o = bc_obs(BC_T0, 80, 1, 1);
	uint64_t removed = 99, n = 0;
	wn_bulk_counts c;

	bc_observe(bs, &a, &o);
	o = bc_obs(BC_T0 + 200, 80, 1, 1);
	bc_observe(bs, &b, &o);
	cr_assert_eq(bs->ops->size(bs, &n), 0);
	cr_expect_geq(n, 1);
	cr_assert_eq(bs->ops->expire(bs, BC_T0 + 200, 80, &removed), 0,
	    "%s", wn_bulk_store_error(bs));
	cr_expect_leq(removed, 1);
	c = bc_peek(bs, &a, BC_T0 + 200, 80);
	cr_expect_eq(c.copies, 0);
	c = bc_peek(bs, &b, BC_T0 + 200, 80);
	cr_expect_eq(c.copies, 1);
}

#define WN_BULK_STORE_TEST(suite, opener, name) \
	Test(suite, name) \
	{ \
		wn_bulk_store *bs = opener(); \
		cr_assert_not_null(bs); \
		bc_case_##name(bs); \
		wn_bulk_store_close(&bs); \
	}

#define WN_BULK_STORE_TESTS(suite, opener) \
	WN_BULK_STORE_TEST(suite, opener, first_copy) \
	WN_BULK_STORE_TEST(suite, opener, accumulates) \
	WN_BULK_STORE_TEST(suite, opener, peek_changes_nothing) \
	WN_BULK_STORE_TEST(suite, opener, window_slides) \
	WN_BULK_STORE_TEST(suite, opener, keys_independent) \
	WN_BULK_STORE_TEST(suite, opener, senders_saturate) \
	WN_BULK_STORE_TEST(suite, opener, window_change_restarts) \
	WN_BULK_STORE_TEST(suite, opener, clock_skew) \
	WN_BULK_STORE_TEST(suite, opener, expire)

#endif
