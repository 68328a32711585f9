/* test_store.c - the LMDB token store: learning, moving, forgetting,
 * growth, dump/load, bad files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <lmdb.h>

#include <winnow/err.h>
#include <winnow/store.h>

static char dir[64], path[128];

static void
setup(void)
{
	strcpy(dir, "/tmp/wn-store-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bayes.lmdb", dir);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(store, .init = setup, .fini = teardown);

static wn_store *
open_store(unsigned flags)
{
	wn_store_params p = { 42, 3, 0 };
	wn_store *st = NULL;
	char err[256];
	int rc = wn_store_open_lmdb(path, flags, &p, &st, err, sizeof(err));

	cr_assert_eq(rc, 0, "open: %s (%s)", wn_strerror(rc), err);
	return st;
}

static void
digest_of(uint8_t d[WN_DIGEST_LEN], int n)
{
	memset(d, 0, WN_DIGEST_LEN);
	d[0] = (uint8_t)n;
}

static void
counts(wn_store *st, uint64_t key, uint32_t *spam, uint32_t *ham)
{
	wn_token_counts c;

	cr_assert_eq(st->ops->lookup_many(st, &key, 1, &c, NULL), 0);
	*spam = c.spam;
	*ham = c.ham;
}

Test(store, learn_duplicate_move_forget)
{
	static const uint64_t keys[] = { 1, 5, 9 };
	wn_store *st = open_store(WN_STORE_CREATE);
	enum wn_learn_result res;
	wn_store_totals t;
	uint8_t d[WN_DIGEST_LEN];
	uint32_t s, h;

	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 3, NULL, 0,
	    100, &res), 0);
	cr_assert_eq(res, WN_LEARNED);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 3, NULL, 0,
	    100, &res), 0);
	cr_assert_eq(res, WN_LEARN_DUPLICATE);
	counts(st, 5, &s, &h);
	cr_assert(s == 1 && h == 0, "got %u/%u, want 1/0", s, h);

	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_HAM, keys, 3, NULL, 0,
	    100, &res), 0);
	cr_assert_eq(res, WN_LEARN_MOVED);
	counts(st, 5, &s, &h);
	cr_assert(s == 0 && h == 1, "got %u/%u, want 0/1", s, h);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert(t.spam_msgs == 0 && t.ham_msgs == 1);
	cr_assert_eq(t.seed, 42);
	cr_assert_eq(t.osb_window, 3);

	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_FORGET, keys, 3, NULL, 0,
	    100,
	    &res), 0);
	cr_assert_eq(res, WN_LEARN_FORGOTTEN);
	counts(st, 5, &s, &h);
	cr_assert(s == 0 && h == 0);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert(t.ham_msgs == 0 && t.tokens == 0, "tokens %llu",
	    (unsigned long long)t.tokens);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_FORGET, keys, 3, NULL, 0,
	    100,
	    &res), 0);
	cr_assert_eq(res, WN_LEARN_UNKNOWN);
	wn_store_close(&st);
	cr_assert_null(st);
}

Test(store, map_grows_when_full_and_bulk_batches_commit)
{
	wn_store_params p = { 7, 3, 1 << 20 };	/* 1 MiB map to start */
	wn_store *st = NULL;
	enum wn_learn_result res;
	wn_store_totals t;
	uint64_t *keys = malloc(2000 * sizeof(*keys));
	uint8_t d[WN_DIGEST_LEN];
	char err[256];
	int m;

	cr_assert_eq(wn_store_open_lmdb(path, WN_STORE_CREATE | WN_STORE_BULK,
	    &p, &st, err, sizeof(err)), 0, "%s", err);
	for (m = 0; m < 600; m++) {
		for (int i = 0; i < 2000; i++)
			keys[i] = (uint64_t)m * 2000 + (uint64_t)i + 1;
		memset(d, 0, sizeof(d));
		memcpy(d, &m, sizeof(m));
		cr_assert_eq(st->ops->learn(st, d, m % 2 ? WN_LEARN_SPAM :
		    WN_LEARN_HAM, keys, 2000, NULL, 0,
		    1, &res), 0, "message %d: %s", m,
		    wn_store_error(st));
	}
	cr_assert_eq(st->ops->flush(st), 0, "%s", wn_store_error(st));
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert_eq(t.tokens, 1200000);
	cr_assert(t.spam_msgs == 300 && t.ham_msgs == 300);
	wn_store_close(&st);
	free(keys);

	/* Reopened from another handle: everything was committed. */
	st = open_store(WN_STORE_READONLY);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert_eq(t.tokens, 1200000);
	wn_store_close(&st);
}

