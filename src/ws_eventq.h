/* ws_eventq: the simulator's event queue, a binary min-heap ordered by (time, priority, insertion
 * order), so that events at the same instant run in a fixed, documented order and runs are
 * deterministic. Holds only pending events: O(running jobs + streams + sites). */
#ifndef WS_EVENTQ_H
#define WS_EVENTQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double t_s;
    uint64_t key;  /* priority << 48 | sequence */
    int32_t type;
    int32_t a;     /* payload: job slot, stream or site */
} ws_event;

typedef struct {
    ws_event *h;
    size_t n, cap;
    uint64_t seq;
} ws_eventq;

void ws_eventq_init(ws_eventq *q);
void ws_eventq_free(ws_eventq *q);
/* priority 0..65535, lower runs first at equal times. Returns 0, -1 when out of memory. */
int ws_eventq_push(ws_eventq *q, double t_s, unsigned priority, int32_t type, int32_t a);
/* Remove the earliest event into *e; returns 0 when empty. */
int ws_eventq_pop(ws_eventq *q, ws_event *e);
/* The earliest event without removing it, or NULL. */
const ws_event *ws_eventq_peek(const ws_eventq *q);

#endif
