/*
 * log.h - leveled logging with one sink chosen at startup.
 *
 * The CLI logs to stderr, winnowd to syslog. A call below the active level
 * costs one comparison: the macros check the level before any formatting.
 * The level and sink are the only process-wide state of this module and are
 * set before threads start. No addresses, subjects or message content are
 * logged above debug level.
 */
#ifndef WINNOW_LOG_H
#define WINNOW_LOG_H

enum wn_log_level {
	WN_LOG_ERR = 3,
	WN_LOG_WARN = 4,
	WN_LOG_NOTICE = 5,
	WN_LOG_INFO = 6,
	WN_LOG_DEBUG = 7
};

enum wn_log_sink {
	WN_LOG_STDERR,
	WN_LOG_SYSLOG
};

extern _Atomic int wn__log_level;	/* changed by reloads */

/* wn_log_open - choose sink and program name (ident is borrowed) */
void wn_log_open(const char *ident, enum wn_log_sink sink);
void wn_log_set_level(enum wn_log_level level);

/* wn_log_level_parse - "err", "warning", "notice", "info" or "debug";
 * WN_LOG_INFO for anything else */
enum wn_log_level wn_log_level_parse(const char *name);

void wn__log(int level, int with_errno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define WN_LOG_AT(lvl, errno_, ...) \
	do { \
		if ((lvl) <= wn__log_level) \
			wn__log((lvl), (errno_), __VA_ARGS__); \
	} while (0)

#define wn_log_err(...)		WN_LOG_AT(WN_LOG_ERR, 0, __VA_ARGS__)
#define wn_log_warn(...)	WN_LOG_AT(WN_LOG_WARN, 0, __VA_ARGS__)
#define wn_log_notice(...)	WN_LOG_AT(WN_LOG_NOTICE, 0, __VA_ARGS__)
#define wn_log_info(...)	WN_LOG_AT(WN_LOG_INFO, 0, __VA_ARGS__)
#define wn_log_debug(...)	WN_LOG_AT(WN_LOG_DEBUG, 0, __VA_ARGS__)
#define wn_log_err_errno(...)	WN_LOG_AT(WN_LOG_ERR, 1, __VA_ARGS__)
#define wn_log_warn_errno(...)	WN_LOG_AT(WN_LOG_WARN, 1, __VA_ARGS__)

/* wn_panic - report a broken invariant with its location and abort */
#define wn_panic(...) wn__panic(__FILE__, __LINE__, __VA_ARGS__)
void wn__panic(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

#define wn_assert(cond) \
	do { \
		if (!(cond)) \
			wn_panic("assertion failed: %s", #cond); \
	} while (0)

#endif