static int
collect(const wn_store_entry *e, void *arg)
{
	wn_store_entry *v = arg;

	v[e->hash] = *e;
	return 0;
}

Test(store, each_load_and_expire)
{
	static const uint64_t keys[] = { 1, 2, 3 };
	wn_store *st = open_store(WN_STORE_CREATE);
	wn_store_entry seen[8], add[2] = { { 2, 5, 0, 10 }, { 7, 1, 1, 3 } };
	enum wn_learn_result res;
	wn_store_totals t;
	uint64_t removed;
	uint8_t d[WN_DIGEST_LEN];

	digest_of(d, 9);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 3, NULL, 0,
	    50, &res), 0);
	cr_assert_eq(st->ops->load(st, add, 2, 4, 6), 0);
	memset(seen, 0, sizeof(seen));
	cr_assert_eq(st->ops->each(st, collect, seen), 0);
	cr_assert_eq(seen[2].spam, 6);
	cr_assert_eq(seen[2].last_day, 50);
	cr_assert(seen[7].spam == 1 && seen[7].ham == 1);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert(t.spam_msgs == 5 && t.ham_msgs == 6);
	/* Old and rare: 7 (day 3, count 2) goes with max_count 2; 1 and 3
	 * are recent; 2 is recent. */
	cr_assert_eq(st->ops->expire(st, 10, 2, &removed), 0);
	cr_assert_eq(removed, 1);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert_eq(t.tokens, 3);
	wn_store_close(&st);
}

/* The same learning, one by one and in one bulk batch, into path. */
static void
learn_sequence(unsigned flags)
{
	static const uint64_t a[] = { 3, 4, 5, 6 }, b[] = { 4, 6, 8 };
	static const struct {
		int msg;
		enum wn_learn_class cls;
		uint32_t day;
	} step[] = {
		{ 1, WN_LEARN_SPAM, 10 },	/* learned */
		{ 2, WN_LEARN_HAM, 11 },	/* learned */
		{ 1, WN_LEARN_SPAM, 12 },	/* duplicate */
		{ 1, WN_LEARN_HAM, 13 },	/* moved */
		{ 2, WN_LEARN_FORGET, 14 },	/* forgotten */
		{ 3, WN_LEARN_SPAM, 12 },	/* learned, an earlier day */
		{ 3, WN_LEARN_FORGET, 15 },	/* and forgotten */
	};
	wn_store *st = open_store(WN_STORE_CREATE | flags);
	enum wn_learn_result res;
	uint8_t d[WN_DIGEST_LEN];
	size_t i;

	for (i = 0; i < sizeof(step) / sizeof(step[0]); i++) {
		digest_of(d, step[i].msg);
		cr_assert_eq(st->ops->learn(st, d, step[i].cls,
		    step[i].msg == 2 ? b : a, step[i].msg == 2 ? 3 : 4, NULL,
		    0, step[i].day, &res), 0, "step %zu", i);
	}
	cr_assert_eq(st->ops->flush(st), 0, "%s", wn_store_error(st));
	wn_store_close(&st);
}

