/*
 * arena.c - chunked bump allocator with destructors.
 *
 * Chunks form a list, newest first. A request larger than a quarter of the
 * chunk size gets a chunk of its own so big decoded bodies do not waste the
 * tail of a shared chunk. Reset keeps a few default-size chunks, so a
 * session that parses message after message allocates nothing in steady
 * state for ordinary mail.
 */
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/arena.h>
#include <winnow/err.h>

#define WN_ARENA_DEFAULT_CHUNK	(64 * 1024)
#define WN_ARENA_KEEP_CHUNKS	4	/* default-size chunks kept on reset */
#define WN_ARENA_ALIGN		alignof(max_align_t)

struct wn_arena_chunk {
	struct wn_arena_chunk *next;
	size_t size;		/* usable bytes in data */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct wn_arena_dtor {
	struct wn_arena_dtor *next;
	void (*fn)(void *);
	void *obj;
};

struct wn_arena {
	struct wn_arena_chunk *chunks;
	struct wn_arena_dtor *dtors;
	size_t chunk_size;
	size_t used;		/* bytes handed out since reset */
	void *last;		/* most recent allocation, for trim */
};

static struct wn_arena_chunk *
wn_arena_chunk_new(size_t size)
{
	struct wn_arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	if ((c = wn_malloc(sizeof(*c) + size)) == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

wn_arena *
wn_arena_new(size_t chunk_size)
{
	wn_arena *a;

	if ((a = wn_calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->chunk_size = chunk_size ? chunk_size : WN_ARENA_DEFAULT_CHUNK;
	return a;
}

static void
wn_arena_run_dtors(wn_arena *a)
{
	struct wn_arena_dtor *d;

	/* Destructor records live in the arena itself: read next first. */
	for (d = a->dtors; d != NULL; d = d->next)
		d->fn(d->obj);
	a->dtors = NULL;
}

void
wn_arena_reset(wn_arena *a)
{
	struct wn_arena_chunk *c, *next, *keep = NULL;
	unsigned kept = 0;

	if (a == NULL)
		return;
	wn_arena_run_dtors(a);
	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		if (kept < WN_ARENA_KEEP_CHUNKS && c->size == a->chunk_size) {
			c->used = 0;
			c->next = keep;
			keep = c;
			kept++;
		} else
			wn_free(c);
	}
	a->chunks = keep;
	a->used = 0;
	a->last = NULL;
}

void
wn_arena_free(wn_arena **ap)
{
	wn_arena *a;
	struct wn_arena_chunk *c, *next;

	if (ap == NULL || (a = *ap) == NULL)
		return;
	wn_arena_run_dtors(a);
	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		wn_free(c);
	}
	wn_free(a);
	*ap = NULL;
}

void *
wn_arena_alloc(wn_arena *a, size_t size)
{
	struct wn_arena_chunk *c;
	size_t need;
	void *p;

	if (size > SIZE_MAX - WN_ARENA_ALIGN)
		return NULL;
	need = (size + WN_ARENA_ALIGN - 1) & ~(size_t)(WN_ARENA_ALIGN - 1);
	if (need == 0)
		need = WN_ARENA_ALIGN;
	c = a->chunks;
	if (c == NULL || c->size - c->used < need) {
		if (need > a->chunk_size / 4) {
			/* Big object: own chunk, linked behind the current
			 * one so the current chunk's free tail stays usable. */
			struct wn_arena_chunk *big = wn_arena_chunk_new(need);

			if (big == NULL)
				return NULL;
			big->used = need;
			if (c != NULL) {
				big->next = c->next;
				c->next = big;
			} else
				a->chunks = big;
			a->used += need;
			a->last = NULL;
			return big->data;
		}
		if ((c = wn_arena_chunk_new(a->chunk_size)) == NULL)
			return NULL;
		c->next = a->chunks;
		a->chunks = c;
	}
	p = c->data + c->used;
	c->used += need;
	a->used += need;
	a->last = p;
	return p;
}

void *
wn_arena_calloc(wn_arena *a, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	if ((p = wn_arena_alloc(a, n * size)) != NULL)
		memset(p, 0, n * size);
	return p;
}

char *
wn_arena_memdup(wn_arena *a, const void *p, size_t n)
{
	char *s;

	if (n == SIZE_MAX || (s = wn_arena_alloc(a, n + 1)) == NULL)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
wn_arena_strdup(wn_arena *a, const char *s)
{
	return wn_arena_memdup(a, s, strlen(s));
}

void
wn_arena_trim(wn_arena *a, void *p, size_t new_size)
{
	struct wn_arena_chunk *c = a->chunks;
	size_t off, need, old;

	if (p == NULL || p != a->last || c == NULL)
		return;
	off = (size_t)((unsigned char *)p - c->data);
	need = (new_size + WN_ARENA_ALIGN - 1) & ~(size_t)(WN_ARENA_ALIGN - 1);
	if (need == 0)
		need = WN_ARENA_ALIGN;
	old = c->used - off;
	if (need >= old)
		return;
	c->used = off + need;
	a->used -= old - need;
}

int
wn_arena_on_free(wn_arena *a, void (*fn)(void *), void *obj)
{
	struct wn_arena_dtor *d;

	if ((d = wn_arena_alloc(a, sizeof(*d))) == NULL)
		return WN_ENOMEM;
	d->fn = fn;
	d->obj = obj;
	d->next = a->dtors;
	a->dtors = d;
	return 0;
}

size_t
wn_arena_used(const wn_arena *a)
{
	return a->used;
}
