/*
 * input.c - message sources: files, mboxes, maildirs, folders, stdin.
 *
 * A folder is listed once, recursively and sorted, when it is opened; files
 * are then mapped one at a time and cut into messages. A folder or file
 * that cannot be read stays in the list so that its error is reported with
 * its name when its turn comes, and the walk goes on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winnow/alloc.h>
#include <winnow/buf.h>
#include <winnow/err.h>
#include <winnow/input.h>

struct wn_input {
	char **paths;		/* files to read, in order */
	size_t n_paths;
	size_t cap_paths;
	size_t next_path;
	size_t max_bytes;
	bool is_stdin;
	bool stdin_done;

	/* The current file. */
	const char *path;
	char *map;		/* mmap'ed file, or NULL */
	size_t map_len;
	wn_buf buf;		/* standard input and small files */
	const char *data;	/* file bytes */
	size_t len;
	size_t pos;		/* next message starts here */
	bool have_file;		/* data holds a file being cut */
	bool yielded;		/* a plain file's message was returned */
	bool mbox;
	size_t index;
};

static int
wn_input_push(wn_input *in, const char *path)
{
	char *dup;

	if (in->n_paths == in->cap_paths) {
		size_t ncap = in->cap_paths ? in->cap_paths * 2 : 16;
		char **np = wn_realloc(in->paths, ncap * sizeof(*np));

		if (np == NULL)
			return WN_ENOMEM;
		in->paths = np;
		in->cap_paths = ncap;
	}
	if ((dup = wn_malloc(strlen(path) + 1)) == NULL)
		return WN_ENOMEM;
	strcpy(dup, path);
	in->paths[in->n_paths++] = dup;
	return 0;
}