Test(store, bulk_batch_sums_changes_like_one_by_one)
{
	wn_store_entry one[10], bulk[10];
	wn_store_totals t1, t2;
	wn_store *st;
	int k;

	learn_sequence(0);
	st = open_store(0);
	memset(one, 0, sizeof(one));
	cr_assert_eq(st->ops->each(st, collect, one), 0);
	cr_assert_eq(st->ops->totals(st, &t1), 0);
	wn_store_close(&st);
	cr_assert_eq(unlink(path), 0);

	learn_sequence(WN_STORE_BULK);
	st = open_store(0);
	memset(bulk, 0, sizeof(bulk));
	cr_assert_eq(st->ops->each(st, collect, bulk), 0);
	cr_assert_eq(st->ops->totals(st, &t2), 0);
	wn_store_close(&st);

	/* Message 1 ends as ham (3, 4, 5, 6 at 0/1); the last learning of
	 * 5 was message 3's, day 12 (forgetting leaves the day); message
	 * 2's only own token, 8, is gone. */
	cr_assert(one[5].ham == 1 && one[5].spam == 0 &&
	    one[5].last_day == 12, "5: %u/%u day %u", one[5].spam,
	    one[5].ham, one[5].last_day);
	cr_assert_eq(one[8].hash, 0);
	for (k = 0; k < 10; k++)
		cr_assert(one[k].hash == bulk[k].hash &&
		    one[k].spam == bulk[k].spam && one[k].ham == bulk[k].ham &&
		    one[k].last_day == bulk[k].last_day,
		    "token %d: %u/%u day %u one by one, %u/%u day %u in bulk",
		    k, one[k].spam, one[k].ham, one[k].last_day, bulk[k].spam,
		    bulk[k].ham, bulk[k].last_day);
	cr_assert(t1.spam_msgs == t2.spam_msgs && t1.ham_msgs == t2.ham_msgs &&
	    t1.tokens == t2.tokens && t2.ham_msgs == 1 && t2.spam_msgs == 0);
}

Test(store, missing_store_is_enoent_with_message)
{
	wn_store *st = NULL;
	char err[256];

	cr_assert_eq(wn_store_open_lmdb(path, WN_STORE_READONLY, NULL, &st,
	    err, sizeof(err)), WN_ENOENT);
	cr_assert_null(st);
	cr_assert_neq(err[0], '\0');
}

Test(store, garbage_file_is_eformat)
{
	FILE *f = fopen(path, "w");
	wn_store *st = NULL;
	char err[256];
	int i;

	for (i = 0; i < 10000; i++)
		fputs("this is not an LMDB file\n", f);
	fclose(f);
	cr_assert_eq(wn_store_open_lmdb(path, 0, NULL, &st, err, sizeof(err)),
	    WN_EFORMAT, "%s", err);
	cr_assert_null(st);
}

Test(store, truncated_store_is_refused_not_crashed)
{
	static const uint64_t keys[] = { 11, 12 };
	wn_store *st = open_store(WN_STORE_CREATE);
	enum wn_learn_result res;
	uint8_t d[WN_DIGEST_LEN];
	char err[256];
	int rc;

	digest_of(d, 3);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_HAM, keys, 2, NULL, 0,
	    1, &res), 0);
	wn_store_close(&st);
	cr_assert_eq(truncate(path, 100), 0);
	rc = wn_store_open_lmdb(path, 0, NULL, &st, err, sizeof(err));
	cr_assert_neq(rc, 0);
	cr_assert_null(st);
	cr_assert_neq(err[0], '\0');
}

Test(store, newer_format_version_is_refused)
{
	wn_store *st = open_store(WN_STORE_CREATE);
	uint64_t v = WN_STORE_FORMAT_VERSION + 1;
	MDB_val k = { 7, "version" }, d = { sizeof(v), &v };
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta;
	char err[256];

	wn_store_close(&st);
	/* Write a newer version into the meta record behind winnow's back. */
	cr_assert_eq(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 4);
	cr_assert_eq(mdb_env_open(env, path, MDB_NOSUBDIR, 0644), 0);
	cr_assert_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	cr_assert_eq(mdb_dbi_open(txn, "meta", 0, &meta), 0);
	cr_assert_eq(mdb_put(txn, meta, &k, &d, 0), 0);
	cr_assert_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	cr_assert_eq(wn_store_open_lmdb(path, 0, NULL, &st, err, sizeof(err)),
	    WN_EFORMAT);
	cr_assert_null(st);
	cr_assert_not_null(strstr(err, "newer"), "got \"%s\"", err);
}

