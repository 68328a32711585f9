/*
 * ruleset_check.c - the gate of a rule set: manifest, rules that compile,
 * and the set's own test messages (ruleset_check.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <winnow/alloc.h>
#include <winnow/arena.h>
#include <winnow/err.h>
#include <winnow/ruleset_check.h>

typedef struct wn_expect {
	char *name;
	bool hit;
} wn_expect;

typedef struct wn_tester {
	const wn_rules *rs;
	wn_rules_worker *w;
	wn_arena *arena;
	wn_diag_list *d;
	uint8_t *has_hit;	/* per rule id */
	uint8_t *has_miss;
	wn_ruleset_check_result *res;
} wn_tester;

/* the leading "# hit:" / "# miss:" lines into ex; returns the offset of
 * the message after them, or -1 when memory ran out */
static long
wn_expect_read(const char *data, size_t len, wn_expect **ex, size_t *n_ex)
{
	size_t off = 0, cap = 0;

	while (off < len && data[off] == '#') {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t end = nl != NULL ? (size_t)(nl - data) : len;
		char *line = strndup(data + off + 1, end - off - 1);
		char *p, *tok, *save = NULL;
		bool hit;

		off = nl != NULL ? end + 1 : len;
		if (line == NULL)
			return -1;
		p = line + strspn(line, " \t");
		if (strncmp(p, "hit:", 4) == 0)
			hit = true;
		else if (strncmp(p, "miss:", 5) == 0)
			hit = false;
		else {
			free(line);
			continue;	/* a comment */
		}
		p += hit ? 4 : 5;
		for (tok = strtok_r(p, " \t\r", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t\r", &save)) {
			if (*n_ex == cap) {
				size_t nc = cap ? cap * 2 : 16;
				wn_expect *nv = realloc(*ex, nc * sizeof(*nv));

				if (nv == NULL) {
					free(line);
					return -1;
				}
				*ex = nv;
				cap = nc;
			}
			if (((*ex)[*n_ex].name = strdup(tok)) == NULL) {
				free(line);
				return -1;
			}
			(*ex)[(*n_ex)++].hit = hit;
		}
		free(line);
	}
	return (long)off;
}

static bool
wn_hits_rule(const wn_rules_result *r, long id)
{
	size_t k;

	for (k = 0; k < r->n_hits; k++)
		if (r->hits[k].id == (uint32_t)id)
			return true;
	return false;
}

/* one test message against its expectations */
static int
wn_test_message(wn_tester *t, const char *path, const char *data,
    size_t len)
{
	wn_expect *ex = NULL;
	size_t n_ex = 0, i;
	wn_mime_limits limits;
	wn_mime_msg *msg;
	wn_rules_result res;
	long off;
	int rc = 0;

	t->res->messages++;
	if ((off = wn_expect_read(data, len, &ex, &n_ex)) < 0) {
		rc = WN_ENOMEM;
		goto out;
	}
	if (n_ex == 0) {
		wn_diag_add(t->d, WN_DIAG_ERROR, path, 0,
		    "no '# hit:' or '# miss:' line");
		t->res->failures++;
		goto out;
	}
	wn_arena_reset(t->arena);
	wn_mime_limits_default(&limits);
	if (wn_mime_parse(t->arena, data + off, len - (size_t)off, &limits,
	    &msg) != 0 || wn_rules_match(t->rs, t->w, t->arena, msg,
	    data + off, len - (size_t)off, 0, WN_RULES_RUN_ALL, &res) != 0) {
		rc = WN_ENOMEM;
		goto out;
	}
	for (i = 0; i < n_ex; i++) {
		long id = wn_rules_find(t->rs, ex[i].name);
		bool got;

		t->res->expectations++;
		if (strcmp(ex[i].name, WN_GTUBE_SYMBOL) == 0)
			got = wn_rules_gtube(data + off, len - (size_t)off);
		else if (id < 0) {
			wn_diag_add(t->d, WN_DIAG_ERROR, path, 0,
			    "%s: no such rule", ex[i].name);
			t->res->failures++;
			continue;
		} else {
			got = wn_hits_rule(&res, id);
			if (ex[i].hit)
				t->has_hit[id] = 1;
			else
				t->has_miss[id] = 1;
		}
		if (got != ex[i].hit) {
			wn_diag_add(t->d, WN_DIAG_ERROR, path, 0, "%s %s",
			    ex[i].name, ex[i].hit ? "should hit but did not" :
			    "should not hit but did");
			t->res->failures++;
		}
	}
	for (i = 0; i < res.n_limited; i++) {
		wn_diag_add(t->d, WN_DIAG_ERROR, path, 0, "%s hit a match "
		    "limit", res.limited[i]);
		t->res->failures++;
	}
out:
	for (i = 0; i < n_ex; i++)
		free(ex[i].name);
	free(ex);
	return rc;
}

/* the whole file at path (at most WN_RULESET_MAX_TEST_SIZE bytes) */
static int
wn_test_read(const char *path, char **data_out, size_t *len_out,
    wn_diag_list *d)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *data;

	if (f == NULL || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		wn_diag_add(d, WN_DIAG_ERROR, path, 0, "%s", f == NULL ?
		    strerror(errno) : "not a regular file");
		if (f != NULL)
			fclose(f);
		return WN_EIO;
	}
	if ((uint64_t)st.st_size > WN_RULESET_MAX_TEST_SIZE) {
		wn_diag_add(d, WN_DIAG_ERROR, path, 0, "test message larger "
		    "than %u bytes", WN_RULESET_MAX_TEST_SIZE);
		fclose(f);
		return WN_ELIMIT;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(f);
		return WN_ENOMEM;
	}
	*len_out = fread(data, 1, (size_t)st.st_size, f);
	data[*len_out] = '\0';
	fclose(f);
	*data_out = data;
	return 0;
}

