/*
 * repo_load.c - load generator for bench/repository.sh: reporter key
 * pairs, statistics reports built and signed the way `winnow report send`
 * builds and signs them (wn_report_build, wn_report_envelope), and their
 * delivery to winnow-repository, over HTTP or in-process.
 *
 *   repo_load keys DIR N
 *	N key pairs DIR/rNNN.key and DIR/rNNN.pub, and DIR/reporters.tsv
 *	with one line per reporter: name, country, operator type, key id.
 *	The countries cycle through twelve codes, the operator types
 *	through the schema's six, independently of each other.
 *   repo_load sample DIR
 *	one report of the first reporter on stdout (for a schema check).
 *   repo_load post DIR URL [--reports N] [--threads T]
 *	N reports (default 5000), hourly periods back from the last full
 *	hour, reporter i % R, all signed before the clock starts; then T
 *	threads (default 8), each with one keep-alive libcurl handle, POST
 *	them to URL/api/v1/reports. Prints one line of key=value figures:
 *	reports/s, latency percentiles, HTTP statuses. Exit 1 when any
 *	answer was not 201.
 *   repo_load fill DIR DB_URL [--days D] [--threads T]
 *	R x D reports (default D 365), one daily period per reporter for
 *	each of the D days before today, day by day, through
 *	wn_intake_submit: the checks and the store of the HTTP path
 *	without HTTP. Reports are built and signed as they go. Prints one
 *	line as post does.
 *
 * The reports are realistic in shape rather than in numbers: standard
 * sharing with min_count 5, two rule sets, about 30 of 48 rules, about
 * 12 of 24 source countries plus unknown, every SPF result, Bayes,
 * histograms and a few anomalies, counts consistent with each other.
 * Numbers come from a seeded generator, so a run is repeatable except
 * for report ids, nonces and signatures.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>

#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/log.h>
#include <winnow/report.h>
#include <winnow/sign.h>
#include <winnow/stats.h>

#include "db.h"
#include "intake.h"

#define RL_MAX_REPORTERS 10000
#define RL_MAX_THREADS 256
#define RL_SHOW_FAILURES 5

static const char *const rl_reg_countries[] = {
	"AR", "BR", "DE", "EG", "FR", "GB", "IN", "JP", "KE", "NG", "US", "ZA"
};
#define RL_REG_COUNTRIES (sizeof(rl_reg_countries) / sizeof(*rl_reg_countries))

static const char *const rl_optypes[] = {
	"isp", "hosting", "enterprise", "education", "government", "other"
};
#define RL_OPTYPES (sizeof(rl_optypes) / sizeof(*rl_optypes))

/* source countries, sorted (a sealed period lists them by code) */
static const char *const rl_src_countries[] = {
	"AR", "BD", "BR", "CA", "CN", "DE", "EG", "ES", "FR", "GB", "ID", "IN",
	"IR", "IT", "JP", "KE", "KR", "MX", "NG", "NL", "PK", "RU", "US", "VN"
};
#define RL_SRC_COUNTRIES \
	(sizeof(rl_src_countries) / sizeof(*rl_src_countries))

/* symbols, sorted by name; the share of spam (s) and ham (h) each hits,
 * in per mille of the verdict's messages */
