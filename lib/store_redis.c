/*
 * store_redis.c - the token store in a Redis database, shared by a fleet.
 *
 * Keys, under the URL's prefix P (default "winnow:"):
 *
 *   P meta          hash: magic "winnow-token-store", version, seed,
 *                   osb_window, spam_msgs, ham_msgs, tokens
 *   P t:HHHH...     one string per token, HHHH the 16 lowercase hex
 *                   digits of the feature hash; value 12 bytes, three
 *                   little-endian uint32: spam, ham, last learned day
 *   P d:DDDD...     one string per learned message, the 32 hex digits of
 *                   its digest; value "0" (spam) or "1" (ham)
 *
 * Reads are plain commands: a lookup is one MULTI/MGET/HMGET/EXEC
 * exchange, so it is one round trip and one consistent view, and works
 * against a read-only replica. Writes are Lua scripts, which Redis runs
 * one at a time: learning a message is atomic across every host, and
 * two hosts learning the same message count it once. `tokens` (the
 * distinct count) is kept in meta by the scripts, since counting keys
 * would mean scanning the database.
 *
 * docs/arch/redis.md has sizing and the failure behaviour.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/store.h>

#include "redis_int.h"

#define WN_RS_MAGIC		"winnow-token-store"
#define WN_RS_LOAD_CHUNK	4096	/* entries per load script */
#define WN_RS_SCAN_COUNT	"1000"
#define WN_RS_VALUE_LEN		12
#define WN_RS_META_ARGS		4	/* create, version, seed, window */

/*
 * Shared by the writing scripts: the store's version, creating meta from
 * ARGV[1..4] (create flag, version, seed, osb_window) when it is missing
 * and creating is allowed. A missing store or a newer one is an error
 * reply starting "WNSTORE".
 */
#define WN_RS_LUA_META \
	"local M = KEYS[1]\n" \
	"local ver = redis.call('HGET', M, 'version')\n" \
	"if not ver then\n" \
	"  if redis.call('EXISTS', M) == 1 then\n" \
	"    return redis.error_reply('WNSTORE foreign')\n" \
	"  end\n" \
	"  if ARGV[1] ~= '1' then\n" \
	"    return redis.error_reply('WNSTORE gone')\n" \
	"  end\n" \
	"  redis.call('HSET', M, 'magic', '" WN_RS_MAGIC "', 'version'," \
	"    ARGV[2], 'seed', ARGV[3], 'osb_window', ARGV[4]," \
	"    'spam_msgs', '0', 'ham_msgs', '0', 'tokens', '0')\n" \
	"  ver = ARGV[2]\n" \
	"end\n" \
	"if tonumber(ver) > tonumber(ARGV[2]) then\n" \
	"  return redis.error_reply('WNSTORE newer ' .. ver)\n" \
	"end\n" \
	"local MAX = 4294967295\n" \
	/* the values of KEYS[from..#KEYS], checked before anything is \
	 * written: a script that fails half way keeps its writes */ \
	"local function wn_read(from)\n" \
	"  local vals = {}\n" \
	"  for i = from, #KEYS, 1000 do\n" \
	"    local j = math.min(i + 999, #KEYS)\n" \
	"    local got = redis.call('MGET', unpack(KEYS, i, j))\n" \
	"    for k = 1, #got do\n" \
	"      local v = got[k]\n" \
	"      if v and #v ~= 12 then\n" \
	"        return nil, KEYS[i + k - 1]\n" \
	"      end\n" \
	"      vals[i + k - 1] = v\n" \
	"    end\n" \
	"  end\n" \
	"  return vals\n" \
	"end\n" \
	"local function wn_mset(set)\n" \
	"  for i = 1, #set, 2000 do\n" \
	"    redis.call('MSET', unpack(set, i, math.min(i + 1999, #set)))\n" \
	"  end\n" \
	"end\n"

/*
 * Learn one message. KEYS: meta, the digest key, the token keys. ARGV:
 * the four meta arguments, the class (0 spam, 1 ham, 2 forget), today.
 * Returns the enum wn_learn_result; the same steps as store_lmdb.c.
 */
