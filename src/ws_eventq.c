/* ws_eventq: see ws_eventq.h. */
#include "ws_eventq.h"

#include <stdlib.h>

void ws_eventq_init(ws_eventq *q)
{
    q->h = NULL;
    q->n = q->cap = 0;
    q->seq = 0;
}

void ws_eventq_free(ws_eventq *q)
{
    free(q->h);
    ws_eventq_init(q);
}

static int before(const ws_event *a, const ws_event *b)
{
    return a->t_s < b->t_s || (a->t_s == b->t_s && a->key < b->key);
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
    ws_event e = {t_s, ((uint64_t)(priority & 0xffff) << 48) | (q->seq++ & 0xffffffffffffULL), type, a};
    size_t i = q->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &q->h[p]))
            break;
        q->h[i] = q->h[p];
        i = p;
    }
    q->h[i] = e;
    return 0;
}

int ws_eventq_pop(ws_eventq *q, ws_event *out)
{
    if (!q->n)
        return 0;
    *out = q->h[0];
    ws_event last = q->h[--q->n];
    size_t i = 0, n = q->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&q->h[c + 1], &q->h[c]))
            c++;
        if (!before(&q->h[c], &last))
            break;
        q->h[i] = q->h[c];
        i = c;
    }
    if (n)
        q->h[i] = last;
    return 1;
}

const ws_event *ws_eventq_peek(const ws_eventq *q)
{
    return q->n ? &q->h[0] : NULL;
}
