/* verdict.c - symbols, weights and the spam decision. */
#include <string.h>

#include <winnow/err.h>
#include <winnow/verdict.h>

void
wn_verdict_init(wn_verdict *vd, double required)
{
	memset(vd, 0, sizeof(*vd));
	vd->required = required;
}

int
wn_verdict_add(wn_arena *arena, wn_verdict *vd, const char *name,
    double weight)
{
	if (vd->n == vd->cap) {
		size_t ncap = vd->cap ? vd->cap * 2 : 16;
		wn_symbol *nv = wn_arena_alloc(arena, ncap * sizeof(*nv));

		if (nv == NULL)
			return WN_ENOMEM;
		if (vd->n)
			memcpy(nv, vd->v, vd->n * sizeof(*nv));
		vd->v = nv;
		vd->cap = ncap;
	}
	vd->v[vd->n].name = name;
	vd->v[vd->n].weight = weight;
	vd->n++;
	vd->score += weight;
	return 0;
}

void
wn_verdict_finish(wn_verdict *vd)
{
	/* Round like the X-Spam-Score header shows it, so the header and
	 * the decision never disagree. */
	double shown = (double)(long long)(vd->score * 10 +
	    (vd->score >= 0 ? 0.5 : -0.5)) / 10;

	vd->spam = shown >= vd->required;
}