static const char wn_rs_lua_learn[] = WN_RS_LUA_META
	"local cls = tonumber(ARGV[5])\n"
	"local today = tonumber(ARGV[6])\n"
	"local had = redis.call('GET', KEYS[2])\n"
	"if had then had = tonumber(had) else had = -1 end\n"
	"local res\n"
	"if cls == 2 then\n"
	"  if had < 0 then return 4 end\n"
	"  res = 3\n"
	"elseif had == cls then return 2\n"
	"elseif had < 0 then res = 0\n"
	"else res = 1 end\n"
	"local ds, dh = 0, 0\n"
	"if had == 0 then ds = -1 elseif had == 1 then dh = -1 end\n"
	"if cls == 0 then ds = ds + 1 elseif cls == 1 then dh = dh + 1 end\n"
	"local vals, bad = wn_read(3)\n"
	"if not vals then\n"
	"  return redis.error_reply('WNSTORE corrupt ' .. bad)\n"
	"end\n"
	"local function step(a, d)\n"
	"  if d < 0 then if a > 0 then return a - 1 end return 0 end\n"
	"  if d > 0 and a < MAX then return a + 1 end\n"
	"  return a\n"
	"end\n"
	"local set, del, delta = {}, {}, 0\n"
	"for i = 3, #KEYS do\n"
	"  local v = vals[i]\n"
	"  local s, h, day = 0, 0, 0\n"
	"  if v then s, h, day = struct.unpack('<I4I4I4', v) end\n"
	"  s = step(s, ds)\n"
	"  h = step(h, dh)\n"
	"  if ds > 0 or dh > 0 then day = today end\n"
	"  if s == 0 and h == 0 then\n"
	"    if v then del[#del + 1] = KEYS[i]; delta = delta - 1 end\n"
	"  else\n"
	"    if not v then delta = delta + 1 end\n"
	"    set[#set + 1] = KEYS[i]\n"
	"    set[#set + 1] = struct.pack('<I4I4I4', s, h, day)\n"
	"  end\n"
	"end\n"
	"wn_mset(set)\n"
	"for i = 1, #del, 1000 do\n"
	"  redis.call('DEL', unpack(del, i, math.min(i + 999, #del)))\n"
	"end\n"
	"local function bump(f, d)\n"
	"  if d > 0 then redis.call('HINCRBY', M, f, 1)\n"
	"  elseif d < 0 and\n"
	"      tonumber(redis.call('HGET', M, f) or '0') > 0 then\n"
	"    redis.call('HINCRBY', M, f, -1)\n"
	"  end\n"
	"end\n"
	"bump('spam_msgs', ds)\n"
	"bump('ham_msgs', dh)\n"
	"if delta ~= 0 then redis.call('HINCRBY', M, 'tokens', delta) end\n"
	"if cls == 2 then redis.call('DEL', KEYS[2])\n"
	"else redis.call('SET', KEYS[2], tostring(cls)) end\n"
	"return res\n";

/*
 * Load entries. KEYS: meta, the token keys. ARGV: the four meta
 * arguments, the entries packed as three little-endian uint32 (spam, ham,
 * last day) each, the spam and ham messages to add. Counts are added
 * (saturating), the last day is the later one.
 */
static const char wn_rs_lua_load[] = WN_RS_LUA_META
	"local vals, bad = wn_read(2)\n"
	"if not vals then\n"
	"  return redis.error_reply('WNSTORE corrupt ' .. bad)\n"
	"end\n"
	"local cur, delta = {}, 0\n"
	"for i = 2, #KEYS do\n"
	"  local k = KEYS[i]\n"
	"  local v = cur[k]\n"
	"  if v == nil then v = vals[i] end\n"
	"  local es, eh, ed =\n"
	"    struct.unpack('<I4I4I4', ARGV[5], (i - 2) * 12 + 1)\n"
	"  local s, h, day = 0, 0, 0\n"
	"  if v then s, h, day = struct.unpack('<I4I4I4', v)\n"
	"  else delta = delta + 1 end\n"
	"  s = math.min(s + es, MAX)\n"
	"  h = math.min(h + eh, MAX)\n"
	"  if ed > day then day = ed end\n"
	"  cur[k] = struct.pack('<I4I4I4', s, h, day)\n"
	"end\n"
	"local set = {}\n"
	"for k, v in pairs(cur) do\n"
	"  set[#set + 1] = k\n"
	"  set[#set + 1] = v\n"
	"end\n"
	"wn_mset(set)\n"
	"if delta ~= 0 then redis.call('HINCRBY', M, 'tokens', delta) end\n"
	"if ARGV[6] ~= '0' then\n"
	"  redis.call('HINCRBY', M, 'spam_msgs', ARGV[6])\n"
	"end\n"
	"if ARGV[7] ~= '0' then\n"
	"  redis.call('HINCRBY', M, 'ham_msgs', ARGV[7])\n"
	"end\n"
	"return #KEYS - 1\n";

/*
 * Expire candidates found by a scan. KEYS: meta, the candidates. ARGV:
 * before_day, max_count. The condition is checked again here, since
 * another host may have learned a candidate since the scan.
 */
static const char wn_rs_lua_expire[] =
	"local M = KEYS[1]\n"
	"local before, maxc = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
	"local del = {}\n"
	"for i = 2, #KEYS, 1000 do\n"
	"  local j = math.min(i + 999, #KEYS)\n"
	"  local got = redis.call('MGET', unpack(KEYS, i, j))\n"
	"  for k = 1, #got do\n"
	"    local v = got[k]\n"
	"    if v and #v == 12 then\n"
	"      local s, h, day = struct.unpack('<I4I4I4', v)\n"
	"      if day < before and s + h <= maxc then\n"
	"        del[#del + 1] = KEYS[i + k - 1]\n"
	"      end\n"
	"    end\n"
	"  end\n"
	"end\n"
	"for i = 1, #del, 1000 do\n"
	"  redis.call('DEL', unpack(del, i, math.min(i + 999, #del)))\n"
	"end\n"
	"if #del > 0 and redis.call('EXISTS', M) == 1 then\n"
	"  redis.call('HINCRBY', M, 'tokens', -#del)\n"
	"end\n"
	"return #del\n";

/* Create meta if it is missing; KEYS: meta; ARGV: the meta arguments. */
static const char wn_rs_lua_create[] = WN_RS_LUA_META
	"return 0\n";

typedef struct wn_store_redis {
	wn_store base;
	wn__redis *r;
	bool readonly;
	bool create;		/* recreate meta if it vanished (a flush) */
	uint64_t seed;
	uint32_t osb_window;
	const char *prefix;
	size_t plen;
	char meta_key[160];
	size_t meta_len;
	char seed_s[24];	/* the meta arguments as text */
	char window_s[12];
	char version_s[12];
	wn__redis_script learn, load, expire, create_meta;
} wn_store_redis;

static const wn_store_ops wn_store_redis_ops;