static bool
wn_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
wn_input_walk(wn_input *in, const char *dir, unsigned depth)
{
	struct dirent **names;
	char sub[4096];
	bool maildir;
	int i, n, rc = 0;

	/* Unreadable or absurdly deep: report it when its turn comes. */
	if (depth > 64 || (n = scandir(dir, &names, NULL, alphasort)) < 0)
		return wn_input_push(in, dir);
	snprintf(sub, sizeof(sub), "%s/cur", dir);
	maildir = wn_is_dir(sub);
	snprintf(sub, sizeof(sub), "%s/new", dir);
	maildir = maildir && wn_is_dir(sub);
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (rc == 0 && name[0] != '.' &&
		    !(maildir && strcmp(name, "tmp") == 0)) {
			size_t dl = strlen(dir);

			while (dl > 1 && dir[dl - 1] == '/')
				dl--;
			if ((size_t)snprintf(sub, sizeof(sub), "%.*s/%s", (int)dl,
			    dir, name) >= sizeof(sub))
				rc = wn_input_push(in, name);
			else if (wn_is_dir(sub))
				rc = wn_input_walk(in, sub, depth + 1);
			else
				rc = wn_input_push(in, sub);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
wn_input_open(const char *path, size_t max_bytes, wn_input **in_out)
{
	wn_input *in;
	struct stat st;
	int rc;

	*in_out = NULL;
	if ((in = wn_calloc(1, sizeof(*in))) == NULL)
		return WN_ENOMEM;
	in->max_bytes = max_bytes;
	wn_buf_init(&in->buf);
	if (strcmp(path, "-") == 0) {
		in->is_stdin = true;
		*in_out = in;
		return 0;
	}
	if (stat(path, &st) != 0) {
		int e = errno;

		wn_free(in);
		errno = e;
		return e == ENOENT ? WN_ENOENT : WN_EIO;
	}
	rc = S_ISDIR(st.st_mode) ? wn_input_walk(in, path, 0) :
	    wn_input_push(in, path);
	if (rc != 0) {
		wn_input_free(&in);
		return rc;
	}
	*in_out = in;
	return 0;
}

static void
wn_input_close_file(wn_input *in)
{
	if (in->map != NULL)
		munmap(in->map, in->map_len);
	in->map = NULL;
	in->map_len = 0;
	in->data = NULL;
	in->len = 0;
	in->pos = 0;
	in->have_file = false;
	in->mbox = false;
	in->index = 0;
}

/* Read fd to its end into in->buf. */
static int
wn_input_read_fd(wn_input *in, int fd)
{
	ssize_t r;

	wn_buf_reset(&in->buf);
	for (;;) {
		if (wn_buf_reserve(&in->buf, 65536) != 0)
			return WN_ENOMEM;
		r = read(fd, in->buf.data + in->buf.len,
		    in->buf.cap - in->buf.len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return WN_EIO;
		}
		if (r == 0)
			break;
		in->buf.len += (size_t)r;
		if (in->max_bytes && in->buf.len > in->max_bytes)
			return WN_ELIMIT;
	}
	in->data = in->buf.data ? in->buf.data : "";
	in->len = in->buf.len;
	return 0;
}

static int
wn_input_read_stdin(wn_input *in)
{
	return wn_input_read_fd(in, STDIN_FILENO);
}

/*
 * Files up to this size are read into a reused buffer; larger ones (an
 * mbox) are mapped. Mapping and unmapping every small message cost more
 * in TLB flushes than reading it.
 */
#define WN_INPUT_READ_MAX ((size_t)1 << 20)

static int
wn_input_map(wn_input *in, const char *path)
{
	struct stat st;
	int fd, e, rc;
	void *m;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? WN_ENOENT : WN_EIO;
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return WN_EIO;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return WN_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return WN_EIO;
	}
	if (in->max_bytes && (size_t)st.st_size > in->max_bytes) {
		close(fd);
		return WN_ELIMIT;
	}
	in->data = "";
	in->len = 0;
	if ((size_t)st.st_size <= WN_INPUT_READ_MAX) {
		e = 0;
		if ((rc = wn_input_read_fd(in, fd)) == WN_EIO)
			e = errno;
		close(fd);
		errno = e;
		return rc;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		e = errno;
		close(fd);
		errno = e;
		return WN_EIO;
	}
	in->map = m;
	in->map_len = (size_t)st.st_size;
	in->data = m;
	in->len = (size_t)st.st_size;
	close(fd);
	return 0;
}

/*
 * Whether the line at p looks like an mbox separator: "From " and a time
 * of day somewhere on it ("From sender Thu Aug 22 12:36:23 2002"). Body
 * lines that merely start with "From " rarely carry one.
 */
static bool
wn_mbox_sep_line(const char *p, const char *end)
{
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	const char *q;

	if (eol == NULL)
		eol = end;
	for (q = p + 5; q + 4 < eol; q++)
		if (q[2] == ':' && q[0] >= '0' && q[0] <= '9' && q[1] >= '0' &&
		    q[1] <= '9' && q[3] >= '0' && q[3] <= '9' && q[4] >= '0' &&
		    q[4] <= '9')
			return true;
	return false;
}

/* Whether a file starts like an mbox: "From " but not the header field
 * "From : x" (obsolete syntax allows blanks before the colon). */
static bool
wn_mbox_start(const char *p, size_t n)
{
	size_t i = 4;

	if (n < 5 || memcmp(p, "From ", 5) != 0)
		return false;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i == n || p[i] != ':';
}

/* Start of the next mbox separator line at or after from, or NULL. */
static const char *
wn_mbox_next_sep(const char *from, const char *end)
{
	const char *p = from;

	while (p < end) {
		const char *q = memmem(p, (size_t)(end - p), "\nFrom ", 6);

		if (q == NULL)
			return NULL;
		/* A separator follows an empty line. */
		if (((q > from && q[-1] == '\n') ||
		    (q > from + 1 && q[-1] == '\r' && q[-2] == '\n')) &&
		    wn_mbox_sep_line(q + 1, end))
			return q + 1;
		p = q + 1;
	}
	return NULL;
}

/* Cut the next mbox message out of the current file into msg. */
static void
wn_input_cut(wn_input *in, wn_input_msg *msg)
{
	const char *start = in->data + in->pos, *end = in->data + in->len;
	const char *sep, *mend;

	/* Skip the "From " line itself. */
	sep = memchr(start, '\n', (size_t)(end - start));
	start = sep ? sep + 1 : end;
	sep = wn_mbox_next_sep(start, end);
	mend = sep ? sep : end;
	/* The empty line before the separator belongs to the mbox. */
	if (sep != NULL) {
		if (mend > start && mend[-1] == '\n')
			mend--;
		if (mend > start && mend[-1] == '\r')
			mend--;
	}
	msg->data = start;
	msg->len = (size_t)(mend - start);
	msg->index = ++in->index;
	in->pos = sep ? (size_t)(sep - in->data) : in->len;
}

int
wn_input_next(wn_input *in, wn_input_msg *msg)
{
	int rc;

	memset(msg, 0, sizeof(*msg));
	for (;;) {
		if (in->have_file) {
			msg->path = in->path;
			if (in->mbox && in->pos < in->len) {
				wn_input_cut(in, msg);
				return 1;
			}
			if (!in->mbox && !in->yielded) {
				in->yielded = true;
				msg->data = in->data;
				msg->len = in->len;
				return 1;
			}
			wn_input_close_file(in);
		}
		if (in->is_stdin) {
			if (in->stdin_done)
				return 0;
			in->stdin_done = true;
			in->path = "-";
			msg->path = in->path;
			if ((rc = wn_input_read_stdin(in)) != 0)
				return rc;
		} else {
			if (in->next_path >= in->n_paths)
				return 0;
			in->path = in->paths[in->next_path++];
			msg->path = in->path;
			if ((rc = wn_input_map(in, in->path)) != 0)
				return rc;
		}
		in->have_file = true;
		in->yielded = false;
		in->mbox = wn_mbox_start(in->data, in->len);
	}
}

void
wn_input_free(wn_input **inp)
{
	wn_input *in;
	size_t i;

	if (inp == NULL || (in = *inp) == NULL)
		return;
	wn_input_close_file(in);
	for (i = 0; i < in->n_paths; i++)
		wn_free(in->paths[i]);
	wn_free(in->paths);
	wn_buf_fini(&in->buf);
	wn_free(in);
	*inp = NULL;
}
