/* ws_eventq: the simulator's event queue, ordered by (time, priority, insertion order), so that events
 * at the same instant run in a fixed, documented order and runs are deterministic. Holds only pending
 * events: O(running jobs + streams + sites).
 *
 * Two stores, one order: a 4-ary min-heap, and a few "stream slots" for sources that never have more
 * than one pending event (the trace reader, a class's Poisson arrivals). An arrival is always near the
 * front of the queue, so through the heap it would cost a full sift-up and a full sift-down per job;
 * in a slot it costs one comparison per pop. Every push, heap or slot, takes the next sequence number,
 * so the order in which events come out is exactly that of a single heap. */
#ifndef WS_EVENTQ_H
#define WS_EVENTQ_H

#include <stddef.h>
#include <stdint.h>

#define WS_EVENTQ_SLOTS 4

typedef struct {
    uint64_t tk;   /* t_s as an unsigned integer of the same order (see ws_eventq.c) */
    uint64_t key;  /* priority << 48 | sequence */
    double t_s;
    int32_t type;
    int32_t a;     /* payload: job slot, stream or site */
} ws_event;

typedef struct {
    ws_event *h;
    size_t n, cap;
    uint64_t seq;
    ws_event slot[WS_EVENTQ_SLOTS];
    unsigned slot_used; /* bit i: slot i holds an event */
} ws_eventq;

void ws_eventq_init(ws_eventq *q);
void ws_eventq_free(ws_eventq *q);
/* priority 0..65535, lower runs first at equal times. Returns 0, -1 when out of memory. */
int ws_eventq_push(ws_eventq *q, double t_s, unsigned priority, int32_t type, int32_t a);
/* The same into stream slot 0..WS_EVENTQ_SLOTS-1, which must be empty (the slot's previous event has
 * been popped). Returns 0, -1 when the slot is out of range or taken. */
int ws_eventq_push_slot(ws_eventq *q, unsigned slot, double t_s, unsigned priority, int32_t type, int32_t a);
/* Remove the earliest event into *e; returns 0 when empty. */
int ws_eventq_pop(ws_eventq *q, ws_event *e);
/* The earliest event without removing it, or NULL. */
const ws_event *ws_eventq_peek(const ws_eventq *q);

#endif