static uint32_t
wn_rs_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
wn_rs_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Write the key of token hash h at out: P "t:" + 16 hex digits. */
static size_t
wn_rs_token_key(const wn_store_redis *s, char *out, uint64_t h)
{
	uint8_t be[8];
	int i;

	for (i = 0; i < 8; i++)
		be[i] = (uint8_t)(h >> (56 - 8 * i));
	memcpy(out, s->prefix, s->plen);
	memcpy(out + s->plen, "t:", 2);
	wn__redis_hex(out + s->plen + 2, be, 8);
	return s->plen + 18;
}

/* The hash of a key name, if it is a token key of this store. */
static bool
wn_rs_token_hash(const wn_store_redis *s, const char *k, size_t len,
    uint64_t *h)
{
	uint64_t v = 0;
	size_t i;

	if (len != s->plen + 18 || memcmp(k, s->prefix, s->plen) != 0 ||
	    memcmp(k + s->plen, "t:", 2) != 0)
		return false;
	for (i = s->plen + 2; i < len; i++) {
		int c = (unsigned char)k[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*h = v;
	return true;
}

static void
wn_rs_value_decode(const char *p, wn_store_entry *e)
{
	const uint8_t *b = (const uint8_t *)p;

	e->spam = wn_rs_get32(b);
	e->ham = wn_rs_get32(b + 4);
	e->last_day = wn_rs_get32(b + 8);
}

/* Put the four meta arguments at argv[at..at+4). */
static void
wn_rs_meta_args(const wn_store_redis *s, const char **argv, size_t *argvlen,
    int at)
{
	argv[at] = s->create ? "1" : "0";
	argv[at + 1] = s->version_s;
	argv[at + 2] = s->seed_s;
	argv[at + 3] = s->window_s;
	for (int i = 0; i < WN_RS_META_ARGS; i++)
		argvlen[at + i] = strlen(argv[at + i]);
}

/* Map an error reply of a script to a code and a message. */
static int
wn_rs_script_err(wn_store_redis *s, const redisReply *rep, const char *what)
{
	if (rep->type == REDIS_REPLY_ERROR && strstr(rep->str,
	    "WNSTORE gone") != NULL)
		return wn__redis_fail(s->r, WN_ENOENT, "no winnow token store "
		    "under prefix \"%s\" any more (was the database flushed?)",
		    s->prefix);
	if (rep->type == REDIS_REPLY_ERROR && strstr(rep->str,
	    "WNSTORE newer") != NULL)
		return wn__redis_fail(s->r, WN_EFORMAT, "store format version "
		    "%s is newer than this winnow (%d)", strstr(rep->str,
		    "newer") + 6, WN_STORE_FORMAT_VERSION);
	if (rep->type == REDIS_REPLY_ERROR && strstr(rep->str,
	    "WNSTORE foreign") != NULL)
		return wn__redis_fail(s->r, WN_EFORMAT, "not a winnow token "
		    "store (%s holds something else)", s->meta_key);
	if (rep->type == REDIS_REPLY_ERROR && strstr(rep->str,
	    "WNSTORE corrupt") != NULL)
		return wn__redis_fail(s->r, WN_EFORMAT, "%s: a token value is "
		    "not %d bytes", what, WN_RS_VALUE_LEN);
	if (rep->type == REDIS_REPLY_ERROR)
		return wn__redis_reply_check(s->r, rep, what);
	return wn__redis_fail(s->r, WN_EIO, "%s: unexpected reply", what);
}

/* Read the totals out of an HMGET spam_msgs ham_msgs tokens version. */
static int
wn_rs_totals_reply(wn_store_redis *s, const redisReply *rep,
    wn_store_totals *t)
{
	uint64_t v[4] = { 0, 0, 0, 0 };
	size_t i;
	int rc;

	if ((rc = wn__redis_reply_check(s->r, rep, "totals")) != 0)
		return rc;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 4)
		return wn__redis_fail(s->r, WN_EIO, "totals: unexpected reply");
	for (i = 0; i < 4; i++) {
		const redisReply *e = rep->element[i];

		/* a count driven below zero by a race is read as 0 */
		if (e->type == REDIS_REPLY_STRING && e->str[0] != '-')
			v[i] = strtoull(e->str, NULL, 10);
	}
	memset(t, 0, sizeof(*t));
	t->spam_msgs = v[0];
	t->ham_msgs = v[1];
	t->tokens = v[2];
	t->version = (uint32_t)v[3];
	t->seed = s->seed;
	t->osb_window = s->osb_window;
	return 0;
}

static const char *const wn_rs_totals_fields[] = { "spam_msgs", "ham_msgs",
    "tokens", "version" };

static void
wn_rs_totals_cmd(const wn_store_redis *s, const char **argv, size_t *argvlen)
{
	size_t i;

	argv[0] = "HMGET";
	argvlen[0] = 5;
	argv[1] = s->meta_key;
	argvlen[1] = s->meta_len;
	for (i = 0; i < 4; i++) {
		argv[2 + i] = wn_rs_totals_fields[i];
		argvlen[2 + i] = strlen(wn_rs_totals_fields[i]);
	}
}

static int
wn_rs_lookup_many(wn_store *st, const uint64_t *keys, size_t n,
    wn_token_counts *out, wn_store_totals *totals_out)
{
	wn_store_redis *s = (wn_store_redis *)st;
	static const char *multi[1] = { "MULTI" }, *exec[1] = { "EXEC" };
	static const size_t multilen[1] = { 5 }, execlen[1] = { 4 };
	const char *hargv[6];
	size_t hargvlen[6], i;
	wn__redis_cmd cmds[4];
	redisReply *rep[4], *res, *mget = NULL, *tot = NULL;
	wn__redis_conn *c;
	size_t ncmd = 0, klen = s->plen + 18;
	int rc;

	if (n == 0 && totals_out == NULL)
		return 0;
	if ((rc = wn__redis_acquire(s->r, &c)) != 0)
		return rc;
	if ((rc = wn__redis_scratch(c, n + 1, n * klen)) != 0)
		goto out;
	cmds[ncmd++] = (wn__redis_cmd){ 1, multi, multilen };
	if (n > 0) {
		c->argv[0] = "MGET";
		c->argvlen[0] = 4;
		for (i = 0; i < n; i++) {
			c->argv[i + 1] = c->buf + i * klen;
			c->argvlen[i + 1] = wn_rs_token_key(s,
			    c->buf + i * klen, keys[i]);
		}
		cmds[ncmd++] = (wn__redis_cmd){ (int)n + 1, c->argv,
		    c->argvlen };
	}
	if (totals_out != NULL) {
		wn_rs_totals_cmd(s, hargv, hargvlen);
		cmds[ncmd++] = (wn__redis_cmd){ 6, hargv, hargvlen };
	}
	cmds[ncmd++] = (wn__redis_cmd){ 1, exec, execlen };
	if ((rc = wn__redis_run(s->r, c, cmds, ncmd, rep)) != 0)
		goto out;
	/* MULTI's OK, QUEUED for each, then EXEC's array of replies */
	for (i = 0; i < ncmd && rc == 0; i++)
		rc = wn__redis_reply_check(s->r, rep[i], "lookup");
	res = rep[ncmd - 1];
	if (rc == 0 && (res->type != REDIS_REPLY_ARRAY ||
	    res->elements != ncmd - 2))
		rc = wn__redis_fail(s->r, WN_EIO, "lookup: unexpected reply");
	if (rc == 0 && n > 0) {
		mget = res->element[0];
		if ((rc = wn__redis_reply_check(s->r, mget, "lookup")) == 0 &&
		    (mget->type != REDIS_REPLY_ARRAY || mget->elements != n))
			rc = wn__redis_fail(s->r, WN_EIO, "lookup: unexpected "
			    "reply");
	}
	if (rc == 0 && totals_out != NULL)
		tot = res->element[ncmd - 3];
	for (i = 0; rc == 0 && i < n; i++) {
		const redisReply *e = mget->element[i];
		wn_store_entry v;

		if (e->type == REDIS_REPLY_NIL) {
			out[i].spam = out[i].ham = 0;
		} else if (e->type == REDIS_REPLY_STRING &&
		    e->len == WN_RS_VALUE_LEN) {
			wn_rs_value_decode(e->str, &v);
			out[i].spam = v.spam;
			out[i].ham = v.ham;
		} else
			rc = wn__redis_fail(s->r, WN_EFORMAT, "lookup: the "
			    "value of token %016" PRIx64 " is not a token "
			    "count", keys[i]);
	}
	if (rc == 0 && tot != NULL)
		rc = wn_rs_totals_reply(s, tot, totals_out);
	for (i = 0; i < ncmd; i++)
		freeReplyObject(rep[i]);
out:
	wn__redis_release(s->r, c);
	return rc;
}

static int
wn_rs_learn(wn_store *st, const uint8_t digest[WN_DIGEST_LEN],
    enum wn_learn_class cls, const uint64_t *keys, size_t n,
    const uint8_t *sample, size_t sample_len, uint32_t today,
    enum wn_learn_result *result_out)
{
	wn_store_redis *s = (wn_store_redis *)st;
	wn__redis_conn *c;
	redisReply *rep;
	size_t i, klen = s->plen + 18, argc, nkeys = n + 2;
	char clss[4], days[16], *p;
	int rc;

	/* A Redis store keeps no samples: its model is Fisher's alone. */
	(void)sample;
	(void)sample_len;
	if (s->readonly)
		return wn__redis_fail(s->r, WN_EINVAL, "store opened "
		    "read-only");
	if (cls != WN_LEARN_SPAM && cls != WN_LEARN_HAM &&
	    cls != WN_LEARN_FORGET)
		return WN_EINVAL;
	if ((rc = wn__redis_acquire(s->r, &c)) != 0)
		return rc;
	argc = 3 + nkeys + WN_RS_META_ARGS + 2;
	if ((rc = wn__redis_scratch(c, argc, n * klen + s->plen + 34)) != 0)
		goto out;
	/* argv: EVALSHA sha numkeys | meta digest tokens... | args */
	c->argv[3] = s->meta_key;
	c->argvlen[3] = s->meta_len;
	p = c->buf;
	memcpy(p, s->prefix, s->plen);
	memcpy(p + s->plen, "d:", 2);
	wn__redis_hex(p + s->plen + 2, digest, WN_DIGEST_LEN);
	c->argv[4] = p;
	c->argvlen[4] = s->plen + 34;
	p += s->plen + 34;
	for (i = 0; i < n; i++, p += klen) {
		c->argv[5 + i] = p;
		c->argvlen[5 + i] = wn_rs_token_key(s, p, keys[i]);
	}
	wn_rs_meta_args(s, c->argv, c->argvlen, (int)(3 + nkeys));
	snprintf(clss, sizeof(clss), "%d", cls == WN_LEARN_SPAM ? 0 :
	    cls == WN_LEARN_HAM ? 1 : 2);
	snprintf(days, sizeof(days), "%" PRIu32, today);
	c->argv[argc - 2] = clss;
	c->argvlen[argc - 2] = strlen(clss);
	c->argv[argc - 1] = days;
	c->argvlen[argc - 1] = strlen(days);
	if ((rc = wn__redis_eval(s->r, c, &s->learn, (int)nkeys, (int)argc,
	    c->argv, c->argvlen, &rep)) != 0)
		goto out;
	if (rep->type == REDIS_REPLY_INTEGER && rep->integer >= WN_LEARNED &&
	    rep->integer <= WN_LEARN_UNKNOWN)
		*result_out = (enum wn_learn_result)rep->integer;
	else
		rc = wn_rs_script_err(s, rep, "learn");
	freeReplyObject(rep);
out:
	wn__redis_release(s->r, c);
	return rc;
}

static int
wn_rs_totals(wn_store *st, wn_store_totals *out)
{
	wn_store_redis *s = (wn_store_redis *)st;
	const char *argv[6];
	size_t argvlen[6];
	wn__redis_conn *c;
	redisReply *rep;
	int rc;

	if ((rc = wn__redis_acquire(s->r, &c)) != 0)
		return rc;
	wn_rs_totals_cmd(s, argv, argvlen);
	if ((rc = wn__redis_run1(s->r, c, 6, argv, argvlen, &rep)) == 0) {
		rc = wn_rs_totals_reply(s, rep, out);
		freeReplyObject(rep);
	}
	wn__redis_release(s->r, c);
	return rc;
}

/* One SCAN step of wn_rs_scan: the values of the keys found. */
typedef struct wn_rs_scan_ctx {
	wn_store_redis *s;
	wn__redis_conn *c;
	const char *what;
	int (*fn)(wn_store_redis *s, wn__redis_conn *c,
	    const wn_store_entry *e, size_t n, void *arg);
	void *arg;
	wn_store_entry *batch;
} wn_rs_scan_ctx;

static int
wn_rs_scan_step(void *arg, redisReply *const *ks, size_t n)
{
	wn_rs_scan_ctx *x = arg;
	wn_store_redis *s = x->s;
	wn__redis_conn *c = x->c;
	redisReply *vals = NULL;
	wn_store_entry *nb;
	size_t i, m = 0;
	int rc;

	if ((rc = wn__redis_scratch(c, n + 1, 0)) != 0)
		return rc;
	if ((nb = wn_realloc(x->batch, n * sizeof(*nb))) == NULL)
		return WN_ENOMEM;
	x->batch = nb;
	c->argv[0] = "MGET";
	c->argvlen[0] = 4;
	for (i = 0; i < n; i++) {
		c->argv[i + 1] = ks[i]->str;
		c->argvlen[i + 1] = ks[i]->len;
	}
	if ((rc = wn__redis_run1(s->r, c, (int)n + 1, c->argv, c->argvlen,
	    &vals)) != 0)
		return rc;
	if ((rc = wn__redis_reply_check(s->r, vals, x->what)) == 0 &&
	    (vals->type != REDIS_REPLY_ARRAY || vals->elements != n))
		rc = wn__redis_fail(s->r, WN_EIO, "%s: unexpected MGET reply",
		    x->what);
	for (i = 0; rc == 0 && i < n; i++) {
		const redisReply *v = vals->element[i];
		wn_store_entry *e = &x->batch[m];

		/* keys deleted between the scan and the fetch are left out */
		if (ks[i]->type != REDIS_REPLY_STRING ||
		    !wn_rs_token_hash(s, ks[i]->str, ks[i]->len, &e->hash) ||
		    v->type == REDIS_REPLY_NIL)
			continue;
		if (v->type != REDIS_REPLY_STRING ||
		    v->len != WN_RS_VALUE_LEN) {
			rc = wn__redis_fail(s->r, WN_EFORMAT, "%s: the value of "
			    "%.*s is not a token count", x->what,
			    (int)ks[i]->len, ks[i]->str);
			break;
		}
		wn_rs_value_decode(v->str, e);
		m++;
	}
	freeReplyObject(vals);
	if (rc == 0 && m > 0)
		rc = x->fn(s, c, x->batch, m, x->arg);
	return rc;
}

/*
 * Scan the token keys: for each batch of keys found, their values are
 * fetched and fn(s, c, entries, n, arg) called. Keys deleted between the
 * scan and the fetch are left out. A key may come twice (SCAN's
 * guarantee is at least once), so callers that care deduplicate.
 */
static int
wn_rs_scan(wn_store_redis *s, const char *what,
    int (*fn)(wn_store_redis *s, wn__redis_conn *c, const wn_store_entry *e,
    size_t n, void *arg), void *arg)
{
	wn_rs_scan_ctx x = { s, NULL, what, fn, arg, NULL };
	int rc;

	if ((rc = wn__redis_acquire(s->r, &x.c)) != 0)
		return rc;
	rc = wn__redis_scan(s->r, x.c, s->prefix, "t:*", WN_RS_SCAN_COUNT,
	    what, wn_rs_scan_step, &x);
	wn_free(x.batch);
	wn__redis_release(s->r, x.c);
	return rc;
}

typedef struct wn_rs_all {
	wn_store_entry *e;
	size_t n, cap;
} wn_rs_all;

static int
wn_rs_collect(wn_store_redis *s, wn__redis_conn *c, const wn_store_entry *e,
    size_t n, void *arg)
{
	wn_rs_all *all = arg;

	if (all->n + n > all->cap) {
		size_t cap = all->cap ? all->cap * 2 : 4096;
		wn_store_entry *p;

		while (cap < all->n + n)
			cap *= 2;
		if ((p = wn_realloc(all->e, cap * sizeof(*p))) == NULL)
			return WN_ENOMEM;
		all->e = p;
		all->cap = cap;
	}
	memcpy(all->e + all->n, e, n * sizeof(*e));
	all->n += n;
	return 0;
}

static int
wn_rs_entry_cmp(const void *a, const void *b)
{
	uint64_t x = ((const wn_store_entry *)a)->hash;
	uint64_t y = ((const wn_store_entry *)b)->hash;

	return x < y ? -1 : x > y;
}

/*
 * Redis keeps keys in no order: collect every token, sort, and call fn
 * in key order. Memory: sizeof(wn_store_entry) per token.
 */
static int
wn_rs_each(wn_store *st, int (*fn)(const wn_store_entry *e, void *arg),
    void *arg)
{
	wn_store_redis *s = (wn_store_redis *)st;
	wn_rs_all all = { NULL, 0, 0 };
	size_t i;
	int rc, stop = 0;

	if ((rc = wn_rs_scan(s, "read", wn_rs_collect, &all)) != 0) {
		wn_free(all.e);
		return rc;
	}
	if (all.n > 0)
		qsort(all.e, all.n, sizeof(*all.e), wn_rs_entry_cmp);
	for (i = 0; i < all.n && !stop; i++)
		if (i == 0 || all.e[i].hash != all.e[i - 1].hash)
			stop = fn(&all.e[i], arg);
	wn_free(all.e);
	return stop;
}

static int
wn_rs_load_chunk(wn_store_redis *s, wn__redis_conn *c,
    const wn_store_entry *e, size_t n, uint64_t spam_msgs, uint64_t ham_msgs)
{
	size_t i, klen = s->plen + 18, nkeys = n + 1;
	size_t argc = 3 + nkeys + WN_RS_META_ARGS + 3;
	char sm[24], hm[24], *p;
	uint8_t *packed;
	redisReply *rep;
	int rc;

	/* at least a byte: the packed entries may be empty, never NULL */
	if ((rc = wn__redis_scratch(c, argc, n * klen +
	    n * WN_RS_VALUE_LEN + 1)) != 0)
		return rc;
	c->argv[3] = s->meta_key;
	c->argvlen[3] = s->meta_len;
	p = c->buf;
	packed = (uint8_t *)c->buf + n * klen;
	for (i = 0; i < n; i++, p += klen) {
		c->argv[4 + i] = p;
		c->argvlen[4 + i] = wn_rs_token_key(s, p, e[i].hash);
		wn_rs_put32(packed + i * WN_RS_VALUE_LEN, e[i].spam);
		wn_rs_put32(packed + i * WN_RS_VALUE_LEN + 4, e[i].ham);
		wn_rs_put32(packed + i * WN_RS_VALUE_LEN + 8, e[i].last_day);
	}
	wn_rs_meta_args(s, c->argv, c->argvlen, (int)(3 + nkeys));
	/* HINCRBY takes a signed 64-bit number */
	snprintf(sm, sizeof(sm), "%" PRIu64, spam_msgs > INT64_MAX ?
	    (uint64_t)INT64_MAX : spam_msgs);
	snprintf(hm, sizeof(hm), "%" PRIu64, ham_msgs > INT64_MAX ?
	    (uint64_t)INT64_MAX : ham_msgs);
	c->argv[argc - 3] = (const char *)packed;
	c->argvlen[argc - 3] = n * WN_RS_VALUE_LEN;
	c->argv[argc - 2] = sm;
	c->argvlen[argc - 2] = strlen(sm);
	c->argv[argc - 1] = hm;
	c->argvlen[argc - 1] = strlen(hm);
	if ((rc = wn__redis_eval(s->r, c, &s->load, (int)nkeys, (int)argc,
	    c->argv, c->argvlen, &rep)) != 0)
		return rc;
	if (rep->type != REDIS_REPLY_INTEGER)
		rc = wn_rs_script_err(s, rep, "load");
	freeReplyObject(rep);
	return rc;
}

/*
 * Each chunk of WN_RS_LOAD_CHUNK entries is one script, so a large load
 * does not stop other hosts for long; the message totals go in with the
 * last chunk. A failure part way leaves the chunks before it loaded.
 */
static int
wn_rs_load(wn_store *st, const wn_store_entry *e, size_t n,
    uint64_t spam_msgs, uint64_t ham_msgs)
{
	wn_store_redis *s = (wn_store_redis *)st;
	wn__redis_conn *c;
	size_t off = 0;
	int rc;

	if (s->readonly)
		return wn__redis_fail(s->r, WN_EINVAL, "store opened "
		    "read-only");
	if ((rc = wn__redis_acquire(s->r, &c)) != 0)
		return rc;
	do {
		size_t m = n - off > WN_RS_LOAD_CHUNK ? WN_RS_LOAD_CHUNK :
		    n - off;
		bool last = off + m == n;

		rc = wn_rs_load_chunk(s, c, m ? e + off : e, m,
		    last ? spam_msgs : 0, last ? ham_msgs : 0);
		off += m;
	} while (rc == 0 && off < n);
	wn__redis_release(s->r, c);
	return rc;
}

typedef struct wn_rs_expiry {
	uint32_t before_day;
	uint32_t max_count;
	uint64_t removed;
} wn_rs_expiry;

/* One scanned batch: send the tokens that look expired to the script,
 * which checks them again and deletes. */
static int
wn_rs_expire_batch(wn_store_redis *s, wn__redis_conn *c,
    const wn_store_entry *e, size_t n, void *arg)
{
	wn_rs_expiry *x = arg;
	size_t i, m = 0, klen = s->plen + 18;
	char before[16], maxc[16], *p;
	redisReply *rep;
	int rc;

	/* the scan is done with the connection's scratch space here */
	if ((rc = wn__redis_scratch(c, n + 6, n * klen)) != 0)
		return rc;
	c->argv[3] = s->meta_key;
	c->argvlen[3] = s->meta_len;
	for (i = 0, p = c->buf; i < n; i++) {
		if (e[i].last_day < x->before_day &&
		    (uint64_t)e[i].spam + e[i].ham <= x->max_count) {
			c->argv[4 + m] = p;
			c->argvlen[4 + m] = wn_rs_token_key(s, p, e[i].hash);
			p += klen;
			m++;
		}
	}
	if (m == 0)
		return 0;
	snprintf(before, sizeof(before), "%" PRIu32, x->before_day);
	snprintf(maxc, sizeof(maxc), "%" PRIu32, x->max_count);
	c->argv[4 + m] = before;
	c->argvlen[4 + m] = strlen(before);
	c->argv[5 + m] = maxc;
	c->argvlen[5 + m] = strlen(maxc);
	if ((rc = wn__redis_eval(s->r, c, &s->expire, (int)m + 1, (int)m + 6,
	    c->argv, c->argvlen, &rep)) != 0)
		return rc;
	if (rep->type == REDIS_REPLY_INTEGER && rep->integer >= 0)
		x->removed += (uint64_t)rep->integer;
	else
		rc = wn_rs_script_err(s, rep, "expire");
	freeReplyObject(rep);
	return rc;
}

static int
wn_rs_expire(wn_store *st, uint32_t before_day, uint32_t max_count,
    uint64_t *removed_out)
{
	wn_store_redis *s = (wn_store_redis *)st;
	wn_rs_expiry x = { before_day, max_count, 0 };
	int rc;

	*removed_out = 0;
	if (s->readonly)
		return wn__redis_fail(s->r, WN_EINVAL, "store opened "
		    "read-only");
	rc = wn_rs_scan(s, "expire", wn_rs_expire_batch, &x);
	*removed_out = x.removed;
	return rc;
}

static int
wn_rs_flush(wn_store *st)
{
	(void)st;
	return 0;
}

static void
wn_rs_close(wn_store *st)
{
	wn_store_redis *s = (wn_store_redis *)st;

	wn__redis_close(&s->r);
	wn_free(s);
}

static const wn_store_ops wn_store_redis_ops = {
	.name = "redis",
	.lookup_many = wn_rs_lookup_many,
	.learn = wn_rs_learn,
	.totals = wn_rs_totals,
	.each = wn_rs_each,
	.load = wn_rs_load,
	.expire = wn_rs_expire,
	.flush = wn_rs_flush,
	.close = wn_rs_close,
};

/* Read meta: 0 and the fields, WN_ENOENT when there is none. */
static int
wn_rs_read_meta(wn_store_redis *s, wn__redis_conn *c, uint64_t *version)
{
	static const char *const fields[] = { "magic", "version", "seed",
	    "osb_window" };
	const char *argv[6];
	size_t argvlen[6], i;
	redisReply *rep;
	const redisReply *f[4];
	char *end;
	unsigned long long seed, win;
	int rc;

	argv[0] = "HMGET";
	argvlen[0] = 5;
	argv[1] = s->meta_key;
	argvlen[1] = s->meta_len;
	for (i = 0; i < 4; i++) {
		argv[2 + i] = fields[i];
		argvlen[2 + i] = strlen(fields[i]);
	}
	if ((rc = wn__redis_run1(s->r, c, 6, argv, argvlen, &rep)) != 0)
		return rc;
	if (rep->type == REDIS_REPLY_ERROR &&
	    strncmp(rep->str, "WRONGTYPE", 9) == 0) {
		freeReplyObject(rep);
		return wn__redis_fail(s->r, WN_EFORMAT, "not a winnow token "
		    "store (%s is not a hash)", s->meta_key);
	}
	if ((rc = wn__redis_reply_check(s->r, rep, "open")) != 0) {
		freeReplyObject(rep);
		return rc;
	}
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 4) {
		freeReplyObject(rep);
		return wn__redis_fail(s->r, WN_EIO, "open: unexpected reply");
	}
	for (i = 0; i < 4; i++)
		f[i] = rep->element[i];
	if (f[0]->type == REDIS_REPLY_NIL && f[1]->type == REDIS_REPLY_NIL &&
	    f[2]->type == REDIS_REPLY_NIL && f[3]->type == REDIS_REPLY_NIL) {
		/* none of our fields: no store, or a hash of someone else */
		freeReplyObject(rep);
		argv[0] = "EXISTS";
		argvlen[0] = 6;
		if ((rc = wn__redis_run1(s->r, c, 2, argv, argvlen,
		    &rep)) != 0)
			return rc;
		if ((rc = wn__redis_reply_check(s->r, rep, "open")) == 0)
			rc = rep->type == REDIS_REPLY_INTEGER &&
			    rep->integer == 0 ? WN_ENOENT : WN_EFORMAT;
		freeReplyObject(rep);
		if (rc != WN_EFORMAT)
			return rc;
		return wn__redis_fail(s->r, WN_EFORMAT, "not a winnow token "
		    "store (%s holds something else)", s->meta_key);
	}
	rc = WN_EFORMAT;
	for (i = 0; i < 4; i++)
		if (f[i]->type != REDIS_REPLY_STRING)
			goto bad;
	if (strcmp(f[0]->str, WN_RS_MAGIC) != 0)
		goto bad;
	*version = strtoull(f[1]->str, &end, 10);
	if (*end != '\0' || f[1]->str[0] == '\0')
		goto bad;
	if (*version > WN_STORE_FORMAT_VERSION) {
		rc = wn__redis_fail(s->r, WN_EFORMAT, "store format version "
		    "%llu is newer than this winnow (%d)",
		    (unsigned long long)*version, WN_STORE_FORMAT_VERSION);
		freeReplyObject(rep);
		return rc;
	}
	seed = strtoull(f[2]->str, &end, 10);
	if (*end != '\0' || f[2]->str[0] == '\0')
		goto bad;
	win = strtoull(f[3]->str, &end, 10);
	if (*end != '\0' || f[3]->str[0] == '\0' || win > UINT32_MAX)
		goto bad;
	s->seed = seed;
	s->osb_window = (uint32_t)win;
	freeReplyObject(rep);
	return 0;
bad:
	freeReplyObject(rep);
	return wn__redis_fail(s->r, WN_EFORMAT, "not a winnow token store "
	    "(%s holds something else)", s->meta_key);
}

