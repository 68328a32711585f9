/*
 * cli_report.h - what `winnow report preview` and `send` share.
 */
#ifndef WINNOW_CLI_REPORT_H
#define WINNOW_CLI_REPORT_H

#include <winnow/config.h>
#include <winnow/report.h>

/* wn_report_settings - winnow.conf (conf, or the default file if it
 * exists, else defaults); 0 or an exit status after saying why */
int wn_report_settings(const char *conf, wn_settings **out);

/* wn_report_opts_from - report options from the settings */
void wn_report_opts_from(const wn_settings *s, const char *key_id,
    wn_report_opts *o);

/* wn_report_send - `winnow report send` (report_send.c) */
int wn_report_send(int argc, char **argv);

#endif
