/* ws_plausible: the physical bounds a measured number must respect before it is stored (docs/formats.md,
 * "Plausibility"). A value outside them is far more likely a unit mix-up or a corrupt row than a
 * measurement: ingest refuses it (exit 2) unless told --allow-implausible. */
#ifndef WS_PLAUSIBLE_H
#define WS_PLAUSIBLE_H

#include <stddef.h>

#include "ws_ingest.h"

#define WS_MAX_GPU_W 2000.0   /* one GPU board: H100 SXM 700 W, B200 1,000-1,200 W; x ~2 margin */
#define WS_MAX_NODE_W 20000.0 /* one machine: a DGX B200 draws ~14.3 kW at most */
#define WS_MAX_CPU_W 1000.0   /* one CPU package: an EPYC 9965 is rated 500 W; x 2 margin */

/* NULL when the sample is plausible, else a message naming the field and the bound (into buf). device:
 * the profile's device ("" or "host": a machine; "socket"/"package"/"cpu" + number: a CPU package; any
 * other: one GPU of a per-GPU log), which picks the bound for its power. */
const char *ws_plausible_sample(const ws_sample *s, const char *device, char *buf, size_t size);
/* The same for a finished profile: energy >= 0, mean power (energy / duration) within one machine's
 * bound; whole_job: the profile may span several machines (a jobs table row), so only the sign counts. */
const char *ws_plausible_profile(const ws_profile *p, int whole_job, char *buf, size_t size);

#endif
