/*
 * test_golden.c - golden files for the MIME parser.
 *
 * Every tests/data/mime/<case>.eml is parsed and dumped as JSON (the
 * layout of `winnow parse --json --pretty --text`); the dump must equal
 * <case>.expect byte for byte. WN_UPDATE_GOLDEN=1 rewrites the .expect
 * files instead (review the diff before committing it).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/arena.h>
#include <winnow/buf.h>
#include <winnow/json.h>
#include <winnow/mime.h>
#include <winnow/mime_dump.h>

#define GOLDEN_DIR WN_TEST_DATA "/mime"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
dump(const char *eml, size_t len, wn_buf *out)
{
	wn_arena *a = wn_arena_new(0);
	wn_mime_msg *m;
	wn_json j;

	cr_assert_eq(wn_mime_parse(a, eml, len, NULL, &m), 0);
	wn_json_init(&j, out, 2);
	wn_json_obj_begin(&j);
	wn_mime_dump_json(m, WN_DUMP_TEXT, &j);
	wn_json_obj_end(&j);
	wn_buf_putc(out, '\n');
	wn_arena_free(&a);
}

/* First differing line, for a readable failure. */
static void
report_diff(const char *name, const char *got, const char *want)
{
	int line = 1;
	const char *g = got, *w = want;

	while (*g && *g == *w) {
		if (*g == '\n')
			line++;
		g++;
		w++;
	}
	const char *ge = strchr(g, '\n'), *we = strchr(w, '\n');

	cr_log_error("%s.expect line %d:\n  got:  %.*s\n  want: %.*s", name,
	    line, ge ? (int)(ge - g) : (int)strlen(g), g,
	    we ? (int)(we - w) : (int)strlen(w), w);
}

Test(golden, mime_dumps_match_expected_files)
{
	struct dirent **names;
	int i, n, cases = 0, failed = 0;
	bool update = getenv("WN_UPDATE_GOLDEN") != NULL;

	n = scandir(GOLDEN_DIR, &names, NULL, alphasort);
	cr_assert_geq(n, 0, "cannot list %s", GOLDEN_DIR);
	for (i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		size_t dl = strlen(d), len, elen;
		char path[1024], epath[1024];
		char *eml, *want;
		wn_buf got;

		if (dl < 5 || strcmp(d + dl - 4, ".eml") != 0) {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, d);
		snprintf(epath, sizeof(epath), "%s/%.*s.expect", GOLDEN_DIR,
		    (int)(dl - 4), d);
		eml = slurp(path, &len);
		cr_assert_not_null(eml, "cannot read %s", path);
		wn_buf_init(&got);
		dump(eml, len, &got);
		cases++;
		if (update) {
			FILE *f = fopen(epath, "wb");

			cr_assert_not_null(f);
			fwrite(got.data, 1, got.len, f);
			fclose(f);
		} else if ((want = slurp(epath, &elen)) == NULL) {
			cr_log_error("%s: no expected file %s", d, epath);
			failed++;
		} else {
			if (elen != got.len || memcmp(want, got.data, elen) != 0) {
				report_diff(d, got.data, want);
				failed++;
			}
			free(want);
		}
		wn_buf_fini(&got);
		free(eml);
		free(names[i]);
	}
	free(names);
	cr_assert_geq(cases, 20, "only %d golden cases found", cases);
	cr_assert_eq(failed, 0, "%d of %d golden cases differ", failed, cases);
}
