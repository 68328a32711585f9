/*
 * diag.c - diagnostics with file and line (see diag.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/diag.h>

#define WN_DIAG_MAX_KEPT 100000

void
wn_diag_list_init(wn_diag_list *l)
{
	memset(l, 0, sizeof(*l));
	l->max_kept = WN_DIAG_MAX_KEPT;
}

void
wn_diag_list_fini(wn_diag_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		wn_free(l->v[i].file);
		wn_free(l->v[i].msg);
	}
	wn_free(l->v);
	memset(l, 0, sizeof(*l));
}

static char *
wn_diag_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = wn_malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

void
wn_diag_add(wn_diag_list *l, enum wn_diag_severity sev, const char *file,
    unsigned line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	wn_diag *d;

	if (sev == WN_DIAG_ERROR)
		l->errors++;
	else
		l->warnings++;
	if (l->n >= l->max_kept)
		return;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 32;
		wn_diag *nv = wn_realloc(l->v, ncap * sizeof(*nv));

		if (nv == NULL) {
			l->oom = 1;
			return;
		}
		l->v = nv;
		l->cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d = &l->v[l->n];
	d->severity = sev;
	d->line = line;
	d->file = wn_diag_strdup(file != NULL ? file : "");
	d->msg = wn_diag_strdup(msg);
	if (d->file == NULL || d->msg == NULL) {
		wn_free(d->file);
		wn_free(d->msg);
		l->oom = 1;
		return;
	}
	l->n++;
}