/* Check, or create, the store on the first connection. */
static int
wn_rs_setup(wn_store_redis *s, unsigned flags, const wn_store_params *p)
{
	wn__redis_script *scripts[4] = { &s->learn, &s->load, &s->expire,
	    &s->create_meta };
	wn__redis_conn *c;
	redisReply *rep;
	const char *argv[8];
	size_t argvlen[8], i;
	uint64_t version = 0;
	int rc;

	if ((rc = wn__redis_acquire(s->r, &c)) != 0)
		return rc;
	rc = wn_rs_read_meta(s, c, &version);
	if (rc == WN_ENOENT) {
		if (!(flags & WN_STORE_CREATE) || s->readonly) {
			rc = wn__redis_fail(s->r, WN_ENOENT, "no winnow token "
			    "store under prefix \"%s\" (learn some mail first)",
			    s->prefix);
			goto out;
		}
		if (p == NULL) {
			rc = wn__redis_fail(s->r, WN_EINVAL, "creating a store "
			    "needs its tokenizer settings");
			goto out;
		}
		snprintf(s->seed_s, sizeof(s->seed_s), "%" PRIu64, p->seed);
		snprintf(s->window_s, sizeof(s->window_s), "%" PRIu32,
		    p->osb_window);
		/* another host may create it at the same moment: the
		 * script creates only what is missing, then both read */
		argv[3] = s->meta_key;
		argvlen[3] = s->meta_len;
		s->create = true;
		wn_rs_meta_args(s, argv, argvlen, 4);
		if ((rc = wn__redis_eval(s->r, c, &s->create_meta, 1, 8, argv,
		    argvlen, &rep)) != 0)
			goto out;
		if (rep->type != REDIS_REPLY_INTEGER)
			rc = wn_rs_script_err(s, rep, "create");
		freeReplyObject(rep);
		if (rc != 0 || (rc = wn_rs_read_meta(s, c, &version)) != 0)
			goto out;
	} else if (rc != 0)
		goto out;
	snprintf(s->seed_s, sizeof(s->seed_s), "%" PRIu64, s->seed);
	snprintf(s->window_s, sizeof(s->window_s), "%" PRIu32, s->osb_window);
	s->create = (flags & WN_STORE_CREATE) != 0;
	if (!s->readonly)
		for (i = 0; i < 4 && rc == 0; i++)
			rc = wn__redis_script_load(s->r, c, scripts[i]);
out:
	wn__redis_release(s->r, c);
	return rc;
}