static const struct rl_rule {
	const char *name;
	unsigned s, h;
} rl_rules[] = {
	{ "BAYES_00", 2, 700 }, { "BAYES_05", 3, 120 },
	{ "BAYES_20", 6, 60 }, { "BAYES_50", 40, 30 },
	{ "BAYES_80", 90, 8 }, { "BAYES_95", 150, 2 },
	{ "BAYES_99", 600, 1 }, { "BULK_SEEN_10", 250, 20 },
	{ "BULK_SEEN_100", 120, 2 }, { "DATE_IN_FUTURE", 15, 1 },
	{ "EMPTY_MESSAGE", 10, 3 }, { "FORGED_OUTLOOK_TAGS", 25, 0 },
	{ "FREEMAIL_FROM", 200, 90 }, { "FROM_EXCESS_BASE64", 40, 2 },
	{ "HEADER_FROM_DIFFERENT_DOMAINS", 180, 60 },
	{ "HTML_FONT_LOW_CONTRAST", 70, 4 }, { "HTML_IMAGE_ONLY", 90, 3 },
	{ "HTML_IMAGE_RATIO", 60, 10 }, { "HTML_MESSAGE", 650, 300 },
	{ "HTML_MIME_NO_HTML_TAG", 30, 1 }, { "LOTS_OF_MONEY", 110, 5 },
	{ "MIME_BASE64_TEXT", 70, 6 }, { "MIME_HTML_ONLY", 300, 40 },
	{ "MISSING_DATE", 20, 1 }, { "MISSING_MID", 60, 2 },
	{ "MONEY_BACK", 35, 0 }, { "PHISH_LOGIN_FORM", 25, 0 },
	{ "RCVD_IN_LOCAL_BL", 80, 0 }, { "RDNS_NONE", 220, 15 },
	{ "REPLYTO_WITHOUT_TO", 45, 3 }, { "SPF_FAIL", 30, 1 },
	{ "SPF_NEUTRAL", 20, 8 }, { "SPF_PASS", 300, 700 },
	{ "SPF_SOFTFAIL", 80, 10 }, { "SUBJ_ALL_CAPS", 60, 4 },
	{ "SUBJ_YOUR_FAMILY", 10, 0 }, { "T_REMOTE_IMAGE", 250, 60 },
	{ "T_SHORT_URL", 90, 10 }, { "TO_NO_BRKTS_HTML_ONLY", 40, 1 },
	{ "TVD_SPACE_RATIO", 25, 2 }, { "UNPARSEABLE_RELAY", 5, 3 },
	{ "URIBL_LOCAL", 130, 0 }, { "URI_HEX", 20, 1 },
	{ "URI_NOVOWEL", 15, 2 }, { "URI_PHISH", 40, 0 },
	{ "URI_TRY_3LD", 30, 3 }, { "WN_BAD_ENCODING", 12, 4 },
	{ "WN_NO_TEXT_PART", 25, 6 }
};
#define RL_RULES (sizeof(rl_rules) / sizeof(*rl_rules))

typedef struct rl_reporter {
	wn_seckey key;
	char name[32];
	char country[3];
	const char *optype;
	uint64_t volume;		/* messages per hour */
} rl_reporter;

typedef struct rl_set {
	rl_reporter *r;
	size_t n;
} rl_set;

static double
rl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
rl_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* splitmix64: small, seedable, good enough for plausible counts */
static uint64_t
rl_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* a number in [lo, hi] */
static uint64_t
rl_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + rl_rand(s) % (hi - lo + 1);
}

/* total split into n parts in proportion to w[i] times a random factor
 * 0.75-1.25; the parts sum to total exactly (the rest goes to part 0) */
static void
rl_split(uint64_t *s, uint64_t total, const unsigned *w, size_t n,
    uint64_t *out)
{
	double f[64], sum = 0;
	uint64_t given = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		f[i] = w[i] * (0.75 + (double)rl_range(s, 0, 500) / 1000);
		sum += f[i];
	}
	for (i = 1; i < n; i++) {
		out[i] = sum > 0 ? (uint64_t)((double)total * f[i] / sum) : 0;
		given += out[i];
	}
	out[0] = total - given;
}

/* per mille of n, randomised by +-50 % */
static uint64_t
rl_share(uint64_t *s, uint64_t n, unsigned permille)
{
	double f = permille / 1000.0 * (0.5 + (double)rl_range(s, 0, 1000) /
	    1000);

	return (uint64_t)((double)n * (f > 1 ? 1 : f));
}

/* The period one reporter sealed for [start, start + length): what
 * winnowd's spool would hold. rules and cc are the caller's storage. */
