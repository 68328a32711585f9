/*
 * diag.h - diagnostics with file and line, for rule and config parsing.
 *
 * Parsers report into a wn_diag_list instead of printing, so `winnow rules
 * lint` can print every finding with its place and winnowd can log why a
 * reload was refused. The list owns copies of its strings; wn_diag_list_fini
 * frees them. Not thread-safe; one list per load.
 */
#ifndef WINNOW_DIAG_H
#define WINNOW_DIAG_H

#include <stddef.h>

enum wn_diag_severity {
	WN_DIAG_WARNING,
	WN_DIAG_ERROR
};

typedef struct wn_diag {
	enum wn_diag_severity severity;
	char *file;		/* "" when not tied to a file */
	unsigned line;		/* 0 when not tied to a line */
	char *msg;
} wn_diag;

typedef struct wn_diag_list {
	wn_diag *v;
	size_t n;
	size_t cap;
	size_t errors;
	size_t warnings;
	size_t max_kept;	/* findings beyond this are only counted */
	int oom;		/* an allocation failed; findings were lost */
} wn_diag_list;

void wn_diag_list_init(wn_diag_list *l);
void wn_diag_list_fini(wn_diag_list *l);

/* wn_diag_add - record a finding; counts even when it cannot be kept */
void wn_diag_add(wn_diag_list *l, enum wn_diag_severity sev,
    const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
