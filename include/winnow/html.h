/*
 * html.h - HTML rendered to the text a reader sees, and its links.
 *
 * wn_html_render walks an HTML document (already UTF-8) once and produces:
 *   - visible text: tags removed, <script>, <style>, <head> content and
 *     comments dropped, character references decoded (named, decimal, hex),
 *     block elements and <br> turned into line breaks, runs of white space
 *     collapsed;
 *   - hidden text: text a reader would not see but a filter would (inline
 *     styles display:none, visibility:hidden, font-size 0 to 2px, opacity 0,
 *     a colour equal or close to its background), kept apart so it can be
 *     tokenized apart; <font size=1> is small print, not hidden;
 *   - URLs from href, src, action, background, cite and formaction
 *     attributes, appended to a wn_url_list with WN_URL_FROM_HTML;
 *   - counts and WN_HTML_* flags for later symbols.
 *
 * Tolerant of any garbage: unclosed tags, stray '<', broken entities,
 * unterminated comments and attributes. Output lives in the arena.
 * Thread-safe (no shared state).
 */
#ifndef WINNOW_HTML_H
#define WINNOW_HTML_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/str.h>
#include <winnow/url.h>

enum {
	WN_HTML_HIDDEN_TEXT = 1u << 0,	/* some text was hidden by a trick */
	WN_HTML_TINY_FONT = 1u << 1,	/* text in a CSS font size <= 2px */
	WN_HTML_LOW_CONTRAST = 1u << 2,	/* text colour close to background */
	WN_HTML_LINK_MISMATCH = 1u << 3, /* link text names another domain */
	WN_HTML_UNBALANCED = 1u << 4,	/* unclosed comment, tag or quote */
	WN_HTML_HAS_FORM = 1u << 5,
	WN_HTML_HAS_SCRIPT = 1u << 6,
	WN_HTML_HAS_IFRAME = 1u << 7,
	WN_HTML_OBFUSCATED = 1u << 8,	/* entities used for plain letters */
	WN_HTML_TRUNCATED = 1u << 9	/* output bound reached */
};

typedef struct wn_html_result {
	wn_str text;		/* visible text, UTF-8, NUL-terminated */
	wn_str hidden;		/* hidden text, UTF-8, NUL-terminated */
	uint32_t flags;		/* WN_HTML_* */
	uint32_t n_tags;
	uint32_t n_images;
	uint32_t n_links;
} wn_html_result;

/*
 * wn_html_render - render html[0..n) as described above, writing at most
 * max_out bytes of visible text. urls may be NULL. Returns 0 or WN_ENOMEM.
 */
int wn_html_render(wn_arena *arena, const char *html, size_t n,
    size_t max_out, wn_url_list *urls, wn_html_result *out);

#endif
