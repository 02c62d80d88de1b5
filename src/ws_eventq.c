/* ws_eventq: see ws_eventq.h. */
#include "ws_eventq.h"

#include <stdlib.h>
#include <string.h>

void ws_eventq_init(ws_eventq *q)
{
    memset(q, 0, sizeof *q);
}

void ws_eventq_free(ws_eventq *q)
{
    free(q->h);
    ws_eventq_init(q);
}

/* An unsigned integer with the order of the double t: positive doubles compare like their bit
 * patterns, negative ones reversed. Both zeros map to +0, since -0.0 == 0.0 must tie (and then fall
 * to the key), exactly as a comparison of the doubles would. Integer keys make the comparison below
 * branch-free: the sift loops are dominated by mispredicted branches otherwise. */
static uint64_t time_key(double t)
{
    uint64_t u = 0;
    if (t != 0)
        memcpy(&u, &t, sizeof u);
    return u >> 63 ? ~u : u | 0x8000000000000000ULL;
}

/* a runs before b: (t, key) lexicographically, as 0 or 1 without branches. */
static inline int before(const ws_event *a, const ws_event *b)
{
    return (a->tk < b->tk) | ((a->tk == b->tk) & (a->key < b->key));
}

static ws_event make_event(ws_eventq *q, double t_s, unsigned priority, int32_t type, int32_t a)
{
    ws_event e = {time_key(t_s), ((uint64_t)(priority & 0xffff) << 48) | (q->seq++ & 0xffffffffffffULL), t_s, type,
                  a};
    return e;
}

/* 4-ary heap: children of i are 4i+1 .. 4i+4. Half the depth of a binary heap, and the four
 * children of a node are adjacent in memory (two cache lines). */
static void sift_up(ws_event *h, size_t i, ws_event e)
{
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!before(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

int ws_eventq_push(ws_eventq *q, double t_s, unsigned priority, int32_t type, int32_t a)
{
    if (q->n == q->cap) {
        size_t nc = q->cap ? q->cap * 2 : 256;
        ws_event *nh = realloc(q->h, nc * sizeof *nh);
        if (!nh)
            return -1;
        q->h = nh;
        q->cap = nc;
    }
    ws_event e = make_event(q, t_s, priority, type, a);
    sift_up(q->h, q->n++, e);
    return 0;
}

int ws_eventq_push_slot(ws_eventq *q, unsigned slot, double t_s, unsigned priority, int32_t type, int32_t a)
{
    if (slot >= WS_EVENTQ_SLOTS || (q->slot_used >> slot & 1u))
        return -1;
    q->slot[slot] = make_event(q, t_s, priority, type, a);
    q->slot_used |= 1u << slot;
    return 0;
}

/* Index of the smallest of the children c .. c+k-1 (k <= 4), choosing by conditional moves. */
static size_t min_child(const ws_event *h, size_t c, size_t k)
{
    size_t m = c;
    for (size_t j = 1; j < k; j++)
        m = before(&h[c + j], &h[m]) ? c + j : m;
    return m;
}

/* The same for four children, as a tournament: two independent comparisons, then one, a shorter
 * dependency chain than three in a row. Ties cannot happen (keys are unique). */
static size_t min_of_four(const ws_event *h, size_t c)
{
    size_t a = before(&h[c + 1], &h[c]) ? c + 1 : c;
    size_t b = before(&h[c + 3], &h[c + 2]) ? c + 3 : c + 2;
    return before(&h[b], &h[a]) ? b : a;
}

/* Remove the heap's root: Floyd's variant moves the hole down along the smallest children to a
 * leaf without comparing to the displaced last element (which nearly always belongs at the bottom),
 * then sifts that element up from the hole. Same result as the textbook loop, fewer comparisons. */
static void heap_remove_root(ws_eventq *q)
{
    ws_event last = q->h[--q->n];
    size_t n = q->n, i = 0;
    if (!n)
        return;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t m = c + 4 <= n ? min_of_four(q->h, c) : min_child(q->h, c, n - c);
        q->h[i] = q->h[m];
        i = m;
    }
    sift_up(q->h, i, last);
}

/* The slot holding the earliest slot event, or -1 when none is used. */
static int min_slot(const ws_eventq *q)
{
    int best = -1;
    for (unsigned s = 0, used = q->slot_used; used; s++, used >>= 1)
        if ((used & 1u) && (best < 0 || before(&q->slot[s], &q->slot[best])))
            best = (int)s;
    return best;
}

int ws_eventq_pop(ws_eventq *q, ws_event *out)
{
    int s = q->slot_used ? min_slot(q) : -1;
    if (s >= 0 && (!q->n || before(&q->slot[s], &q->h[0]))) {
        *out = q->slot[s];
        q->slot_used &= ~(1u << s);
        return 1;
    }
    if (!q->n)
        return 0;
    *out = q->h[0];
    heap_remove_root(q);
    return 1;
}

const ws_event *ws_eventq_peek(const ws_eventq *q)
{
    int s = q->slot_used ? min_slot(q) : -1;
    if (s >= 0 && (!q->n || before(&q->slot[s], &q->h[0])))
        return &q->slot[s];
    return q->n ? &q->h[0] : NULL;
}