static void
rl_period(wn_stats_period *p, wn_stats_rule *rules, wn_stats_country *cc,
    const rl_reporter *r, int64_t start, unsigned length, uint64_t seed)
{
	static const unsigned action_w[] = { 0, 300, 50, 10, 150, 20, 470 };
	static const unsigned spf_w[] = { 200, 30, 550, 40, 60, 10, 10, 100 };
	static const unsigned bayes_w[] = { 900, 80, 20 };
	static const unsigned score_w[] = { 40, 180, 260, 150, 80, 40, 25, 20,
	    25, 35, 40, 35, 25, 45 };
	static const unsigned time_w[] = { 5, 60, 180, 300, 220, 120, 60, 30,
	    12, 6, 3, 1, 1, 1, 1 };
	uint64_t s = seed, spam_actions[7], total, known, left;
	size_t i;

	memset(p, 0, sizeof(*p));
	wn_sign_random_hex(p->report_id, 16);
	p->start = start;
	p->end = start + length;
	p->period = length;
	snprintf(p->rulesets, sizeof(p->rulesets), "core 0.1.0\nlocal 2026.11");
	total = r->volume * length / 3600 * rl_range(&s, 70, 130) / 100 + 1;
	p->failed = total / 1000;
	p->skipped = total * rl_range(&s, 20, 60) / 1000;
	p->scanned = total - p->failed - p->skipped;
	p->spam = p->scanned * rl_range(&s, 250, 650) / 1000;
	p->ham = p->scanned - p->spam;
	/* ham is accepted; spam is marked, tagged, held or refused */
	rl_split(&s, p->spam, action_w, 7, spam_actions);
	for (i = 0; i < 7; i++)
		p->action[i] = spam_actions[i];
	p->action[0] += p->ham;
	rl_split(&s, p->scanned, spf_w, 8, p->spf);
	rl_split(&s, p->scanned, bayes_w, 3, p->bayes);
	rl_split(&s, p->scanned, score_w, WN_STATS_SCORE_BOUNDS + 1, p->score);
	rl_split(&s, p->scanned, time_w, WN_STATS_TIME_BOUNDS + 1,
	    p->scan_time);
	for (i = 7; i < 13; i++)	/* MIME_BAD_BASE64 ... NO_BOUNDARY */
		p->anomalies[i] = rl_share(&s, p->scanned, 3);
	p->n_rules = 0;
	for (i = 0; i < RL_RULES; i++) {
		wn_stats_rule *x;

		if (rl_range(&s, 0, 99) >= 65)
			continue;
		x = &rules[p->n_rules++];
		snprintf(x->name, sizeof(x->name), "%s", rl_rules[i].name);
		x->spam = rl_share(&s, p->spam, rl_rules[i].s);
		x->ham = rl_share(&s, p->ham, rl_rules[i].h);
	}
	p->rules = rules;
	/* unknown first (its code "" sorts first), then about half of the
	 * countries with a share each of what the geo look-up placed */
	known = p->scanned - p->scanned * rl_range(&s, 20, 80) / 1000;
	left = known;
	p->n_countries = 0;
	cc[p->n_countries++] = (wn_stats_country){ "", p->scanned - known, 0 };
	for (i = 0; i < RL_SRC_COUNTRIES; i++) {
		wn_stats_country *c;
		uint64_t m;

		if (rl_range(&s, 0, 99) >= 50 || left == 0)
			continue;
		m = i + 1 == RL_SRC_COUNTRIES ? left :
		    left * rl_range(&s, 5, 30) / 100;
		c = &cc[p->n_countries++];
		memcpy(c->country, rl_src_countries[i], 3);
		c->messages = m;
		c->spam = m * rl_range(&s, 100, 900) / 1000;
		left -= m;
	}
	cc[0].messages += left;
	cc[0].spam = cc[0].messages / 2;
	p->countries = cc;
}

/* the report of reporter r for [start, start + length), signed now,
 * into env */