int
wn_store_open_redis(const char *url, unsigned flags,
    const wn_store_params *params, wn_store **st_out, char *err,
    size_t errlen)
{
	wn_store_redis *s;
	int rc;

	*st_out = NULL;
	snprintf(err, errlen, "%s", "");
	if ((s = wn_calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return WN_ENOMEM;
	}
	s->base.ops = &wn_store_redis_ops;
	s->readonly = (flags & WN_STORE_READONLY) != 0;
	s->learn.body = wn_rs_lua_learn;
	s->load.body = wn_rs_lua_load;
	s->expire.body = wn_rs_lua_expire;
	s->create_meta.body = wn_rs_lua_create;
	snprintf(s->version_s, sizeof(s->version_s), "%d",
	    WN_STORE_FORMAT_VERSION);
	if ((rc = wn__redis_open(url, s->base.error, sizeof(s->base.error),
	    &s->r, err, errlen)) != 0) {
		wn_free(s);
		return rc;
	}
	s->prefix = wn__redis_url_of(s->r)->prefix;
	s->plen = strlen(s->prefix);
	s->meta_len = (size_t)snprintf(s->meta_key, sizeof(s->meta_key),
	    "%smeta", s->prefix);
	if ((rc = wn_rs_setup(s, flags, params)) != 0) {
		snprintf(err, errlen, "%s", s->base.error);
		wn_rs_close(&s->base);
		return rc;
	}
	s->base.error[0] = '\0';
	*st_out = &s->base;
	return 0;
}
