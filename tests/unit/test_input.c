/* test_input.c - message sources: files, mboxes, maildirs, folders. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <winnow/err.h>
#include <winnow/input.h>

static char tmpdir[64];

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/wn-input-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

static void
write_file(const char *rel, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	cr_assert_not_null(f = fopen(path, "w"), "%s: %s", path,
	    strerror(errno));
	fputs(content, f);
	fclose(f);
}

static void
make_dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	cr_assert_eq(mkdir(path, 0755), 0);
}

static char *
path_of(const char *rel)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	return path;
}

TestSuite(input, .init = setup, .fini = teardown);

Test(input, single_file_is_one_message)
{
	wn_input *in;
	wn_input_msg m;

	write_file("one.eml", "Subject: a\n\nbody\n");
	cr_assert_eq(wn_input_open(path_of("one.eml"), 0, &in), 0);
	cr_assert_eq(wn_input_next(in, &m), 1);
	cr_assert_eq(m.len, 17);
	cr_assert_eq(memcmp(m.data, "Subject: a", 10), 0);
	cr_assert_eq(m.index, 0);
	cr_assert_eq(wn_input_next(in, &m), 0);
	wn_input_free(&in);
	cr_assert_null(in);
}

Test(input, mbox_is_split_at_from_lines_after_empty_lines)
{
	wn_input *in;
	wn_input_msg m;

	write_file("box", "From a@b Thu Aug 22 12:00:00 2002\n"
	    "Subject: one\n\nFrom here on, body text\n\n"
	    "From c@d Fri Aug 23 12:00:00 2002\n"
	    "Subject: two\n\nsecond\n");
	cr_assert_eq(wn_input_open(path_of("box"), 0, &in), 0);
	cr_assert_eq(wn_input_next(in, &m), 1);
	cr_assert_eq(m.index, 1);
	cr_assert(m.len == strlen("Subject: one\n\nFrom here on, body text\n"),
	    "got %zu", m.len);
	cr_assert_eq(memcmp(m.data, "Subject: one", 12), 0);
	cr_assert_eq(wn_input_next(in, &m), 1);
	cr_assert_eq(m.index, 2);
	cr_assert_eq(memcmp(m.data, "Subject: two\n\nsecond\n", m.len), 0);
	cr_assert_eq(wn_input_next(in, &m), 0);
	wn_input_free(&in);
}

Test(input, maildir_reads_cur_and_new_but_not_tmp)
{
	wn_input *in;
	wn_input_msg m;
	int n = 0;

	make_dir("md");
	make_dir("md/cur");
	make_dir("md/new");
	make_dir("md/tmp");
	write_file("md/cur/1:2,S", "Subject: cur\n\n");
	write_file("md/new/2", "Subject: new\n\n");
	write_file("md/tmp/3", "Subject: tmp\n\n");
	cr_assert_eq(wn_input_open(path_of("md"), 0, &in), 0);
	while (wn_input_next(in, &m) == 1) {
		cr_assert_null(strstr(m.path, "/tmp/3"));
		n++;
	}
	cr_assert_eq(n, 2);
	wn_input_free(&in);
}

Test(input, folder_is_walked_sorted_and_dot_files_skipped)
{
	wn_input *in;
	wn_input_msg m;

	make_dir("f");
	make_dir("f/sub");
	write_file("f/b", "Subject: b\n\n");
	write_file("f/a", "Subject: a\n\n");
	write_file("f/.hidden", "Subject: h\n\n");
	write_file("f/sub/c", "Subject: c\n\n");
	cr_assert_eq(wn_input_open(path_of("f"), 0, &in), 0);
	cr_assert_eq(wn_input_next(in, &m), 1);
	cr_assert_str_eq(strrchr(m.path, '/'), "/a");
	cr_assert_eq(wn_input_next(in, &m), 1);
	cr_assert_str_eq(strrchr(m.path, '/'), "/b");
	cr_assert_eq(wn_input_next(in, &m), 1);
	cr_assert_str_eq(strrchr(m.path, '/'), "/c");
	cr_assert_eq(wn_input_next(in, &m), 0);
	wn_input_free(&in);
}

Test(input, missing_path_is_enoent)
{
	wn_input *in = NULL;

	cr_assert_eq(wn_input_open(path_of("nope"), 0, &in), WN_ENOENT);
	cr_assert_null(in);
}

Test(input, unreadable_file_is_reported_by_name_and_walk_goes_on)
{
	wn_input *in;
	wn_input_msg m;

	if (geteuid() == 0)
		cr_skip_test("root reads any file");
	make_dir("u");
	write_file("u/a", "Subject: a\n\n");
	write_file("u/b", "Subject: b\n\n");
	cr_assert_eq(chmod(path_of("u/a"), 0), 0);
	cr_assert_eq(wn_input_open(path_of("u"), 0, &in), 0);
	cr_assert_eq(wn_input_next(in, &m), WN_EIO);
	cr_assert_str_eq(strrchr(m.path, '/'), "/a");
	cr_assert_eq(wn_input_next(in, &m), 1);
	cr_assert_str_eq(strrchr(m.path, '/'), "/b");
	wn_input_free(&in);
}

Test(input, oversized_file_is_elimit_and_walk_goes_on)
{
	wn_input *in;
	wn_input_msg m;

	make_dir("s");
	write_file("s/a", "Subject: this one is too long for the limit\n\n");
	write_file("s/b", "S: b\n\n");
	cr_assert_eq(wn_input_open(path_of("s"), 16, &in), 0);
	cr_assert_eq(wn_input_next(in, &m), WN_ELIMIT);
	cr_assert_str_eq(strrchr(m.path, '/'), "/a");
	cr_assert_eq(wn_input_next(in, &m), 1);
	wn_input_free(&in);
}

Test(input, empty_file_is_an_empty_message)
{
	wn_input *in;
	wn_input_msg m;

	write_file("empty", "");
	cr_assert_eq(wn_input_open(path_of("empty"), 0, &in), 0);
	cr_assert_eq(wn_input_next(in, &m), 1);
	cr_assert_eq(m.len, 0);
	cr_assert_eq(wn_input_next(in, &m), 0);
	wn_input_free(&in);
}

Test(input, file_starting_with_a_from_field_is_no_mbox)
{
	static const char msg[] = "From : a@example.com\nSubject: a\n\nbody\n";
	wn_input *in;
	wn_input_msg m;

	write_file("obs.eml", msg);
	cr_assert_eq(wn_input_open(path_of("obs.eml"), 0, &in), 0);
	cr_assert_eq(wn_input_next(in, &m), 1);
	cr_assert_eq(m.len, sizeof(msg) - 1);
	cr_assert_eq(m.index, 0);
	cr_assert_eq(wn_input_next(in, &m), 0);
	wn_input_free(&in);
}

Test(input, large_mbox_is_mapped_and_split)
{
	char path[256];
	wn_input *in;
	wn_input_msg m;
	FILE *f;
	int i, n = 0;

	/* Over the 1 MiB read limit: the mapped path. */
	snprintf(path, sizeof(path), "%s/big", tmpdir);
	cr_assert_not_null(f = fopen(path, "w"));
	for (i = 0; i < 3000; i++) {
		fprintf(f, "From x@example.org Thu Aug 22 12:36:%02d 2002\n"
		    "Subject: %d\n\n", i % 60, i);
		for (int k = 0; k < 8; k++)
			fputs("body line that pads the mailbox past a megabyte\n",
			    f);
		fputc('\n', f);
	}
	fclose(f);
	cr_assert_eq(wn_input_open(path, 0, &in), 0);
	while (wn_input_next(in, &m) == 1) {
		cr_assert_eq(memcmp(m.data, "Subject: ", 9), 0);
		n++;
	}
	cr_assert_eq(n, 3000, "got %d", n);
	wn_input_free(&in);
}