static int
rl_envelope(const rl_reporter *r, int64_t start, unsigned length,
    uint64_t seed, wn_buf *rep, wn_buf *env)
{
	wn_stats_rule rules[RL_RULES];
	wn_stats_country cc[RL_SRC_COUNTRIES + 1];
	wn_stats_period p;
	wn_report_opts o;

	rl_period(&p, rules, cc, r, start, length, seed);
	memset(&o, 0, sizeof(o));
	o.sharing = WN_SHARING_STANDARD;
	o.min_count = 5;
	memcpy(o.country, r->country, sizeof(o.country));
	o.operator_type = r->optype;
	o.key_id = r->key.pub.id;
	wn_buf_reset(rep);
	if (wn_report_build(&p, &o, rep) != 0)
		return WN_ENOMEM;
	if (env == NULL)
		return 0;
	wn_buf_reset(env);
	return wn_report_envelope(rep->data, rep->len, &r->key, time(NULL),
	    env);
}

/* Reporter k's registration, fixed by k alone. */
static void
rl_reporter_attrs(size_t k, rl_reporter *r)
{
	uint64_t s = 0x5eed0000u + k;

	snprintf(r->name, sizeof(r->name), "r%03zu", k);
	memcpy(r->country, rl_reg_countries[k % RL_REG_COUNTRIES], 3);
	r->optype = rl_optypes[(k / RL_REG_COUNTRIES) % RL_OPTYPES];
	/* from a small company's hundreds of messages an hour to a large
	 * ISP's tens of thousands */
	r->volume = rl_range(&s, 200, 2000) * (strcmp(r->optype, "isp") == 0 ?
	    20 : 1);
}

static int
rl_keys(const char *dir, size_t n)
{
	char path[4096];
	FILE *f;
	size_t k;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "repo_load: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/reporters.tsv", dir);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "repo_load: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (k = 0; k < n; k++) {
		rl_reporter r;

		rl_reporter_attrs(k, &r);
		if (wn_seckey_generate(&r.key) != 0 ||
		    wn_seckey_save(&r.key, dir, r.name) != 0) {
			fprintf(stderr, "repo_load: %s/%s.key: %s\n", dir,
			    r.name, strerror(errno));
			fclose(f);
			return 1;
		}
		fprintf(f, "%s\t%s\t%s\t%s\n", r.name, r.country, r.optype,
		    r.key.pub.id);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "repo_load: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* the reporters of DIR/reporters.tsv with their secret keys */
static int
rl_load(const char *dir, rl_set *set)
{
	char path[4096], key[4096], line[512];
	FILE *f;

	memset(set, 0, sizeof(*set));
	snprintf(path, sizeof(path), "%s/reporters.tsv", dir);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "repo_load: %s: %s\n", path, strerror(errno));
		return 1;
	}
	set->r = calloc(RL_MAX_REPORTERS, sizeof(*set->r));
	while (set->r != NULL && set->n < RL_MAX_REPORTERS &&
	    fgets(line, sizeof(line), f) != NULL) {
		rl_reporter *r = &set->r[set->n];

		rl_reporter_attrs(set->n, r);
		line[strcspn(line, "\t\n")] = '\0';
		if (strcmp(line, r->name) != 0) {
			fprintf(stderr, "repo_load: %s: line %zu: expected "
			    "%s\n", path, set->n + 1, r->name);
			fclose(f);
			return 1;
		}
		snprintf(key, sizeof(key), "%s/%s.key", dir, r->name);
		if (wn_seckey_load(key, &r->key) != 0) {
			fprintf(stderr, "repo_load: %s: cannot load\n", key);
			fclose(f);
			return 1;
		}
		set->n++;
	}
	fclose(f);
	if (set->n == 0) {
		fprintf(stderr, "repo_load: %s/reporters.tsv: no reporters\n",
		    dir);
		return 1;
	}
	return 0;
}

static int
rl_sample(const char *dir)
{
	wn_buf rep;
	rl_set set;
	int64_t day = (int64_t)time(NULL) / 86400 - 1;

	if (rl_load(dir, &set) != 0)
		return 1;
	wn_buf_init(&rep);
	if (rl_envelope(&set.r[0], day * 86400, 86400, 1, &rep, NULL) != 0)
		return 1;
	printf("%s\n", rep.data);
	wn_buf_fini(&rep);
	free(set.r);
	return 0;
}

/* ---- figures common to post and fill ---- */