Test(store, readonly_store_refuses_learning)
{
	static const uint64_t keys[] = { 1 };
	wn_store *st = open_store(WN_STORE_CREATE);
	enum wn_learn_result res;
	uint8_t d[WN_DIGEST_LEN];

	wn_store_close(&st);
	st = open_store(WN_STORE_READONLY);
	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 1, NULL, 0,
	    1, &res),
	    WN_EINVAL);
	wn_store_close(&st);
}

/* What messages_each saw: digests' first bytes, classes, samples. */
typedef struct seen_messages {
	int n;
	uint8_t first[8];
	enum wn_learn_class cls[8];
	uint32_t day[8];
	size_t sample_len[8];
	uint8_t sample0[8];
} seen_messages;

static int
see_message(const wn_store_message *m, void *arg)
{
	seen_messages *s = arg;

	cr_assert_lt(s->n, 8);
	s->first[s->n] = m->digest[0];
	s->cls[s->n] = m->cls;
	s->day[s->n] = m->day;
	s->sample_len[s->n] = m->sample ? m->sample_len : 0;
	s->sample0[s->n] = m->sample ? m->sample[0] : 0;
	s->n++;
	return 0;
}

Test(store, messages_dump_and_load_without_touching_counts)
{
	static const uint64_t keys[] = { 3, 4 };
	static const uint8_t sample_a[] = { 7, 1, 2 }, sample_b[] = { 9 };
	wn_store *st = open_store(WN_STORE_CREATE);
	enum wn_learn_result res;
	wn_store_message m[2];
	wn_store_totals t;
	seen_messages seen = { 0 };
	uint8_t d[WN_DIGEST_LEN];
	size_t added;

	digest_of(d, 2);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 2, sample_a,
	    sizeof(sample_a), 300, &res), 0);
	/* One message the store has (kept as it is) and one new one. */
	memset(m, 0, sizeof(m));
	digest_of(m[0].digest, 2);
	m[0].cls = WN_LEARN_HAM;
	m[0].sample = sample_b;
	m[0].sample_len = sizeof(sample_b);
	digest_of(m[1].digest, 5);
	m[1].cls = WN_LEARN_HAM;
	m[1].day = 301;
	m[1].sample = sample_b;
	m[1].sample_len = sizeof(sample_b);
	cr_assert_eq(st->ops->messages_load(st, m, 2, &added), 0);
	cr_assert_eq(added, 1);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert_eq(t.spam_msgs, 1);
	cr_assert_eq(t.ham_msgs, 0, "loading messages counts nothing");
	cr_assert_eq(st->ops->messages_each(st, see_message, &seen), 0);
	cr_assert_eq(seen.n, 2);
	cr_assert_eq(seen.first[0], 2);
	cr_assert_eq(seen.cls[0], WN_LEARN_SPAM);
	cr_assert_eq(seen.day[0], 300);
	cr_assert_eq(seen.sample_len[0], sizeof(sample_a));
	cr_assert_eq(seen.sample0[0], 7);
	cr_assert_eq(seen.first[1], 5);
	cr_assert_eq(seen.cls[1], WN_LEARN_HAM);
	cr_assert_eq(seen.day[1], 301);
	cr_assert_eq(seen.sample_len[1], 1);
	/* The loaded digest makes learning that message a duplicate. */
	cr_assert_eq(st->ops->learn(st, m[1].digest, WN_LEARN_HAM, keys, 2,
	    NULL, 0, 302, &res), 0);
	cr_assert_eq(res, WN_LEARN_DUPLICATE);
	wn_store_close(&st);
	st = open_store(WN_STORE_READONLY);
	cr_assert_neq(st->ops->messages_load(st, m, 1, &added), 0,
	    "a read-only store refuses");
	wn_store_close(&st);
}
