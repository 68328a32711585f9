/*
 * log.c - the log sink: stderr for the CLI, syslog for the daemon.
 *
 * Level and sink are set once at startup, before threads exist.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <winnow/log.h>

_Atomic int wn__log_level = WN_LOG_NOTICE;
static enum wn_log_sink wn_log_sink_kind = WN_LOG_STDERR;
static const char *wn_log_ident = "winnow";

void
wn_log_open(const char *ident, enum wn_log_sink sink)
{
	wn_log_ident = ident;
	wn_log_sink_kind = sink;
	if (sink == WN_LOG_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
wn_log_set_level(enum wn_log_level level)
{
	wn__log_level = (int)level;
}

enum wn_log_level
wn_log_level_parse(const char *name)
{
	if (strcmp(name, "err") == 0)
		return WN_LOG_ERR;
	if (strcmp(name, "warning") == 0)
		return WN_LOG_WARN;
	if (strcmp(name, "notice") == 0)
		return WN_LOG_NOTICE;
	if (strcmp(name, "debug") == 0)
		return WN_LOG_DEBUG;
	return WN_LOG_INFO;
}

static void wn_log_vemit(int level, int with_errno, int saved_errno,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void
wn_log_vemit(int level, int with_errno, int saved_errno, const char *fmt,
    va_list ap)
{
	char msg[2048];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved_errno));
	}
	if (wn_log_sink_kind == WN_LOG_SYSLOG)
		syslog(level, "%s", msg);
	else
		fprintf(stderr, "%s: %s\n", wn_log_ident, msg);
}

void
wn__log(int level, int with_errno, const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	wn_log_vemit(level, with_errno, saved_errno, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
wn__panic(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	wn__log(WN_LOG_ERR, 0, "panic: %s:%d: %s", file, line, msg);
	abort();
}