typedef struct rl_tally {
	uint64_t status[600];		/* by HTTP status; 0: no answer */
	uint64_t shown;			/* failures printed */
	pthread_mutex_t lock;
} rl_tally;

static void
rl_tally_add(rl_tally *t, long status, const char *what, const char *answer)
{
	pthread_mutex_lock(&t->lock);
	t->status[status >= 0 && status < 600 ? status : 0]++;
	if (status != 201 && t->shown++ < RL_SHOW_FAILURES)
		fprintf(stderr, "repo_load: %s: %ld %.*s\n", what, status,
		    (int)strcspn(answer, "\r\n"), answer);
	pthread_mutex_unlock(&t->lock);
}

static int
rl_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* nearest-rank percentile of sorted v[0..n) */
static double
rl_pct(const double *v, size_t n, double q)
{
	size_t k = (size_t)(q * (double)n);

	if (n == 0)
		return 0;
	if ((double)k < q * (double)n)
		k++;
	return v[k < 1 ? 0 : k - 1];
}

/* the key=value line; returns the exit status */
static int
rl_print(const char *mode, size_t n, unsigned threads, double wall,
    double *lat, size_t n_lat, const rl_tally *t, double prep_s,
    double bytes)
{
	const char *sep = "";
	uint64_t bad = 0;
	size_t i;

	qsort(lat, n_lat, sizeof(*lat), rl_cmp_double);
	printf("mode=%s reports=%zu threads=%u wall_s=%.3f per_s=%.1f "
	    "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f prep_s=%.3f "
	    "bytes_mean=%.0f client_cpu_s=%.2f statuses=", mode, n, threads,
	    wall, wall > 0 ? (double)n / wall : 0, rl_pct(lat, n_lat, 0.5),
	    rl_pct(lat, n_lat, 0.9), rl_pct(lat, n_lat, 0.99),
	    n_lat ? lat[n_lat - 1] : 0, prep_s, bytes, rl_cpu_s());
	for (i = 0; i < 600; i++) {
		if (t->status[i] == 0)
			continue;
		printf("%s%zu:%" PRIu64, sep, i, t->status[i]);
		sep = ",";
		if (i != 201)
			bad += t->status[i];
	}
	printf(" failed=%" PRIu64 "\n", bad);
	return bad == 0 ? 0 : 1;
}

/* ---- post: pre-signed envelopes over HTTP ---- */

typedef struct rl_post {
	const char *url;
	wn_buf *env;			/* the envelopes */
	size_t n;
	double *lat;			/* ms, by envelope */
	_Atomic size_t next;
	rl_tally tally;
	pthread_barrier_t start;
} rl_post;

typedef struct rl_answer {
	char text[512];
	size_t len;
} rl_answer;

static size_t
rl_answer_write(char *p, size_t size, size_t n, void *arg)
{
	rl_answer *a = arg;
	size_t len = size * n, room = sizeof(a->text) - 1 - a->len;

	if (len < room)
		room = len;
	memcpy(a->text + a->len, p, room);
	a->len += room;
	a->text[a->len] = '\0';
	return len;
}

