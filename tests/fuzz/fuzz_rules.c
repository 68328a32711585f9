/*
 * fuzz_rules.c - libFuzzer target for the rule-file reader and compiler.
 *
 * The input is one .cf file. It is loaded (parse, tags, regex compile,
 * prefilter, meta order) and, when anything loaded, run over a small
 * message, so rules read from a hostile file are also matched.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <winnow/arena.h>
#include <winnow/rules.h>

static const char wn_fuzz_msg[] =
    "From: \"A B\" <a@example.com>\nTo: c@example.net\nSubject: hello\n"
    "Content-Type: text/html\n\n<p>Dear friend</p><a href=\"http://x.test/"
    "y\">click here</a>\nmoney money\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	const char *p = path;
	wn_diag_list d;
	wn_rules *rs = NULL;
	wn_rules_worker *w = NULL;
	wn_rules_result res;
	wn_mime_limits lim;
	wn_mime_msg *msg;
	wn_arena *a;
	int fd;

	if (size > 65536 || memmem(data, size, "include", 7) != NULL)
		return 0;	/* includes would read the fuzzer's files */
	fd = memfd_create("rules", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	wn_diag_list_init(&d);
	if (wn_rules_load(&p, 1, NULL, &d, &rs) == 0 && rs != NULL &&
	    wn_rules_worker_new(rs, &w) == 0 &&
	    (a = wn_arena_new(0)) != NULL) {
		wn_mime_limits_default(&lim);
		if (wn_mime_parse(a, wn_fuzz_msg, sizeof(wn_fuzz_msg) - 1, &lim,
		    &msg) == 0)
			(void)wn_rules_match(rs, w, a, msg, wn_fuzz_msg,
			    sizeof(wn_fuzz_msg) - 1, 0, WN_RULES_RUN_ALL, &res);
		wn_arena_free(&a);
	}
	wn_rules_worker_free(&w);
	wn_rules_free(&rs);
	wn_diag_list_fini(&d);
	close(fd);
	return 0;
}