static int
wn_eml_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 4 &&
	    strcmp(e->d_name + n - 4, ".eml") == 0;
}

/* every tests/NAME.eml; then the coverage of each scoring rule */
static int
wn_test_all(wn_tester *t, const char *dir)
{
	struct dirent **ents = NULL;
	char *tests = NULL;
	size_t i;
	int n, k, rc = 0;

	if (asprintf(&tests, "%s/tests", dir) < 0)
		return WN_ENOMEM;
	n = scandir(tests, &ents, wn_eml_filter, alphasort);
	if (n <= 0) {
		wn_diag_add(t->d, WN_DIAG_ERROR, tests, 0, "%s", n < 0 ?
		    "no tests folder" : "no test messages (*.eml)");
		t->res->failures++;
		n = n < 0 ? 0 : n;
	}
	for (k = 0; k < n; k++) {
		char *path = NULL, *data = NULL;
		size_t len = 0;
		int r;

		if (rc == 0 && asprintf(&path, "%s/%s", tests,
		    ents[k]->d_name) < 0) {
			path = NULL;
			rc = WN_ENOMEM;
		}
		if (rc == 0) {
			r = wn_test_read(path, &data, &len, t->d);
			if (r == WN_ENOMEM)
				rc = r;
			else if (r != 0)
				t->res->failures++;
			else
				rc = wn_test_message(t, path, data, len);
		}
		free(data);
		free(path);
		free(ents[k]);
	}
	free(ents);
	free(tests);
	for (i = 0; rc == 0 && i < wn_rules_count(t->rs); i++) {
		if (!wn_rules_scoring(t->rs, i))
			continue;
		t->res->scoring++;
		if (t->has_hit[i] && t->has_miss[i]) {
			t->res->covered++;
			continue;
		}
		wn_diag_add(t->d, WN_DIAG_ERROR, dir, 0, "%s: no %s test",
		    wn_rules_name(t->rs, i), !t->has_hit[i] ? "hit" : "miss");
		t->res->failures++;
	}
	return rc;
}

/* dir/manifest, and an engine new enough for it */
static void
wn_check_manifest(const char *dir, wn_diag_list *d, wn_manifest *m)
{
	char err[WN_MANIFEST_ERR_LEN];
	int cmp = 0;

	if (wn_manifest_read_dir(dir, m, err) != 0) {
		wn_diag_add(d, WN_DIAG_ERROR, "", 0, "%s", err);
		return;
	}
	if (wn_version_cmp(m->min_engine, WN_VERSION, &cmp) == 0 && cmp > 0)
		wn_diag_add(d, WN_DIAG_ERROR, "", 0, "%s/manifest: needs "
		    "winnow %s or newer (this is %s)", dir, m->min_engine,
		    WN_VERSION);
}

int
wn_ruleset_check(const char *dir, wn_diag_list *d,
    wn_ruleset_check_result *out, wn_manifest *manifest_out,
    wn_rules **rules_out)
{
	wn_ruleset_check_result res;
	wn_manifest m;
	wn_rules *rs = NULL;
	wn_tester t;
	struct stat st;
	size_t errors_before = d->errors;
	int rc;

	memset(&res, 0, sizeof(res));
	memset(&m, 0, sizeof(m));
	memset(&t, 0, sizeof(t));
	if (out != NULL)
		*out = res;
	if (manifest_out != NULL)
		*manifest_out = m;
	if (rules_out != NULL)
		*rules_out = NULL;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		wn_diag_add(d, WN_DIAG_ERROR, dir, 0, "not a rule-set folder");
		return WN_ENOENT;
	}
	wn_check_manifest(dir, d, &m);
	rc = wn_rules_load(&dir, 1, NULL, d, &rs);
	if (rc == WN_ENOMEM)
		goto out;
	if (rs == NULL || d->errors > errors_before)
		goto judge;	/* tests of rules that do not load say nothing */
	res.rules = wn_rules_count(rs);
	t.rs = rs;
	t.d = d;
	t.res = &res;
	t.arena = wn_arena_new(0);
	t.has_hit = calloc(res.rules + 1, 1);
	t.has_miss = calloc(res.rules + 1, 1);
	if (t.arena == NULL || t.has_hit == NULL || t.has_miss == NULL ||
	    wn_rules_worker_new(rs, &t.w) != 0) {
		rc = WN_ENOMEM;
		goto out;
	}
	if ((rc = wn_test_all(&t, dir)) != 0)
		goto out;
judge:
	rc = d->errors > errors_before || res.failures > 0 ? WN_EFORMAT : 0;
out:
	wn_rules_worker_free(&t.w);
	wn_arena_free(&t.arena);
	free(t.has_hit);
	free(t.has_miss);
	if (out != NULL)
		*out = res;
	if (manifest_out != NULL && m.name != NULL)
		*manifest_out = m;
	else
		wn_manifest_fini(&m);
	if (rules_out != NULL && rc != WN_ENOMEM)
		*rules_out = rs;
	else
		wn_rules_free(&rs);
	return rc;
}