static void *
rl_post_thread(void *arg)
{
	rl_post *po = arg;
	struct curl_slist *h = NULL;
	char cerr[CURL_ERROR_SIZE];
	rl_answer ans;
	CURL *c;
	size_t i;

	c = curl_easy_init();
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, po->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, rl_answer_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &ans);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "winnow/" WN_VERSION);
	pthread_barrier_wait(&po->start);
	while ((i = atomic_fetch_add(&po->next, 1)) < po->n) {
		long status = 0;
		double t0;
		CURLcode rc;

		ans.len = 0;
		ans.text[0] = '\0';
		cerr[0] = '\0';
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, po->env[i].data);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)po->env[i].len);
		t0 = rl_now();
		rc = curl_easy_perform(c);
		po->lat[i] = (rl_now() - t0) * 1000;
		if (rc == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		rl_tally_add(&po->tally, status, "POST", rc == CURLE_OK ?
		    ans.text : cerr[0] ? cerr : curl_easy_strerror(rc));
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static int
rl_post_run(const char *dir, const char *base, size_t n, unsigned threads)
{
	pthread_t tid[RL_MAX_THREADS];
	char url[2048];
	rl_post po;
	rl_set set;
	wn_buf rep;
	double t0, prep, bytes = 0, wall;
	int64_t hour = (int64_t)time(NULL) / 3600 - 1;
	size_t i;
	unsigned k;
	int rc;

	if (rl_load(dir, &set) != 0)
		return 1;
	memset(&po, 0, sizeof(po));
	snprintf(url, sizeof(url), "%s/api/v1/reports", base);
	po.url = url;
	po.n = n;
	po.env = calloc(n, sizeof(*po.env));
	po.lat = calloc(n, sizeof(*po.lat));
	if (po.env == NULL || po.lat == NULL) {
		fprintf(stderr, "repo_load: out of memory\n");
		return 1;
	}
	/* Sign everything first: the clock should time the repository,
	 * not this client. Hourly periods, every reporter in turn, going
	 * back an hour after each round. */
	t0 = rl_now();
	wn_buf_init(&rep);
	for (i = 0; i < n; i++) {
		const rl_reporter *r = &set.r[i % set.n];
		int64_t start = (hour - (int64_t)(i / set.n)) * 3600;

		wn_buf_init(&po.env[i]);
		if (rl_envelope(r, start, 3600, 0x1000000u + i, &rep,
		    &po.env[i]) != 0) {
			fprintf(stderr, "repo_load: out of memory\n");
			return 1;
		}
		bytes += (double)po.env[i].len;
	}
	wn_buf_fini(&rep);
	prep = rl_now() - t0;
	pthread_mutex_init(&po.tally.lock, NULL);
	pthread_barrier_init(&po.start, NULL, threads + 1);
	for (k = 0; k < threads; k++)
		if (pthread_create(&tid[k], NULL, rl_post_thread, &po) != 0) {
			fprintf(stderr, "repo_load: cannot start a thread\n");
			return 1;
		}
	pthread_barrier_wait(&po.start);
	t0 = rl_now();
	for (k = 0; k < threads; k++)
		pthread_join(tid[k], NULL);
	wall = rl_now() - t0;
	rc = rl_print("http", n, threads, wall, po.lat, n, &po.tally, prep,
	    bytes / (double)n);
	for (i = 0; i < n; i++)
		wn_buf_fini(&po.env[i]);
	free(po.env);
	free(po.lat);
	free(set.r);
	return rc;
}

/* ---- fill: a year of daily reports through wn_intake_submit ---- */

typedef struct rl_fill {
	rl_set *set;
	wn_intake intake;
	int64_t first_day;
	size_t n;			/* reporters x days */
	double *lat;			/* ms in wn_intake_submit */
	_Atomic size_t next;
	_Atomic uint64_t bytes;
	rl_tally tally;
} rl_fill;

static void *
rl_fill_thread(void *arg)
{
	rl_fill *fi = arg;
	wn_buf rep, env;
	size_t i;

	wn_buf_init(&rep);
	wn_buf_init(&env);
	/* day by day, every reporter once a day, as daily reports come */
	while ((i = atomic_fetch_add(&fi->next, 1)) < fi->n) {
		const rl_reporter *r = &fi->set->r[i % fi->set->n];
		int64_t day = fi->first_day + (int64_t)(i / fi->set->n);
		wn_intake_result res;
		double t0;

		if (rl_envelope(r, day * 86400, 86400, 0x2000000u + i, &rep,
		    &env) != 0) {
			rl_tally_add(&fi->tally, 0, "build", "out of memory");
			continue;
		}
		atomic_fetch_add(&fi->bytes, env.len);
		t0 = rl_now();
		wn_intake_submit(&fi->intake, env.data, env.len,
		    (int64_t)time(NULL), &res);
		fi->lat[i] = (rl_now() - t0) * 1000;
		rl_tally_add(&fi->tally, res.status, "intake", res.message);
	}
	wn_buf_fini(&rep);
	wn_buf_fini(&env);
	return NULL;
}

static int
rl_fill_run(const char *dir, const char *db_url, unsigned days,
    unsigned threads)
{
	pthread_t tid[RL_MAX_THREADS];
	wn_repo_db *db = NULL;
	rl_fill fi;
	rl_set set;
	double t0, wall;
	unsigned k;
	int rc;

	if (rl_load(dir, &set) != 0)
		return 1;
	if (wn_repo_db_open(db_url, threads, &db) != 0)
		return 1;
	memset(&fi, 0, sizeof(fi));
	fi.set = &set;
	wn_intake_init(&fi.intake, db, WN_INTAKE_DEFAULT_SKEW);
	fi.first_day = (int64_t)time(NULL) / 86400 - days;
	fi.n = set.n * days;
	if ((fi.lat = calloc(fi.n, sizeof(*fi.lat))) == NULL) {
		fprintf(stderr, "repo_load: out of memory\n");
		return 1;
	}
	pthread_mutex_init(&fi.tally.lock, NULL);
	t0 = rl_now();
	for (k = 0; k < threads; k++)
		if (pthread_create(&tid[k], NULL, rl_fill_thread, &fi) != 0) {
			fprintf(stderr, "repo_load: cannot start a thread\n");
			return 1;
		}
	for (k = 0; k < threads; k++)
		pthread_join(tid[k], NULL);
	wall = rl_now() - t0;
	rc = rl_print("inprocess", fi.n, threads, wall, fi.lat, fi.n,
	    &fi.tally, 0, (double)atomic_load(&fi.bytes) / (double)fi.n);
	wn_repo_db_close(&db);
	free(fi.lat);
	free(set.r);
	return rc;
}

/* ---- options ---- */

static void
rl_usage(void)
{
	fprintf(stderr, "usage: repo_load keys DIR N\n"
	    "       repo_load sample DIR\n"
	    "       repo_load post DIR URL [--reports N] [--threads T]\n"
	    "       repo_load fill DIR DB_URL [--days D] [--threads T]\n");
}

/* a whole number in [min, max] */
static int
rl_num(const char *name, const char *v, unsigned long min,
    unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
		fprintf(stderr, "repo_load: %s \"%s\": expected %lu to %lu\n",
		    name, v, min, max);
		return 1;
	}
	*out = n;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned long n = 5000, threads = 8, days = 365;
	int i;

	wn_log_open("repo_load", WN_LOG_STDERR);
	wn_log_set_level(WN_LOG_WARN);
	if (wn_sign_init() != 0) {
		fprintf(stderr, "repo_load: libsodium did not initialise\n");
		return 1;
	}
	if (argc >= 4 && strcmp(argv[1], "keys") == 0) {
		if (rl_num("N", argv[3], 1, RL_MAX_REPORTERS, &n) != 0)
			return 2;
		return rl_keys(argv[2], n);
	}
	if (argc == 3 && strcmp(argv[1], "sample") == 0)
		return rl_sample(argv[2]);
	if (argc < 4 || (strcmp(argv[1], "post") != 0 &&
	    strcmp(argv[1], "fill") != 0)) {
		rl_usage();
		return 2;
	}
	if (strcmp(argv[1], "fill") == 0)
		threads = 2;
	for (i = 4; i < argc; i++) {
		int bad = 1;

		if (i + 1 < argc && strcmp(argv[i], "--reports") == 0)
			bad = rl_num("--reports", argv[++i], 1, 10000000, &n);
		else if (i + 1 < argc && strcmp(argv[i], "--threads") == 0)
			bad = rl_num("--threads", argv[++i], 1,
			    RL_MAX_THREADS, &threads);
		else if (i + 1 < argc && strcmp(argv[i], "--days") == 0)
			bad = rl_num("--days", argv[++i], 1, 3650, &days);
		else
			rl_usage();
		if (bad)
			return 2;
	}
	if (strcmp(argv[1], "fill") == 0)
		return rl_fill_run(argv[2], argv[3], (unsigned)days,
		    (unsigned)threads);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	i = rl_post_run(argv[2], argv[3], n, (unsigned)threads);
	curl_global_cleanup();
	return i;
}
