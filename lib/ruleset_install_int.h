/*
 * ruleset_install_int.h - what ruleset_install.c and ruleset_installed.c
 * share.
 */
#ifndef WINNOW_RULESET_INSTALL_INT_H
#define WINNOW_RULESET_INSTALL_INT_H

#include <stddef.h>

#include <winnow/ruleset_install.h>

/* wn__inst_err - format into err (WN_RULESET_INSTALL_ERR_LEN); returns rc */
int wn__inst_err(char *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* wn__inst_link - the version ROOT/NAME/LINK points to, into out; "" when
 * none or not a version */
void wn__inst_link(const char *root, const char *name, const char *link,
    char *out, size_t len);

/* wn__inst_skip_read - the version ROOT/NAME/skip marks, into out; "" */
void wn__inst_skip_read(const char *root, const char *name, char *out,
    size_t len);

/* wn__inst_versions - the VERSION folders of ROOT/NAME into s, oldest
 * first; 0 or an error (err) */
int wn__inst_versions(const char *root, wn_installed_set *s, char *err);

#endif
