/* ws_sim: see ws_sim.h. Layout: state structs; random streams; node power and the per-group segment
 * trees that make first-fit O(log nodes); site integration (energy, CO2, cost, hourly buckets);
 * queues; placement; starting and ending jobs; EASY backfilling; arrivals and dispatch (incl. the
 * greenest / cheapest / energy-aware policies); temporal shifting; idle power-down; the main event
 * loop. Events at one instant run in the order: series steps and hour ticks, job ends, delayed job
 * starts (after a wake-up) and node switch-offs, arrivals and releases of deferred jobs, horizon end;
 * then every site touched runs one scheduling pass. */
#include "ws_sim.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ws_eventq.h"
#include "ws_trace.h"

enum { EV_STEP = 1, EV_HOUR, EV_END, EV_ARRIVE_TRACE, EV_ARRIVE_CLASS, EV_HORIZON, EV_RELEASE, EV_START, EV_OFF, EV_CYCLE, EV_PILOT };
enum { PD_AWAKE = 0, PD_OFF = 1, PD_WAKING = 2 };      /* node power states under power_down */
enum { APPLY_ALLOC = 1, APPLY_LOAD = 2 };              /* what job_apply changes */
enum { PRIO_STEP = 0, PRIO_END = 1, PRIO_ARRIVE = 2, PRIO_HORIZON = 3 };

typedef struct {
    int64_t id;
    double submit_s, runtime_s, z, start_s, end_s, sjf_key, util, deadline_s;
    double power_factor; /* of the runtime spec on the node type it runs on */
    double elig_s;       /* when it entered its site's queue: Slurm's age counts from here */
    int cores, gpus, cls;
    int pin_group;   /* energy-aware: the only group (index + 1) it may run on; 0 = any */
    int site, group, node, nnodes;
    int *nodes;      /* nnodes > 1: the whole nodes it holds */
    int run_idx;     /* position in its site's running array */
    int end_idx;     /* EASY: position in its site's end-ordered heap */
    int shape;       /* EASY: index in sim_t.shapes */
    size_t qpos;     /* ring position while queued (fifo / easy) */
    int next_free;
    int pilot;       /* pilots: this engine job is pilot (index + 1) of sim_t.pilots; else 0 */
    int in_pilot;    /* pilots: a payload running inside pilot (index + 1); else 0 */
    uint64_t seq;
} job_t;

/* A multi-core pilot (scenarios/README.md, "submission"): engine job j holds `cores` cores on one node
 * from begin_s to at most expiry_s; payloads start inside it while free_c allows and they end by
 * expiry_s. idle_at_s: when it leaves if it is still without payload (an EV_PILOT is due then);
 * pending: EV_PILOT events not yet popped (the record is reused only when none is left). */
enum { PS_QUEUED = 0, PS_STARTING, PS_RUNNING, PS_DONE };
typedef struct {
    int32_t j;
    int site, free_c, n_pay, open_idx, heap_idx, state, pending, next_free;
    double begin_s, expiry_s, idle_at_s;
} pilot_t;

/* Payloads of one core count waiting at a site, in arrival order (j -1: started); mt: a min-tree over
 * positions 0..cap-1, per tree node n the shortest runtime on each node group g, mt[n * groups + g]. */
typedef struct {
    int32_t *j;
    uint64_t *ord;
    double *mt;
    size_t head, tail, cap;
} pbucket_t;

typedef struct {
    int *a, n, cap; /* pilot indices, a max-heap by expiry */
} pheap_t;

typedef struct {
    const ws_node_group *g;
    int first, count, size;
    int *mc, *mg;    /* segment trees: max free cores / GPUs below each node of the tree */
    int *amc, *amg;  /* power_down: the same over nodes that are not off (off = -1); else NULL */
    int full_free;   /* nodes with nothing allocated */
    double gpu_idle_w;
} group_t;

/* A dispatch index entry: a site's key and index (the min of a subtree, ties to the lower index). */
typedef struct {
    double key;
    int site;
} dkey_t;

/* A job's shape for EASY: the jobs of one shape fit the same places. */
typedef struct {
    int cls, pin, cores, gpus;
} shape_t;

/* An entry of the end-ordered heap: the key is copied in so that sifting touches only the heap. */
typedef struct {
    double end_s;
    uint64_t seq;
    int32_t j;
} endh_t;

/* Ring positions (never reused: the ring's positions only grow) of one shape's queued jobs, in queue
 * order; entries of jobs that have started stay until skipped at the front or compacted. */
typedef struct {
    size_t *pos;
    int lo, n, cap;
} shape_list_t;

/* One node the blocked head's reservation holds (see easy_reserve): a long candidate sees at most
 * (c, g) free on it (WHOLE: nothing while unspoiled). saved_* keep the real free counts while the
 * restricted view is on. */
typedef struct {
    int node, c, g, spoiled, saved_c, saved_g;
} resv_node_t;

enum { RESV_NONE = 0, RESV_NODE = 1, RESV_WHOLE = 2 };

/* EASY backfilling state of one site (memory O(nodes + running + reservation), built once). */
typedef struct {
    endh_t *endh;             /* running jobs, binary heap by (end_s, seq), kept while heads block */
    int endh_n, endh_cap;
    int endh_valid;           /* 0: not kept (rebuilt from the running array when a head blocks) */
    int64_t endh_idle;        /* starts and ends since the last reservation */
    int32_t resv_job;         /* head the reservation is for (-1: none), and its seq */
    uint64_t resv_seq;
    double shadow_s;          /* when the head starts (INFINITY: never, so nothing is held) */
    int resv_kind, resv_group, spoil_left;
    resv_node_t *resv;
    int n_resv, cap_resv;
    int *rmark;               /* per node: index + 1 in resv, 0 when not held */
    int *sc_c, *sc_g;         /* per node: free counts at a time being looked at (valid where touched) */
    unsigned char *touched;
    int *tlist, n_touched;
    int full_scan;            /* resources were freed or the head changed since the last scan */
    size_t scan_pos;          /* ring position after the last candidate examined */
    int64_t scan_seen;        /* live candidates before scan_pos */
    double *rtt;              /* min-tree over ring slots (2 x r_cap): a lower bound of each queued
                                 job's runtime, INFINITY for holes: finds the next job that could
                                 end by the shadow time without walking the queue */
    int32_t *shape_n;         /* queued jobs per shape */
    shape_list_t *sl;         /* per shape: ring positions of its queued jobs, in queue order */
    int shape_cap;
    int *active, *active_idx, n_active; /* shapes with queued jobs, and where each is in active */
    int *gk, *gwhole;         /* per group: nodes the head needs there (0: cannot run), whole nodes */
    int *walk, walk_n, walk_cap; /* the end-order walk (positions in endh) */
    int *batch, batch_n, batch_cap; /* nodes released at the instant being looked at */
} easy_t;

/* Temporal shifting: steps of the forecast at one site: step i starts at t[i] (Unix s) with value v[i]
 * (g/kWh x PUE x noise); F[i] = integral from t[lo] to t[i]; the last step ends at t_end. */
typedef struct {
    double *t, *v, *F, t_end;
    int lo, n, cap;
    size_t c1, c2; /* series cursors */
} fc_table;

/* Slurm fair-share state of one site (a Slurm cluster), per account: usage (allocated core-seconds
 * decayed with the half-life) as of t_u, the cores its jobs hold now, undecayed core-seconds, and the
 * fair-share factor computed at the last calc period boundary calc_t. */
typedef struct {
    double *usage, *t_u, *core_s, *factor;
    int64_t *cores;
    double calc_t, calc_k;
} fs_site_t;

typedef struct {
    int group, k, node; /* k == 1: node; k > 1: the sim's plan buffer */
    int *nodes;
} plan_t;

typedef struct {
    const ws_site *def;
    group_t *groups;
    int n_groups, n_nodes;
    int *free_c, *free_g;
    double *load, *node_w, *gpu_dyn_w;
    double *pf_w, *pf_n; /* sums over a node's jobs of held resources x power_factor, and of held resources */
    double power_w, idle_power_w, t_last;
    double pue, ci, price;
    size_t cur_pue, cur_ci, cur_price;
    int64_t total_cores, total_gpus, busy_cores, busy_gpus, queued_cores, queued_gpus;
    /* Cores open to CPU jobs (groups not gpu_jobs_only), the busy ones, and the queued cores of GPU jobs:
     * a CPU job's load at a site with a GPU partition leaves out what it can never use. */
    int64_t open_cores, open_busy_cores, gpu_job_queued_cores;
    int32_t *ring;   /* fifo / easy queue, -1 = removed */
    size_t r_head, r_tail, r_cap;
    int32_t *heap;   /* sjf queue */
    size_t h_n, h_cap;
    int64_t queued;
    int32_t *running;
    int n_running, cap_running;
    int dirty;
    int bf_waiting;            /* slurm: on bf_list */
    int64_t deferred;          /* shifted jobs not yet released into the queue */
    unsigned char *pd_state;   /* power_down: PD_* per node; NULL without power_down */
    double *awake_at, *off_at; /* power_down: end of a wake-up; when an idle node is due to switch off */
    int node_base;             /* global index of node 0 (EV_OFF payload) */
    double h_it_j, h_fac_j, h_co2_g, h_cost, h_ci_s, h_busy_core_s, h_t0;
    easy_t *easy; /* easy-backfill state; NULL under other queues */
    pbucket_t *pb; /* pilots: payloads waiting for a pilot, one bucket per core count (pq_push) */
    int n_pb;
    uint64_t pq_ord; /* arrival order of payloads at the site */
    int64_t pq_n, pq_cores;
    int *open, n_open, cap_open; /* pilots: running pilots with free cores (pilot indices) */
    pheap_t *ph; /* pilots: the open pilots per (free cores, group), [free * n_groups + group] */
    int n_ph;
    int64_t pilots_queued, pilots_held, p_running; /* pilots in the queue, holding cores; payloads running */
    fc_table fc;  /* temporal shifting: the forecast ahead of the clock */
    fs_site_t *fs; /* slurm priority: fair-share state; NULL without */
} site_t;

typedef struct {
    const ws_scenario *sc;
    const ws_sim_options *opt;
    ws_sim_result *res;
    ws_error *err;
    ws_eventq q;
    site_t *sites;
    int n_sites, n_cls; /* n_cls = classes + 1 ("trace") */
    job_t *jobs;
    int jobs_cap, free_head;
    gsl_rng **rng_arrive, **rng_runtime;
    double *next_submit;
    ws_trace trace;
    int trace_open, trace_cls;
    ws_trace_job next_trace;
    unsigned char *feasible; /* [class][site] */
    double t, end_s, arrive_end_s;
    int64_t live;
    int rr, done, failed, *dirty_list, n_dirty, *plan_buf, plan_cap;
    int cycle_pending, at_cycle; /* submission systems with cycles: a tick is queued; this batch is one */
    int *bf_list, n_bf;          /* slurm: sites whose backfill waits for the next cycle */
    uint64_t seq;
    shape_t *shapes;      /* EASY: distinct (class, pin, cores, gpus) of queued jobs */
    int n_shapes, cap_shapes;
    int32_t *shape_hash;  /* open addressing, index + 1 */
    int hash_cap;
    uint32_t pass_id, *sh_stamp; /* EASY: per pass and shape: remaining count, failure bits */
    int32_t *sh_cur;
    unsigned char *sh_fail;
    uint64_t batches;
    int *node_site;       /* power_down: site of each global node index */
    gsl_rng *rng_forecast; /* noisy shifting forecast */
    double *fz;           /* noisy forecast factors exp(sigma z), [hour since start][site], drawn in order */
    size_t fz_n, fz_cap;
    dkey_t *dtree;        /* dispatch indices of class jobs (disp_*): [group][2 x dsize], NULL if unused */
    int dsize;
    int *dgroup, *dgroup_rep, n_dgroups; /* classes with the same keys share a tree: class -> group -> a class */
    int *ea_site, *ea_group; /* energy-aware: each class's (site, group), computed once (-2: not yet) */
    const ws_priority *prio; /* slurm's multifactor priority; NULL: arrival order */
    size_t *sh_from;      /* priority backfill, per pass and shape: the next ring position to look at */
    pilot_t *pilots;      /* pilots: records, reused through a free list */
    double *pm_thr;       /* pilot_match: latest pilot expiry per (free cores, group) */
    size_t *pm_cand;      /* pilot_match: each bucket's next payload that a pilot can take */
    int pilots_cap, pilot_free;
} sim_t;

/* ---------- random streams ---------- */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

unsigned long ws_sim_stream_seed(uint64_t seed, uint32_t stream)
{
    return (unsigned long)splitmix64(splitmix64(seed) ^ splitmix64(0x5eed0000ULL + stream));
}

static gsl_rng *stream_rng(uint64_t seed, uint32_t stream)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, ws_sim_stream_seed(seed, stream));
    return r;
}

/* ---------- node power and segment trees ---------- */

/* Power of a node at CPU load `load` (busy cores x utilisation) whose GPUs add gpu_dyn_w above their
 * idle draw. f scales what the jobs hold (README: power_factor): the whole CPU node, or the host of a
 * GPU node, by the mean factor of its jobs; each held GPU by its job's factor (inside gpu_dyn_w). */
static double node_power(const group_t *g, double load, double gpu_dyn_w, double f)
{
    const ws_node_group *ng = g->g;
    double u = load / ng->cores;
    if (ng->gpus == 0)
        return ws_model_power_w(&ng->power, u) * f;
    double p = ng->gpus * g->gpu_idle_w + gpu_dyn_w;
    if (ng->has_host_power)
        p += ws_model_power_w(&ng->host_power, u) * f;
    return p;
}

/* The mean power_factor of node n's jobs, weighted by the cores and GPUs they hold (1 when empty). */
static double node_factor(const site_t *st, int n)
{
    return st->pf_n[n] > 0 ? st->pf_w[n] / st->pf_n[n] : 1.0;
}

/* Leaf i now holds (fc, fg); its ancestors are recomputed bottom-up and the walk stops at the first
 * ancestor whose two maxima do not change (those above depend only on it). has_g = 0: the group has no
 * GPUs, so every mg entry is constant and left alone. */
static void tree_set_arr(int *mc, int *mg, int size, int i, int fc, int fg, int has_g)
{
    int p = size + i;
    mc[p] = fc;
    if (has_g)
        mg[p] = fg;
    for (p >>= 1; p; p >>= 1) {
        int a = mc[2 * p], b = mc[2 * p + 1], m = a > b ? a : b;
        int changed = m != mc[p];
        mc[p] = m;
        if (has_g) {
            int c = mg[2 * p], d = mg[2 * p + 1], mgv = c > d ? c : d;
            changed |= mgv != mg[p];
            mg[p] = mgv;
        }
        if (!changed)
            break;
    }
}

/* Node i of the group now has fc free cores, fg free GPUs; awake = it is not switched off. */
static void tree_set(group_t *g, int i, int fc, int fg, int awake)
{
    int has_g = g->g->gpus != 0;
    tree_set_arr(g->mc, g->mg, g->size, i, fc, fg, has_g);
    if (g->amc) /* off nodes are -1 in both arrays here: always update mg */
        tree_set_arr(g->amc, g->amg, g->size, i, awake ? fc : -1, awake ? fg : -1, 1);
}

/* Lowest-numbered node with free cores >= c (no GPU condition): the leftmost leaf under the root
 * whose max reaches c, found by one descent (padding leaves are -1 and never taken for c >= 0). */
static int tree_first_cores(const int *mc, int size, int c)
{
    if (mc[1] < c)
        return -1;
    int p = 1;
    while (p < size)
        p = 2 * p + (mc[2 * p] < c); /* arithmetic, not a branch: the direction is unpredictable */
    return p - size;
}

/* Lowest-numbered node with free cores >= c and free GPUs >= gp, or -1. */
static int tree_first(const int *mc, const int *mg, int size, int c, int gp)
{
    if (gp <= 0 && c >= 0)
        return tree_first_cores(mc, size, c);
    int stack[128], sp = 0;
    stack[sp++] = 1;
    while (sp) {
        int p = stack[--sp];
        if (mc[p] < c || mg[p] < gp)
            continue;
        if (p >= size)
            return p - size;
        stack[sp++] = 2 * p + 1;
        stack[sp++] = 2 * p;
    }
    return -1;
}

/* Node with the most free cores (lowest-numbered on ties), if it has >= c. */
static int tree_most_free(const int *mc, int size, int c)
{
    if (mc[1] < c)
        return -1;
    int p = 1;
    while (p < size)
        p = mc[2 * p] >= mc[2 * p + 1] ? 2 * p : 2 * p + 1;
    return p - size;
}

static int tree_first_from_at(const int *mc, const int *mg, int size, int p, int lo, int hi, int c, int gp, int from)
{
    if (hi <= from || mc[p] < c || mg[p] < gp)
        return -1;
    if (p >= size)
        return p - size;
    int mid = lo + (hi - lo) / 2;
    int r = tree_first_from_at(mc, mg, size, 2 * p, lo, mid, c, gp, from);
    return r >= 0 ? r : tree_first_from_at(mc, mg, size, 2 * p + 1, mid, hi, c, gp, from);
}

/* Lowest-numbered node >= from with free cores >= c and free GPUs >= gp, or -1: O(log nodes), since
 * only the path along `from` can hold subtrees that qualify by their maxima yet lie before it. */
static int tree_first_from(const int *mc, const int *mg, int size, int c, int gp, int from)
{
    return from >= size ? -1 : tree_first_from_at(mc, mg, size, 1, 0, size, c, gp, from);
}

static int group_init(group_t *g, const ws_node_group *ng, int first, int power_down)
{
    g->g = ng;
    g->first = first;
    g->count = ng->count;
    g->size = 1;
    while (g->size < ng->count)
        g->size *= 2;
    g->mc = malloc(2 * (size_t)g->size * sizeof *g->mc);
    g->mg = malloc(2 * (size_t)g->size * sizeof *g->mg);
    if (!g->mc || !g->mg)
        return -1;
    for (int i = 0; i < 2 * g->size; i++)
        g->mc[i] = g->mg[i] = -1;
    for (int i = 0; i < ng->count; i++) {
        g->mc[g->size + i] = ng->cores;
        g->mg[g->size + i] = ng->gpus;
    }
    for (int p = g->size - 1; p > 0; p--) {
        g->mc[p] = g->mc[2 * p] > g->mc[2 * p + 1] ? g->mc[2 * p] : g->mc[2 * p + 1];
        g->mg[p] = g->mg[2 * p] > g->mg[2 * p + 1] ? g->mg[2 * p] : g->mg[2 * p + 1];
    }
    g->full_free = ng->count;
    g->gpu_idle_w = ng->gpus ? ws_model_power_w(&ng->power, 0) : 0;
    if (power_down) {
        g->amc = malloc(2 * (size_t)g->size * sizeof *g->amc);
        g->amg = malloc(2 * (size_t)g->size * sizeof *g->amg);
        if (!g->amc || !g->amg)
            return -1;
        memcpy(g->amc, g->mc, 2 * (size_t)g->size * sizeof *g->amc);
        memcpy(g->amg, g->mg, 2 * (size_t)g->size * sizeof *g->amg);
    }
    return 0;
}

/* ---------- site integration ---------- */

static void disp_update(sim_t *s, int si);

static void site_advance(sim_t *s, int si, double t)
{
    site_t *st = &s->sites[si];
    double dt = t - st->t_last;
    if (!(dt > 0))
        return;
    ws_sim_site_result *r = &s->res->sites[si];
    double e = st->power_w * dt, fac = e * st->pue;
    double co2 = fac * st->ci / WS_J_PER_KWH, cost = fac * st->price / WS_J_PER_KWH;
    double busy = (double)st->busy_cores * dt;
    r->it_energy_j += e;
    r->facility_energy_j += fac;
    r->co2_g += co2;
    r->cost += cost;
    r->busy_core_s += busy;
    r->busy_gpu_s += (double)st->busy_gpus * dt;
    st->h_it_j += e;
    st->h_fac_j += fac;
    st->h_co2_g += co2;
    st->h_cost += cost;
    st->h_ci_s += st->ci * dt;
    st->h_busy_core_s += busy;
    st->t_last = t;
}

/* Read PUE, carbon intensity and price at t; schedule the next change. */
static int site_step(sim_t *s, int si)
{
    site_t *st = &s->sites[si];
    double abs_t = s->sc->start_unix_s + s->t, n1, n2, n3 = INFINITY;
    st->pue = ws_series_at(st->def->pue, abs_t, &st->cur_pue, &n1);
    st->ci = ws_series_at(st->def->carbon_g_per_kwh, abs_t, &st->cur_ci, &n2);
    st->price = st->def->price_per_kwh ? ws_series_at(st->def->price_per_kwh, abs_t, &st->cur_price, &n3) : 0;
    double next = n1 < n2 ? n1 : n2;
    next = next < n3 ? next : n3;
    disp_update(s, si);
    if (isfinite(next) && next - s->sc->start_unix_s < s->end_s)
        return ws_eventq_push(&s->q, next - s->sc->start_unix_s, PRIO_STEP, EV_STEP, si);
    return 0;
}

static void site_emit_hour(sim_t *s, int si, double t)
{
    site_t *st = &s->sites[si];
    double dt = t - st->h_t0;
    if (dt > 0 && s->opt->obs.on_hour) {
        ws_sim_hour h = {0};
        h.site = si;
        h.t_s = st->h_t0;
        h.t_unix_s = s->sc->start_unix_s + st->h_t0;
        h.dt_s = dt;
        h.it_energy_j = st->h_it_j;
        h.facility_energy_j = st->h_fac_j;
        h.co2_g = st->h_co2_g;
        h.cost = st->h_cost;
        h.mean_it_power_w = st->h_it_j / dt;
        h.mean_facility_power_w = st->h_fac_j / dt;
        h.mean_carbon_g_per_kwh = st->h_ci_s / dt;
        h.co2_kg_per_h = st->h_co2_g / 1000.0 * 3600.0 / dt;
        h.mean_busy_cores = st->h_busy_core_s / dt;
        h.running = st->n_running - st->pilots_held + st->p_running;
        h.queued = st->queued - st->pilots_queued + st->pq_n;
        s->opt->obs.on_hour(s->opt->obs.ctx, &h);
    }
    st->h_it_j = st->h_fac_j = st->h_co2_g = st->h_cost = st->h_ci_s = st->h_busy_core_s = 0;
    st->h_t0 = t;
}

/* ---------- jobs ---------- */

static int job_alloc(sim_t *s)
{
    if (s->free_head < 0) {
        int nc = s->jobs_cap ? s->jobs_cap * 2 : 1024;
        job_t *nj = realloc(s->jobs, (size_t)nc * sizeof *nj);
        if (!nj)
            return -1;
        s->jobs = nj;
        for (int i = s->jobs_cap; i < nc; i++) {
            nj[i].next_free = i + 1 < nc ? i + 1 : -1;
            nj[i].in_pilot = nj[i].pilot = 0; /* free slots say they are no payload (site_totals) */
        }
        s->free_head = s->jobs_cap;
        s->jobs_cap = nc;
    }
    int j = s->free_head;
    s->free_head = s->jobs[j].next_free;
    memset(&s->jobs[j], 0, sizeof s->jobs[j]);
    s->jobs[j].seq = s->seq++;
    return j;
}

static void job_release(sim_t *s, int j)
{
    free(s->jobs[j].nodes);
    s->jobs[j].nodes = NULL;
    s->jobs[j].pilot = s->jobs[j].in_pilot = 0;
    s->jobs[j].next_free = s->free_head;
    s->free_head = j;
}

/* Runtime of job j on group gi of its site, or NAN when the group does not run its class. */
static double job_runtime_on(const sim_t *s, const job_t *jb, int si, int gi)
{
    if (jb->pilot)
        return s->sc->policy.submission.pilot_lifetime_s;
    if (jb->runtime_s >= 0)
        return jb->runtime_s; /* trace */
    const ws_job_class *k = &s->sc->classes[jb->cls];
    const ws_node_group *g = s->sites[si].groups[gi].g;
    const ws_runtime_spec *r = ws_class_runtime(k, g->type);
    return r ? ws_runtime_draw_s(r, k, g, jb->z) : NAN;
}

/* ---------- queues ---------- */

static int sjf_before(const sim_t *s, int32_t a, int32_t b)
{
    const job_t *x = &s->jobs[a], *y = &s->jobs[b];
    return x->sjf_key < y->sjf_key || (x->sjf_key == y->sjf_key && x->seq < y->seq);
}

static int heap_push(sim_t *s, site_t *st, int32_t j)
{
    if (st->h_n == st->h_cap) {
        size_t nc = st->h_cap ? st->h_cap * 2 : 64;
        int32_t *nh = realloc(st->heap, nc * sizeof *nh);
        if (!nh)
            return -1;
        st->heap = nh;
        st->h_cap = nc;
    }
    size_t i = st->h_n++;
    while (i > 0 && sjf_before(s, j, st->heap[(i - 1) / 2])) {
        st->heap[i] = st->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    st->heap[i] = j;
    return 0;
}

static void heap_pop(sim_t *s, site_t *st)
{
    int32_t last = st->heap[--st->h_n];
    size_t i = 0, n = st->h_n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && sjf_before(s, st->heap[c + 1], st->heap[c]))
            c++;
        if (!sjf_before(s, st->heap[c], last))
            break;
        st->heap[i] = st->heap[c];
        i = c;
    }
    if (n)
        st->heap[i] = last;
}

/* EASY's runtime min-tree (easy_t.rtt): slot `phys` of the ring now holds v. */
static void rtt_set(site_t *st, size_t phys, double v)
{
    double *t = st->easy->rtt;
    size_t p = st->r_cap + phys;
    t[p] = v;
    for (p >>= 1; p; p >>= 1) {
        double m = t[2 * p] < t[2 * p + 1] ? t[2 * p] : t[2 * p + 1];
        if (m == t[p])
            break;
        t[p] = m;
    }
}

static void rtt_build(double *t, size_t cap)
{
    for (size_t p = cap - 1; p > 0; p--)
        t[p] = t[2 * p] < t[2 * p + 1] ? t[2 * p] : t[2 * p + 1];
}

static long rtt_first_at(const double *t, size_t cap, size_t p, size_t lo, size_t hi, size_t a, size_t b, double r)
{
    if (hi <= a || b <= lo || !(t[p] <= r))
        return -1;
    if (p >= cap)
        return (long)(p - cap);
    size_t mid = lo + (hi - lo) / 2;
    long x = rtt_first_at(t, cap, 2 * p, lo, mid, a, b, r);
    return x >= 0 ? x : rtt_first_at(t, cap, 2 * p + 1, mid, hi, a, b, r);
}

/* The first queue position in [from, to) whose job may run at most r seconds, or `to`. */
static size_t rtt_next(const site_t *st, size_t from, size_t to, double r)
{
    size_t cap = st->r_cap, mask = cap - 1;
    while (from < to) {
        size_t p0 = from & mask, end = to - from < cap - p0 ? p0 + (to - from) : cap;
        long x = rtt_first_at(st->easy->rtt, cap, 1, 0, cap, p0, end, r);
        if (x >= 0)
            return from + ((size_t)x - p0);
        from += end - p0;
    }
    return to;
}

/* Append job j (EASY: with runtime lower bound lb) to the site's ring. Positions are absolute (slot
 * = position mod capacity), so a position names the same queued job for as long as it is queued. */
static int ring_push(site_t *st, int32_t j, double lb)
{
    if (st->r_tail - st->r_head == st->r_cap) {
        size_t nc = st->r_cap ? st->r_cap * 2 : 64;
        int32_t *nr = malloc(nc * sizeof *nr);
        double *nt = st->easy ? malloc(2 * nc * sizeof *nt) : NULL;
        if (!nr || (st->easy && !nt)) {
            free(nr);
            free(nt); /* found by test_faults: leaked when only the ring's allocation failed */
            return -1;
        }
        for (size_t i = st->r_head; i < st->r_tail; i++)
            nr[i & (nc - 1)] = st->ring[i & (st->r_cap - 1)];
        if (st->easy) {
            for (size_t i = 0; i < nc; i++)
                nt[nc + i] = INFINITY;
            for (size_t i = st->r_head; i < st->r_tail; i++)
                nt[nc + (i & (nc - 1))] = st->easy->rtt[st->r_cap + (i & (st->r_cap - 1))];
            rtt_build(nt, nc);
            free(st->easy->rtt);
            st->easy->rtt = nt;
        }
        free(st->ring);
        st->ring = nr;
        st->r_cap = nc;
    }
    if (st->easy)
        rtt_set(st, st->r_tail & (st->r_cap - 1), lb);
    st->ring[st->r_tail++ & (st->r_cap - 1)] = j;
    return 0;
}

/* Move the ring's head past started jobs (only easy-backfill and priority leave holes). */
static void ring_skip_started(site_t *st)
{
    while (st->r_head < st->r_tail && st->ring[st->r_head & (st->r_cap - 1)] < 0)
        st->r_head++;
}

/* The job at the head of the site's queue, or -1. */
static int32_t queue_head(sim_t *s, site_t *st)
{
    if (s->sc->policy.queue == WS_QUEUE_SJF)
        return st->h_n ? st->heap[0] : -1;
    ring_skip_started(st);
    return st->r_head < st->r_tail ? st->ring[st->r_head & (st->r_cap - 1)] : -1;
}

static void queue_pop_head(sim_t *s, site_t *st)
{
    if (s->sc->policy.queue == WS_QUEUE_SJF)
        heap_pop(s, st);
    else {
        if (st->easy)
            rtt_set(st, st->r_head & (st->r_cap - 1), INFINITY);
        st->r_head++;
    }
}

/* ---------- placement ---------- */

static int group_can_run(const sim_t *s, const job_t *jb, int si, int gi)
{
    const group_t *g = &s->sites[si].groups[gi];
    if (jb->pin_group && gi != jb->pin_group - 1)
        return 0;
    if (jb->runtime_s < 0 && (!ws_class_runtime(&s->sc->classes[jb->cls], g->g->type) ||
                              !ws_class_site_ok(&s->sc->classes[jb->cls], si)))
        return 0;
    int k = ws_group_nodes_needed(g->g, jb->cores, jb->gpus);
    return jb->pilot && k != 1 ? 0 : k; /* a pilot is a slot on one node */
}

static int find_linear(const site_t *st, const group_t *g, int c, int gp, ws_place_policy pol, int awake_only)
{
    int best = -1;
    for (int i = 0; i < g->count; i++) {
        int n = g->first + i, fc = st->free_c[n], fg = st->free_g[n];
        if (fc < c || fg < gp || (awake_only && st->pd_state[n] == PD_OFF))
            continue;
        if (pol == WS_PLACE_FIRST_FIT)
            return i;
        if (best < 0)
            best = i;
        int bc = st->free_c[g->first + best], bg = st->free_g[g->first + best];
        if (pol == WS_PLACE_BEST_FIT ? (fg < bg || (fg == bg && fc < bc)) : (fg > bg || (fg == bg && fc > bc)))
            best = i;
    }
    return best;
}

static int find_in_group_over(const site_t *st, const group_t *g, int c, int gp, ws_place_policy pol, int awake_only)
{
    const int *mc = awake_only ? g->amc : g->mc, *mg = awake_only ? g->amg : g->mg;
    if (pol == WS_PLACE_FIRST_FIT)
        return tree_first(mc, mg, g->size, c, gp);
    if (pol == WS_PLACE_SPREAD && gp == 0 && g->g->gpus == 0)
        return tree_most_free(mc, g->size, c);
    return find_linear(st, g, c, gp, pol, awake_only);
}

/* The node the policy picks in group g; under power_down nodes that are not off come first, and an
 * off node is chosen only when no awake (or waking) node fits. */
static int find_in_group(const site_t *st, const group_t *g, int c, int gp, ws_place_policy pol)
{
    if (g->amc) {
        int i = find_in_group_over(st, g, c, gp, pol, 1);
        if (i >= 0)
            return i;
    }
    return find_in_group_over(st, g, c, gp, pol, 0);
}

/* k whole free nodes of group g (lowest-numbered), into buf. With state (power_down): nodes that are
 * not off first, then off ones (a linear scan); without, k descents of the segment tree. */
static int find_whole(const group_t *g, const int *fc, const int *fg, int k, int *buf, const unsigned char *state)
{
    int got = 0;
    if (!state) {
        for (int i = tree_first_from(g->mc, g->mg, g->size, g->g->cores, g->g->gpus, 0); i >= 0 && got < k;
             i = got < k ? tree_first_from(g->mc, g->mg, g->size, g->g->cores, g->g->gpus, i + 1) : -1)
            buf[got++] = g->first + i;
        return got == k;
    }
    for (int pass = 0; pass < 2 && got < k; pass++)
        for (int i = 0; i < g->count && got < k; i++) {
            int n = g->first + i;
            int take = pass == 0 ? state[n] != PD_OFF : state[n] == PD_OFF;
            if (take && fc[n] == g->g->cores && fg[n] == g->g->gpus)
                buf[got++] = n;
        }
    return got == k;
}

static int plan_buffer(sim_t *s, int k)
{
    if (k <= s->plan_cap)
        return 0;
    int *nb = realloc(s->plan_buf, (size_t)k * sizeof *nb);
    if (!nb)
        return -1;
    s->plan_buf = nb;
    s->plan_cap = k;
    return 0;
}

/* Where job j would start now at site si (groups in scenario order, policy within a group). */
static int place(sim_t *s, int si, const job_t *jb, plan_t *p)
{
    site_t *st = &s->sites[si];
    for (int gi = 0; gi < st->n_groups; gi++) {
        int k = group_can_run(s, jb, si, gi);
        const group_t *g = &st->groups[gi];
        if (k == 1) {
            int i = find_in_group(st, g, jb->cores, jb->gpus, s->sc->policy.placement);
            if (i >= 0) {
                *p = (plan_t){gi, 1, g->first + i, NULL};
                return 1;
            }
        } else if (k > 1 && g->full_free >= k) {
            if (plan_buffer(s, k) != 0)
                return 0;
            if (find_whole(g, st->free_c, st->free_g, k, s->plan_buf, st->pd_state)) {
                *p = (plan_t){gi, k, s->plan_buf[0], s->plan_buf};
                return 1;
            }
        }
    }
    return 0;
}

/* Cores, GPUs allocated on the i-th node of a plan, and cores, GPUs actually used (load). */
static void plan_share(const group_t *g, const job_t *jb, int k, int i, int *alloc_c, int *alloc_g, int *use_c,
                       int *use_g)
{
    if (k == 1) {
        *alloc_c = *use_c = jb->cores;
        *alloc_g = *use_g = jb->gpus;
        return;
    }
    *alloc_c = g->g->cores;
    *alloc_g = g->g->gpus;
    int rc = jb->cores - i * g->g->cores, rg = jb->gpus - i * g->g->gpus;
    *use_c = rc < 0 ? 0 : rc > g->g->cores ? g->g->cores : rc;
    *use_g = rg < 0 ? 0 : rg > g->g->gpus ? g->g->gpus : rg;
}

/* Set node n's power to p (the site total follows). */
static void node_set_power(site_t *st, int n, double p)
{
    st->power_w += p - st->node_w[n];
    st->node_w[n] = p;
}

/* power_down: an idle node is due to switch off after_s from now (stale events are ignored). */
static int node_schedule_off(sim_t *s, site_t *st, int n)
{
    st->off_at[n] = s->t + st->def->power_down.after_s;
    return ws_eventq_push(&s->q, st->off_at[n], PRIO_END, EV_OFF, st->node_base + n);
}

/* Apply (sign +1) or undo (-1) job j's share on node n: its allocation (APPLY_ALLOC) and/or its
 * load (APPLY_LOAD). A node that is off or waking keeps drawing off_w / wake_w. Returns 0 or -1. */
static int node_apply(sim_t *s, site_t *st, group_t *g, int n, int sign, int what, int ac, int ag, int uc, int ug,
                      double util, double pf)
{
    int was_free = st->free_c[n] == g->g->cores && st->free_g[n] == g->g->gpus;
    if (what & APPLY_ALLOC) {
        st->free_c[n] -= sign * ac;
        st->free_g[n] -= sign * ag;
    }
    if (what & APPLY_LOAD) {
        st->load[n] += sign * uc * util;
        st->pf_w[n] += sign * (uc + ug) * pf;
        st->pf_n[n] += sign * (uc + ug);
        if (ug)
            st->gpu_dyn_w[n] += sign * ug * (ws_model_power_w(&g->g->power, util) * pf - g->gpu_idle_w);
    }
    int is_free = st->free_c[n] == g->g->cores && st->free_g[n] == g->g->gpus;
    if (is_free) {
        st->load[n] = 0; /* no drift: an empty node is exactly idle */
        st->gpu_dyn_w[n] = 0;
        st->pf_w[n] = st->pf_n[n] = 0;
    }
    g->full_free += is_free - was_free;
    if (!st->pd_state || st->pd_state[n] == PD_AWAKE)
        node_set_power(st, n, node_power(g, st->load[n], st->gpu_dyn_w[n], node_factor(st, n)));
    if (what & APPLY_ALLOC)
        tree_set(g, n - g->first, st->free_c[n], st->free_g[n], !st->pd_state || st->pd_state[n] != PD_OFF);
    if (st->pd_state && is_free && !was_free)
        return node_schedule_off(s, st, n);
    return 0;
}

static int job_apply(sim_t *s, int si, const job_t *jb, int gi, int k, int node, const int *nodes, int sign, int what)
{
    site_t *st = &s->sites[si];
    group_t *g = &st->groups[gi];
    int rc = 0;
    for (int i = 0; i < k; i++) {
        int ac, ag, uc, ug;
        plan_share(g, jb, k, i, &ac, &ag, &uc, &ug);
        rc |= node_apply(s, st, g, k == 1 ? node : nodes[i], sign, what, ac, ag, uc, ug, jb->util, jb->power_factor);
    }
    if (what & APPLY_ALLOC) {
        st->busy_cores += sign * jb->cores;
        st->busy_gpus += sign * jb->gpus;
        if (!g->g->gpu_jobs_only)
            st->open_busy_cores += sign * jb->cores;
    }
    if (st->busy_cores == 0 && st->busy_gpus == 0 && !st->pd_state)
        st->power_w = st->idle_power_w;
    return rc;
}

/* ---------- starting and ending ---------- */

static int endh_push(sim_t *s, easy_t *e, int32_t j);
static void endh_remove(sim_t *s, easy_t *e, int32_t j);
static int easy_shape_count(site_t *st, int x, int d, size_t pos);

static int running_add(site_t *st, job_t *jb, int j)
{
    if (st->n_running == st->cap_running) {
        int nc = st->cap_running ? st->cap_running * 2 : 64;
        int32_t *nr = realloc(st->running, (size_t)nc * sizeof *nr);
        if (!nr)
            return -1;
        st->running = nr;
        st->cap_running = nc;
    }
    jb->run_idx = st->n_running;
    st->running[st->n_running++] = j;
    return 0;
}

static void stats_started(sim_t *s, const job_t *jb)
{
    double w = jb->start_s - jb->submit_s;
    ws_sim_site_result *sr = &s->res->sites[jb->site];
    ws_sim_class_result *cr = &s->res->classes[jb->cls];
    sr->jobs_started++;
    cr->jobs_started++;
    s->res->total.jobs_started++;
    ws_wait_add(&sr->wait, w);
    ws_wait_add(&cr->wait, w);
    ws_wait_add(&s->res->total.wait, w);
}

static int plan_node(const plan_t *p, int i) { return p->k == 1 ? p->node : p->nodes[i]; }

/* When a job placed by plan p now can start: now, or when its last off / waking node is awake. */
static double plan_start_s(const sim_t *s, int si, const plan_t *p)
{
    const site_t *st = &s->sites[si];
    double t = s->t;
    for (int i = 0; st->pd_state && i < p->k; i++) {
        int n = plan_node(p, i);
        double a = st->pd_state[n] == PD_OFF ? s->t + st->def->power_down.wake_s
                   : st->pd_state[n] == PD_WAKING ? st->awake_at[n] : s->t;
        t = a > t ? a : t;
    }
    return t;
}

/* power_down: the off nodes of plan p start waking up now (drawing wake_w). */
static void plan_wake(sim_t *s, int si, const plan_t *p)
{
    site_t *st = &s->sites[si];
    const ws_power_down *pd = &st->def->power_down;
    for (int i = 0; st->pd_state && i < p->k; i++) {
        int n = plan_node(p, i);
        if (st->pd_state[n] != PD_OFF)
            continue;
        st->pd_state[n] = PD_WAKING;
        st->awake_at[n] = s->t + pd->wake_s;
        node_set_power(st, n, pd->wake_w);
    }
}

static int pilot_begin(sim_t *s, int pi);

/* ---------- Slurm fair-share ----------
 * Usage accrues continuously: an account holding c cores from t_u to t has usage
 * u(t) = u(t_u) d + c H / ln 2 (1 - d), d = 2^(-(t - t_u) / H) (the integral of c 2^(-(t - tau) / H)),
 * exact between the starts and ends that change c. Factors are recomputed at the first start, end or
 * pass on or after each calc period boundary, with the usage as of that boundary. A boundary has no event
 * of its own: the new order is acted on at the next pass, at most a backfill interval later (a blocked
 * head with jobs behind it keeps backfill cycles coming; with one job queued, order does not matter).
 * O(accounts) per boundary, O(1) per start and end. */

static void fs_advance(const sim_t *s, fs_site_t *fs, int a, double t)
{
    double dt = t - fs->t_u[a], H = s->prio->decay_half_life_s;
    if (!(dt > 0))
        return;
    double x = -dt * M_LN2 / H;
    fs->usage[a] = fs->usage[a] * exp(x) - (double)fs->cores[a] * H / M_LN2 * expm1(x);
    fs->core_s[a] += (double)fs->cores[a] * dt;
    fs->t_u[a] = t;
}

/* F = 2^(-U/S), U = the account's usage / the site's (F = 1 while the site has none). */
static double fs_factor(const ws_priority *pr, int a, double usage, double total)
{
    return total > 0 ? exp2(-(usage / total) / pr->share[a]) : 1.0;
}

/* Bring the site's factors to the last calc period boundary at or before now. */
static void fs_sync(sim_t *s, int si)
{
    fs_site_t *fs = s->sites[si].fs;
    const ws_priority *pr = s->prio;
    double k = floor(s->t / pr->calc_period_s), total = 0;
    if (!(k > fs->calc_k))
        return;
    fs->calc_k = k;
    fs->calc_t = k * pr->calc_period_s;
    for (int a = 0; a < pr->n_accounts; a++) {
        fs_advance(s, fs, a, fs->calc_t);
        total += fs->usage[a];
    }
    for (int a = 0; a < pr->n_accounts; a++)
        fs->factor[a] = fs_factor(pr, a, fs->usage[a], total);
}

/* Job jb starts (sign +1) or ends (-1) holding its cores for its account. */
static void fs_charge(sim_t *s, const job_t *jb, int sign)
{
    if (!s->prio)
        return;
    fs_site_t *fs = s->sites[jb->site].fs;
    int a = s->prio->class_account[jb->cls];
    fs_sync(s, jb->site);
    fs_advance(s, fs, a, s->t);
    fs->cores[a] += sign * jb->cores;
}

/* The job's compute starts now: nodes whose wake-up is over are awake, its load is applied. */
static int job_begin(sim_t *s, int j)
{
    job_t *jb = &s->jobs[j];
    site_t *st = &s->sites[jb->site];
    group_t *g = &st->groups[jb->group];
    site_advance(s, jb->site, s->t);
    for (int i = 0; i < jb->nnodes; i++) {
        int n = jb->nnodes == 1 ? jb->node : jb->nodes[i];
        if (st->pd_state[n] == PD_WAKING && st->awake_at[n] <= s->t) {
            st->pd_state[n] = PD_AWAKE;
            node_set_power(st, n, node_power(g, st->load[n], st->gpu_dyn_w[n], node_factor(st, n)));
        }
    }
    if (jb->pilot)
        return pilot_begin(s, jb->pilot - 1);
    if (job_apply(s, jb->site, jb, jb->group, jb->nnodes, jb->node, jb->nodes, +1, APPLY_LOAD) != 0)
        return -1;
    return ws_eventq_push(&s->q, jb->end_s, PRIO_END, EV_END, j);
}

static int start_job(sim_t *s, int si, int j, const plan_t *p, double runtime_s)
{
    site_t *st = &s->sites[si];
    job_t *jb = &s->jobs[j];
    site_advance(s, si, s->t);
    jb->group = p->group;
    jb->power_factor = 1.0;
    if (jb->runtime_s < 0) {
        const ws_runtime_spec *r = ws_class_runtime(&s->sc->classes[jb->cls], st->groups[p->group].g->type);
        jb->power_factor = r ? r->power_factor : 1.0;
    }
    jb->nnodes = p->k;
    jb->node = p->node;
    if (p->k > 1) {
        jb->nodes = malloc((size_t)p->k * sizeof *jb->nodes);
        if (!jb->nodes)
            return -1;
        memcpy(jb->nodes, p->nodes, (size_t)p->k * sizeof *jb->nodes);
    }
    double start_s = plan_start_s(s, si, p);
    plan_wake(s, si, p);
    /* a pilot adds no load of its own: its payloads do (pilot_run) */
    if (job_apply(s, si, jb, p->group, p->k, p->node, jb->nodes, +1,
                  st->pd_state || jb->pilot ? APPLY_ALLOC : APPLY_ALLOC | APPLY_LOAD) != 0)
        return -1;
    jb->start_s = start_s;
    jb->end_s = start_s + runtime_s;
    st->queued--;
    if (jb->pilot) {
        st->pilots_queued--;
        st->pilots_held++;
        s->pilots[jb->pilot - 1].state = PS_STARTING;
        s->res->pilots_started++;
        disp_update(s, si); /* its cores are busy now, with no queued cores less */
    } else {
        st->queued_cores -= jb->cores;
        st->queued_gpus -= jb->gpus;
        st->gpu_job_queued_cores -= jb->gpus > 0 ? jb->cores : 0;
        stats_started(s, jb);
        fs_charge(s, jb, +1);
        s->res->classes[jb->cls].busy_core_s += jb->cores * runtime_s;
        s->res->classes[jb->cls].busy_gpu_s += jb->gpus * runtime_s;
    }
    if (running_add(st, jb, j) != 0)
        return -1;
    if (st->easy && (endh_push(s, st->easy, j) != 0 || easy_shape_count(st, jb->shape, -1, jb->qpos) != 0))
        return -1;
    if (jb->pilot && !st->pd_state)
        return pilot_begin(s, jb->pilot - 1);
    if (!st->pd_state)
        return ws_eventq_push(&s->q, jb->end_s, PRIO_END, EV_END, j);
    if (start_s > s->t)
        return ws_eventq_push(&s->q, start_s, PRIO_END, EV_START, j);
    return job_begin(s, j);
}

/* Start job j now if it fits: 1 started, 0 not, -1 out of memory. */
static int try_start(sim_t *s, int si, int j)
{
    plan_t p;
    if (!place(s, si, &s->jobs[j], &p))
        return 0;
    double rt = job_runtime_on(s, &s->jobs[j], si, p.group);
    return start_job(s, si, j, &p, rt) == 0 ? 1 : -1;
}

static void mark_dirty(sim_t *s, int si)
{
    if (!s->sites[si].dirty) {
        s->sites[si].dirty = 1;
        s->dirty_list[s->n_dirty++] = si;
    }
}

static void record_end(sim_t *s, const job_t *jb, int missed)
{
    if (!s->opt->obs.on_job)
        return;
    ws_sim_job_record r = {jb->id, jb->cls, jb->site, jb->group, jb->node, jb->nnodes, jb->cores, jb->gpus,
                           jb->util, jb->submit_s, jb->start_s, jb->end_s, jb->start_s - jb->submit_s, missed};
    s->opt->obs.on_job(s->opt->obs.ctx, &r);
}

static int payload_end(sim_t *s, int j);

static int end_job(sim_t *s, int j)
{
    job_t *jb = &s->jobs[j];
    int si = jb->site;
    site_t *st = &s->sites[si];
    site_advance(s, si, s->t);
    int rc;
    if (jb->in_pilot)
        rc = payload_end(s, j);
    else {
        rc = job_apply(s, si, jb, jb->group, jb->nnodes, jb->node, jb->nodes, -1, APPLY_ALLOC | APPLY_LOAD);
        if (!jb->pilot)
            fs_charge(s, jb, -1);
        if (st->easy) {
            endh_remove(s, st->easy, j);
            st->easy->full_scan = 1;
        }
        int last = st->running[--st->n_running];
        st->running[jb->run_idx] = last;
        s->jobs[last].run_idx = jb->run_idx;
    }
    int missed = jb->deadline_s > 0 && jb->end_s - jb->submit_s > jb->deadline_s;
    ws_sim_site_result *sr = &s->res->sites[si];
    ws_sim_class_result *cr = &s->res->classes[jb->cls];
    sr->jobs_completed++;
    cr->jobs_completed++;
    s->res->total.jobs_completed++;
    sr->deadline_missed += missed;
    cr->deadline_missed += missed;
    s->res->total.deadline_missed += missed;
    if (jb->end_s > sr->last_end_s)
        sr->last_end_s = jb->end_s;
    record_end(s, jb, missed);
    job_release(s, j);
    s->live--;
    disp_update(s, si);
    mark_dirty(s, si);
    return rc;
}

/* ---------- EASY backfilling ----------
 * Semantics (scenarios/README.md, "easy-backfill"): the first queued job that does not fit (the head)
 * gets a reservation at its shadow time, the earliest instant at which running jobs, ending at their
 * exact end times, leave room for it. A later queued job (a candidate) starts now when it fits now
 * and either ends by the shadow time (placed as usual) or is placed by the usual policy on what the
 * reservation leaves free:
 *  - a head that fits on one node (RESV_NODE) holds, on the first node where it fits at the shadow
 *    time, what it will take there: a long candidate sees that node's free cores and GPUs less it;
 *  - a head that needs k whole nodes of a group (RESV_WHOLE) holds every node of that group that
 *    will be whole and free at the shadow time (W of them: free now, or freed by then); long
 *    candidates go elsewhere first and may take at most W - k of those nodes.
 * On one-core nodes this is classic EASY (Mu'alem & Feitelson 2001) job for job: a long candidate
 * may use min(free now, extra) nodes. Cost: the reservation is computed once per head (the running
 * jobs are walked in end order only until the head fits) and kept while the head waits, since with
 * exact runtimes nothing but a backfill that respects it changes it; a pass rescans the queue only
 * after resources were freed (else only new arrivals), and stops once no shape of queued job can
 * fit now. */

enum { FAIL_NOW = 1, FAIL_LONG = 2 };

static int end_before(const endh_t *x, const endh_t *y)
{
    return x->end_s < y->end_s || (x->end_s == y->end_s && x->seq < y->seq);
}

static void endh_set(sim_t *s, easy_t *e, int i, endh_t v)
{
    e->endh[i] = v;
    s->jobs[v.j].end_idx = i;
}

static void endh_up(sim_t *s, easy_t *e, int i)
{
    endh_t v = e->endh[i];
    while (i > 0 && end_before(&v, &e->endh[(i - 1) / 2])) {
        endh_set(s, e, i, e->endh[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    endh_set(s, e, i, v);
}

static void endh_down(sim_t *s, easy_t *e, int i)
{
    endh_t v = e->endh[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= e->endh_n)
            break;
        if (c + 1 < e->endh_n && end_before(&e->endh[c + 1], &e->endh[c]))
            c++;
        if (!end_before(&e->endh[c], &v))
            break;
        endh_set(s, e, i, e->endh[c]);
        i = c;
    }
    endh_set(s, e, i, v);
}

/* The heap is kept only while it is used: after 4 x (running + 256) starts and ends without a
 * reservation it is dropped, and rebuilt in O(running) at the next one (amortised O(1) per event),
 * so a site whose queue rarely blocks does not pay O(log running) per job for it. */
static int endh_idle(easy_t *e)
{
    if (e->endh_valid && ++e->endh_idle > 4 * ((int64_t)e->endh_n + 256))
        e->endh_valid = 0;
    return !e->endh_valid;
}

static int endh_rebuild(sim_t *s, site_t *st, easy_t *e)
{
    e->endh_n = 0;
    for (int i = 0; i < st->n_running; i++) {
        int32_t j = st->running[i];
        if (ws_grow(&e->endh, e->endh_n, &e->endh_cap, sizeof *e->endh, 64) != 0)
            return -1;
        endh_set(s, e, e->endh_n++, (endh_t){s->jobs[j].end_s, s->jobs[j].seq, j});
    }
    for (int i = e->endh_n / 2 - 1; i >= 0; i--)
        endh_down(s, e, i);
    e->endh_valid = 1;
    return 0;
}

static int endh_push(sim_t *s, easy_t *e, int32_t j)
{
    if (endh_idle(e))
        return 0;
    if (ws_grow(&e->endh, e->endh_n, &e->endh_cap, sizeof *e->endh, 64) != 0)
        return -1;
    e->endh[e->endh_n++] = (endh_t){s->jobs[j].end_s, s->jobs[j].seq, j};
    endh_up(s, e, e->endh_n - 1);
    return 0;
}

static void endh_remove(sim_t *s, easy_t *e, int32_t j)
{
    if (endh_idle(e))
        return;
    int i = s->jobs[j].end_idx;
    endh_t last = e->endh[--e->endh_n];
    if (i == e->endh_n)
        return;
    endh_set(s, e, i, last);
    endh_up(s, e, i);
    endh_down(s, e, s->jobs[last.j].end_idx);
}

/* The walk over running jobs in end order: a min-heap of positions in e->endh (a position enters
 * when its parent is visited), so the first k jobs cost O(k log k) whatever is running. */
static int walk_push(easy_t *e, int pos)
{
    if (pos >= e->endh_n)
        return 0;
    if (ws_grow(&e->walk, e->walk_n, &e->walk_cap, sizeof *e->walk, 64) != 0)
        return -1;
    int i = e->walk_n++;
    while (i > 0 && end_before(&e->endh[pos], &e->endh[e->walk[(i - 1) / 2]])) {
        e->walk[i] = e->walk[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    e->walk[i] = pos;
    return 0;
}

static int walk_pop(easy_t *e)
{
    int top = e->walk[0], last = e->walk[--e->walk_n], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= e->walk_n)
            break;
        if (c + 1 < e->walk_n && end_before(&e->endh[e->walk[c + 1]], &e->endh[e->walk[c]]))
            c++;
        if (!end_before(&e->endh[e->walk[c]], &e->endh[last]))
            break;
        e->walk[i] = e->walk[c];
        i = c;
    }
    if (e->walk_n)
        e->walk[i] = last;
    return top;
}

/* Node n's free counts at the instant being looked at (first touch copies the present). */
static void easy_touch(easy_t *e, const site_t *st, int n)
{
    if (e->touched[n])
        return;
    e->touched[n] = 1;
    e->sc_c[n] = st->free_c[n];
    e->sc_g[n] = st->free_g[n];
    e->tlist[e->n_touched++] = n;
}

static void resv_clear(easy_t *e)
{
    for (int i = 0; i < e->n_resv; i++)
        e->rmark[e->resv[i].node] = 0;
    e->n_resv = 0;
    e->resv_kind = RESV_NONE;
    e->resv_job = -1;
    e->spoil_left = 0;
}

static int resv_add(easy_t *e, int n, int c, int g)
{
    if (ws_grow(&e->resv, e->n_resv, &e->cap_resv, sizeof *e->resv, 16) != 0)
        return -1;
    e->resv[e->n_resv] = (resv_node_t){n, c, g, 0, 0, 0};
    e->rmark[n] = ++e->n_resv;
    return 0;
}

static int node_is_whole(const group_t *g, int fc, int fg) { return fc == g->g->cores && fg == g->g->gpus; }

/* Release running job j in the looked-at state; counts nodes of groups where the head needs whole
 * nodes as they become whole. */
static int easy_release(sim_t *s, site_t *st, easy_t *e, int32_t j)
{
    const job_t *r = &s->jobs[j];
    const group_t *g = &st->groups[r->group];
    for (int i = 0; i < r->nnodes; i++) {
        int ac, ag, uc, ug, n = r->nnodes == 1 ? r->node : r->nodes[i];
        plan_share(g, r, r->nnodes, i, &ac, &ag, &uc, &ug);
        easy_touch(e, st, n);
        int was = node_is_whole(g, e->sc_c[n], e->sc_g[n]);
        e->sc_c[n] += ac;
        e->sc_g[n] += ag;
        if (!was && node_is_whole(g, e->sc_c[n], e->sc_g[n]) && e->gk[r->group] > 1)
            e->gwhole[r->group]++;
        if (ws_grow(&e->batch, e->batch_n, &e->batch_cap, sizeof *e->batch, 64) != 0)
            return -1;
        e->batch[e->batch_n++] = n;
    }
    return 0;
}

/* After a batch of releases: the first group (scenario order) where the head fits, and for a one-node
 * head the lowest such node; -1 when none. */
static int easy_fit_group(const site_t *st, const easy_t *e, const job_t *h, int *node)
{
    for (int gi = 0; gi < st->n_groups; gi++) {
        const group_t *g = &st->groups[gi];
        if (e->gk[gi] > 1 && e->gwhole[gi] >= e->gk[gi])
            return gi;
        if (e->gk[gi] != 1)
            continue;
        int best = -1;
        for (int b = 0; b < e->batch_n; b++) {
            int n = e->batch[b];
            if (n >= g->first && n < g->first + g->count && e->sc_c[n] >= h->cores && e->sc_g[n] >= h->gpus &&
                (best < 0 || n < best))
                best = n;
        }
        if (best >= 0) {
            *node = best;
            return gi;
        }
    }
    return -1;
}

/* RESV_WHOLE in group gi: every node whole at the shadow time, freed by then or free now. */
static int easy_hold_whole(sim_t *s, site_t *st, easy_t *e, int gi)
{
    const group_t *g = &st->groups[gi];
    for (int t = 0; t < e->n_touched; t++) {
        int n = e->tlist[t];
        if (n >= g->first && n < g->first + g->count && node_is_whole(g, e->sc_c[n], e->sc_g[n]) &&
            !node_is_whole(g, st->free_c[n], st->free_g[n]) && resv_add(e, n, -1, -1) != 0)
            return -1;
    }
    for (int i = tree_first_from(g->mc, g->mg, g->size, g->g->cores, g->g->gpus, 0); i >= 0;
         i = tree_first_from(g->mc, g->mg, g->size, g->g->cores, g->g->gpus, i + 1))
        if (resv_add(e, g->first + i, -1, -1) != 0)
            return -1;
    e->spoil_left = e->n_resv - e->gk[gi];
    (void)s;
    return 0;
}

/* Compute the head's shadow time and reservation (see the comment above this section). */
static int easy_reserve(sim_t *s, int si, int head)
{
    site_t *st = &s->sites[si];
    easy_t *e = st->easy;
    const job_t *h = &s->jobs[head];
    resv_clear(e);
    e->endh_idle = 0;
    if (!e->endh_valid && endh_rebuild(s, st, e) != 0)
        return -1;
    e->resv_job = head;
    e->resv_seq = h->seq;
    e->shadow_s = INFINITY;
    e->full_scan = 1;
    for (int gi = 0; gi < st->n_groups; gi++) {
        e->gk[gi] = group_can_run(s, h, si, gi);
        e->gwhole[gi] = st->groups[gi].full_free;
    }
    e->walk_n = 0;
    int rc = walk_push(e, 0), gi = -1, node = -1;
    while (rc == 0 && gi < 0 && e->walk_n > 0) {
        double t = e->endh[e->walk[0]].end_s;
        e->batch_n = 0;
        while (rc == 0 && e->walk_n > 0 && e->endh[e->walk[0]].end_s == t) {
            int pos = walk_pop(e);
            rc = walk_push(e, 2 * pos + 1) | walk_push(e, 2 * pos + 2) | easy_release(s, st, e, e->endh[pos].j);
        }
        if (rc == 0 && (gi = easy_fit_group(st, e, h, &node)) >= 0)
            e->shadow_s = t;
    }
    if (rc == 0 && gi >= 0) {
        e->resv_group = gi;
        if (e->gk[gi] == 1) {
            e->resv_kind = RESV_NODE;
            rc = resv_add(e, node, e->sc_c[node] - h->cores, e->sc_g[node] - h->gpus);
        } else {
            e->resv_kind = RESV_WHOLE;
            rc = easy_hold_whole(s, st, e, gi);
        }
    }
    for (int t = 0; t < e->n_touched; t++)
        e->touched[e->tlist[t]] = 0;
    e->n_touched = 0;
    return rc;
}

/* Show long candidates what the reservation leaves free (on = 1), or the real state again (on = 0):
 * free counts, the group's segment trees and whole-free count of every held node. */
static void resv_view(site_t *st, easy_t *e, int on)
{
    group_t *g = &st->groups[e->resv_group];
    for (int i = 0; i < e->n_resv; i++) {
        resv_node_t *r = &e->resv[i];
        int n = r->node, vc, vg;
        if (r->spoiled)
            continue;
        if (on) {
            r->saved_c = st->free_c[n];
            r->saved_g = st->free_g[n];
            vc = r->c < r->saved_c ? r->c : r->saved_c;
            vg = r->g < r->saved_g ? r->g : r->saved_g;
        } else {
            vc = r->saved_c;
            vg = r->saved_g;
        }
        if (vc == st->free_c[n] && vg == st->free_g[n])
            continue;
        g->full_free += node_is_whole(g, vc, vg) - node_is_whole(g, st->free_c[n], st->free_g[n]);
        st->free_c[n] = vc;
        st->free_g[n] = vg;
        tree_set(g, n - g->first, vc, vg, !st->pd_state || st->pd_state[n] != PD_OFF);
    }
}

/* A long candidate placed by plan p on the restricted view takes its share from the held node. */
static void resv_take(site_t *st, easy_t *e, const job_t *jb, const plan_t *p)
{
    if (e->resv_kind != RESV_NODE || p->group != e->resv_group)
        return;
    for (int i = 0; i < p->k; i++) {
        int ac, ag, uc, ug, n = plan_node(p, i);
        if (!e->rmark[n])
            continue;
        plan_share(&st->groups[p->group], jb, p->k, i, &ac, &ag, &uc, &ug);
        e->resv[e->rmark[n] - 1].c -= ac;
        e->resv[e->rmark[n] - 1].g -= ag;
    }
}

/* RESV_WHOLE: may a long candidate placed by p (ignoring the reservation) take the held nodes it
 * lands on? Then they are spent from the W - k spare ones. */
static int resv_spoil(easy_t *e, const plan_t *p)
{
    int cnt = 0;
    for (int i = 0; i < p->k; i++) {
        int m = e->rmark[plan_node(p, i)];
        cnt += m && !e->resv[m - 1].spoiled;
    }
    if (cnt > e->spoil_left)
        return 0;
    for (int i = 0; i < p->k; i++) {
        int m = e->rmark[plan_node(p, i)];
        if (m)
            e->resv[m - 1].spoiled = 1;
    }
    e->spoil_left -= cnt;
    return 1;
}

/* Try candidate j: 1 started, 0 not (fail gets why), -1 out of memory. */
static int easy_candidate(sim_t *s, int si, int32_t j, unsigned char *fail)
{
    site_t *st = &s->sites[si];
    easy_t *e = st->easy;
    const job_t *jb = &s->jobs[j];
    plan_t p;
    if (!place(s, si, jb, &p)) {
        *fail |= FAIL_NOW;
        return 0;
    }
    double rt = job_runtime_on(s, jb, si, p.group);
    if (!(plan_start_s(s, si, &p) + rt <= e->shadow_s)) {
        if (*fail & FAIL_LONG)
            return 0;
        resv_view(st, e, 1);
        int ok = place(s, si, jb, &p);
        resv_view(st, e, 0);
        if (ok)
            resv_take(st, e, jb, &p);
        else if (!(e->resv_kind == RESV_WHOLE && place(s, si, jb, &p) && resv_spoil(e, &p))) {
            *fail |= FAIL_LONG;
            return 0;
        }
        rt = job_runtime_on(s, jb, si, p.group);
    }
    return start_job(s, si, j, &p, rt) == 0 ? 1 : -1;
}

static int ring_live(const site_t *st, size_t p)
{
    return p >= st->r_head && p < st->r_tail && st->ring[p & (st->r_cap - 1)] >= 0;
}

/* Per-pass state of shape x: failure bits and a cursor into its list. */
static void pass_shape_init(sim_t *s, const easy_t *e, int x)
{
    if (s->sh_stamp[x] == s->pass_id)
        return;
    s->sh_stamp[x] = s->pass_id;
    s->sh_fail[x] = 0;
    s->sh_cur[x] = e->sl[x].lo;
    s->sh_from[x] = 0;
}

/* The first position >= from that holds a queued job of shape x (its list walked by the pass's cursor,
 * since from only grows within a pass), or SIZE_MAX. */
static size_t shape_next(sim_t *s, const site_t *st, int x, size_t from)
{
    const shape_list_t *l = &st->easy->sl[x];
    int c = s->sh_cur[x];
    while (c < l->n && (l->pos[c] < from || !ring_live(st, l->pos[c])))
        c++;
    s->sh_cur[x] = c;
    return c < l->n ? l->pos[c] : SIZE_MAX;
}

/* The next candidate at or after position i in a full pass: the first queued job of a shape that may
 * still start now, or (for shapes that failed only as long candidates) of one that may end by the
 * shadow time; SIZE_MAX when none is left. */
static size_t easy_next(sim_t *s, site_t *st, size_t i)
{
    easy_t *e = st->easy;
    size_t p = SIZE_MAX;
    int any_long = 0;
    for (int a = 0; a < e->n_active; a++) {
        int x = e->active[a];
        pass_shape_init(s, e, x);
        if (s->sh_fail[x])
            any_long |= !(s->sh_fail[x] & FAIL_NOW);
        else {
            size_t q = shape_next(s, st, x, i);
            p = q < p ? q : p;
        }
    }
    if (any_long) {
        size_t to = p < st->r_tail ? p : st->r_tail, q = rtt_next(st, i, to, e->shadow_s - s->t);
        p = q < to ? q : p;
    }
    return p < st->r_tail ? p : SIZE_MAX;
}

/* Candidate at ring position i: 1 started, 0 not, -1 out of memory. */
static int easy_try_at(sim_t *s, int si, size_t i)
{
    site_t *st = &s->sites[si];
    int32_t *slot = &st->ring[i & (st->r_cap - 1)];
    int x = s->jobs[*slot].shape;
    pass_shape_init(s, st->easy, x);
    if (s->sh_fail[x] & FAIL_NOW)
        return 0;
    int r = easy_candidate(s, si, *slot, &s->sh_fail[x]);
    if (r > 0) {
        rtt_set(st, i & (st->r_cap - 1), INFINITY);
        *slot = -1;
    }
    return r;
}

static int easy_backfill(sim_t *s, int si, int head)
{
    site_t *st = &s->sites[si];
    easy_t *e = st->easy;
    if ((e->resv_job != head || e->resv_seq != s->jobs[head].seq) && easy_reserve(s, si, head) != 0)
        return -1;
    int64_t depth = s->sc->policy.backfill_depth;
    if (++s->pass_id == 0) {
        memset(s->sh_stamp, 0, (size_t)s->cap_shapes * sizeof *s->sh_stamp);
        s->pass_id = 1;
    }
    if (e->full_scan && depth >= st->queued) { /* every queued job may be looked at: jump between them */
        for (size_t i = easy_next(s, st, st->r_head + 1); i != SIZE_MAX; i = easy_next(s, st, i + 1))
            if (easy_try_at(s, si, i) < 0)
                return -1;
        e->full_scan = 0;
        e->scan_pos = st->r_tail;
        e->scan_seen = st->queued - 1;
        return 0;
    }
    /* only new arrivals since the last pass (nothing freed), or a bounded depth: walk the queue */
    size_t i = e->full_scan || e->scan_pos <= st->r_head ? st->r_head + 1 : e->scan_pos;
    int64_t seen = e->full_scan ? 0 : e->scan_seen, started = 0;
    for (; i < st->r_tail && seen < depth; i++) {
        if (st->ring[i & (st->r_cap - 1)] < 0)
            continue;
        seen++;
        int r = easy_try_at(s, si, i);
        if (r < 0)
            return -1;
        started += r;
    }
    e->full_scan = 0;
    e->scan_pos = i;
    e->scan_seen = seen - started;
    return 0;
}

/* ---------- shapes (EASY) ---------- */

static uint64_t shape_hash(const shape_t *k)
{
    return splitmix64(((uint64_t)(uint32_t)k->cls << 32 | (uint32_t)k->pin) ^
                      splitmix64((uint64_t)(uint32_t)k->cores << 32 | (uint32_t)k->gpus));
}

static int shape_rehash(sim_t *s, int cap)
{
    int32_t *h = calloc((size_t)cap, sizeof *h);
    if (!h)
        return -1;
    for (int x = 0; x < s->n_shapes; x++) {
        size_t i = shape_hash(&s->shapes[x]) & (size_t)(cap - 1);
        while (h[i])
            i = (i + 1) & (size_t)(cap - 1);
        h[i] = x + 1;
    }
    free(s->shape_hash);
    s->shape_hash = h;
    s->hash_cap = cap;
    return 0;
}

/* The shape index of job jb (added when new), or -1 when out of memory. */
static int shape_of(sim_t *s, const job_t *jb)
{
    /* under priority a shape has one class (so one account and QOS): trace jobs are keyed by theirs too */
    shape_t k = {jb->runtime_s < 0 || s->prio ? jb->cls : -1, jb->pin_group, jb->cores, jb->gpus};
    if (2 * (s->n_shapes + 1) > s->hash_cap && shape_rehash(s, s->hash_cap ? 2 * s->hash_cap : 64) != 0)
        return -1;
    size_t mask = (size_t)s->hash_cap - 1, i = shape_hash(&k) & mask;
    for (; s->shape_hash[i]; i = (i + 1) & mask) {
        const shape_t *o = &s->shapes[s->shape_hash[i] - 1];
        if (o->cls == k.cls && o->pin == k.pin && o->cores == k.cores && o->gpus == k.gpus)
            return s->shape_hash[i] - 1;
    }
    int x = s->n_shapes, cap = s->cap_shapes;
    if (ws_grow(&s->shapes, x, &s->cap_shapes, sizeof *s->shapes, 16) != 0)
        return -1;
    if (s->cap_shapes != cap) {
        uint32_t *a = realloc(s->sh_stamp, (size_t)s->cap_shapes * sizeof *a);
        if (a)
            memset(a + cap, 0, (size_t)(s->cap_shapes - cap) * sizeof *a), s->sh_stamp = a;
        int32_t *b = realloc(s->sh_cur, (size_t)s->cap_shapes * sizeof *b);
        if (b)
            s->sh_cur = b;
        unsigned char *c = realloc(s->sh_fail, (size_t)s->cap_shapes);
        if (c)
            s->sh_fail = c;
        size_t *f = realloc(s->sh_from, (size_t)s->cap_shapes * sizeof *f);
        if (f)
            s->sh_from = f;
        if (!a || !b || !c || !f) {
            s->cap_shapes = cap;
            return -1;
        }
    }
    s->shapes[x] = k;
    s->shape_hash[i] = x + 1;
    s->n_shapes++;
    return x;
}

/* Job at ring position pos, of shape x, is queued at the site (d = +1) or has left the queue (d = -1).
 * Keeps the shape's count, its position list (appended; trimmed at the front, compacted when mostly
 * stale) and the site's active shapes. */
static int easy_shape_count(site_t *st, int x, int d, size_t pos)
{
    easy_t *e = st->easy;
    while (x >= e->shape_cap) {
        int old = e->shape_cap, cap = old;
        if (ws_grow(&e->shape_n, old, &cap, sizeof *e->shape_n, 16) != 0)
            return -1;
        cap = old;
        if (ws_grow(&e->sl, old, &cap, sizeof *e->sl, 16) != 0)
            return -1;
        cap = old;
        if (ws_grow(&e->active_idx, old, &cap, sizeof *e->active_idx, 16) != 0)
            return -1;
        cap = old;
        if (ws_grow(&e->active, old, &cap, sizeof *e->active, 16) != 0)
            return -1;
        memset(e->shape_n + old, 0, (size_t)(cap - old) * sizeof *e->shape_n);
        memset(e->sl + old, 0, (size_t)(cap - old) * sizeof *e->sl);
        e->shape_cap = cap;
    }
    shape_list_t *l = &e->sl[x];
    e->shape_n[x] += d;
    if (d > 0) {
        if (e->shape_n[x] == 1) {
            e->active_idx[x] = e->n_active;
            e->active[e->n_active++] = x;
        }
        if (l->lo > 0 && l->lo >= l->n / 2) { /* slide the live part down */
            memmove(l->pos, l->pos + l->lo, (size_t)(l->n - l->lo) * sizeof *l->pos);
            l->n -= l->lo;
            l->lo = 0;
        }
        if (ws_grow(&l->pos, l->n, &l->cap, sizeof *l->pos, 16) != 0)
            return -1;
        l->pos[l->n++] = pos;
        return 0;
    }
    if (e->shape_n[x] == 0) {
        int a = e->active_idx[x], last = e->active[--e->n_active];
        e->active[a] = last;
        e->active_idx[last] = a;
        l->lo = l->n = 0;
        return 0;
    }
    while (l->lo < l->n && !ring_live(st, l->pos[l->lo]) && l->pos[l->lo] != pos)
        l->lo++;
    if (l->n - l->lo > 2 * e->shape_n[x] + 16) { /* mostly started jobs: keep the queued ones */
        int w = 0;
        for (int r = l->lo; r < l->n; r++)
            if (ring_live(st, l->pos[r]) && l->pos[r] != pos)
                l->pos[w++] = l->pos[r];
        l->lo = 0;
        l->n = w;
    }
    return 0;
}

/* ---------- Slurm multifactor priority ----------
 * Semantics (scenarios/README.md, "submission"): the main scheduler starts the highest-priority job
 * while it fits; the backfill scheduler (at its cycles) reserves for it as EASY does and tries the
 * other jobs in priority order. A job's priority is computed at the last calc period boundary (age
 * from its queueing, 0 when queued since), ties to the earlier queued (Slurm: submit time, job id).
 * Within one shape every factor but age is equal (a shape has one class: one account and QOS) and age
 * falls with the queue position, so each shape's queued jobs are already in priority order: no job is
 * ever sorted. The highest-priority job is the best of the shapes' first jobs, O(active shapes) per
 * pick; backfill merges the shapes' lists, O(active shapes) per job it tries (at most backfill_depth),
 * plus, for a shape whose job failed only as too long, a search for its next job that may end by the
 * shadow time: jumps along EASY's runtime min-tree, O(log queued) a jump, one jump per queued job of any
 * shape that may end by then and lies before it (no walk through the long ones). */

static double prio_of(const sim_t *s, const site_t *st, int32_t j)
{
    const ws_priority *pr = s->prio;
    const job_t *jb = &s->jobs[j];
    double age = (st->fs->calc_t - jb->elig_s) / pr->max_age_s;
    age = age < 0 ? 0 : age > 1 ? 1 : age;
    return pr->weight_age * age + pr->weight_fairshare * st->fs->factor[pr->class_account[jb->cls]] +
           pr->weight_qos * pr->class_qos[jb->cls];
}

/* Is the job at position p (priority v) ahead of the best so far (position *best, priority *bv)? */
static int prio_take(const sim_t *s, const site_t *st, size_t p, size_t *best, double *bv)
{
    double v = prio_of(s, st, st->ring[p & (st->r_cap - 1)]);
    if (*best != SIZE_MAX && !(v > *bv || (v == *bv && p < *best)))
        return 0;
    *best = p;
    *bv = v;
    return 1;
}

/* The highest-priority queued job (its ring position in *pos), or -1. */
static int32_t prio_head(sim_t *s, site_t *st, size_t *pos)
{
    easy_t *e = st->easy;
    size_t best = SIZE_MAX;
    double bv = 0;
    for (int a = 0; a < e->n_active; a++) {
        shape_list_t *l = &e->sl[e->active[a]];
        while (l->lo < l->n && !ring_live(st, l->pos[l->lo])) /* started jobs at the front */
            l->lo++;
        if (l->lo < l->n)
            prio_take(s, st, l->pos[l->lo], &best, &bv);
    }
    *pos = best;
    return best == SIZE_MAX ? -1 : st->ring[best & (st->r_cap - 1)];
}

/* The queued job at ring position pos has started. */
static void prio_remove(site_t *st, size_t pos)
{
    rtt_set(st, pos & (st->r_cap - 1), INFINITY);
    st->ring[pos & (st->r_cap - 1)] = -1;
    ring_skip_started(st);
}

/* The first index in [lo, l->n) of shape list l whose position is >= from. */
static int list_lower_bound(const shape_list_t *l, int lo, size_t from)
{
    int hi = l->n;
    while (lo < hi) { /* the list is in position order */
        int mid = lo + (hi - lo) / 2;
        if (l->pos[mid] < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Shape x's next backfill candidate this pass: its first queued job at or after sh_from[x] other than
 * the head (at hpos) and, once the shape failed as too long, one that may end by the shadow time. */
static size_t prio_next(sim_t *s, site_t *st, int x, size_t hpos)
{
    const shape_list_t *l = &st->easy->sl[x];
    double room = st->easy->shadow_s - s->t;
    int long_only = s->sh_fail[x] & FAIL_LONG;
    int i = list_lower_bound(l, l->lo, s->sh_from[x]);
    while (i < l->n) {
        size_t p = l->pos[i];
        int live = ring_live(st, p) && p != hpos;
        if (live && (!long_only || st->easy->rtt[st->r_cap + (p & (st->r_cap - 1))] <= room))
            break;
        if (!long_only) {
            i++;
            continue;
        }
        /* too long (or gone): jump to the shape's first job at or after the next queued job of any shape
         * that may end by the shadow time (EASY's runtime min-tree), not through every job between */
        size_t from = p + 1 > st->r_head ? p + 1 : st->r_head; /* the tree holds queued positions only */
        i = list_lower_bound(l, i + 1, rtt_next(st, from, st->r_tail, room));
    }
    s->sh_from[x] = i < l->n ? l->pos[i] : SIZE_MAX;
    return s->sh_from[x];
}

static int prio_backfill(sim_t *s, int si, int32_t head, size_t hpos)
{
    site_t *st = &s->sites[si];
    easy_t *e = st->easy;
    if ((e->resv_job != head || e->resv_seq != s->jobs[head].seq) && easy_reserve(s, si, head) != 0)
        return -1;
    if (++s->pass_id == 0) {
        memset(s->sh_stamp, 0, (size_t)s->cap_shapes * sizeof *s->sh_stamp);
        s->pass_id = 1;
    }
    for (int64_t seen = 0; seen < s->sc->policy.backfill_depth; seen++) {
        size_t best = SIZE_MAX;
        double bv = 0;
        int bx = -1;
        for (int a = 0; a < e->n_active; a++) {
            int x = e->active[a];
            pass_shape_init(s, e, x);
            size_t p = s->sh_from[x] == SIZE_MAX || (s->sh_fail[x] & FAIL_NOW) ? SIZE_MAX : prio_next(s, st, x, hpos);
            if (p != SIZE_MAX && prio_take(s, st, p, &best, &bv))
                bx = x;
        }
        if (bx < 0)
            break;
        s->sh_from[bx] = best + 1;
        if (easy_try_at(s, si, best) < 0)
            return -1;
    }
    ring_skip_started(st);
    return 0;
}

/* schedule_site under priority. */
static int prio_schedule_site(sim_t *s, int si, int backfill, int *wants_bf)
{
    site_t *st = &s->sites[si];
    size_t pos;
    int32_t head;
    fs_sync(s, si);
    while ((head = prio_head(s, st, &pos)) >= 0) {
        int r = try_start(s, si, head);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        prio_remove(st, pos);
        /* a job that went ahead of a head with a reservation (it came with a higher priority and fit)
         * may hold what was reserved: computed again when that head is next blocked */
        st->easy->resv_job = -1;
    }
    if (head >= 0 && st->queued > 1) {
        if (backfill)
            return prio_backfill(s, si, head, pos);
        *wants_bf = 1;
    }
    return 0;
}

/* One scheduling pass: start queued jobs in queue order while the head fits; easy-backfill then
 * lets later jobs jump ahead when they do not delay the head. */
/* One pass: start the queue's head while it fits, then (backfill) EASY-backfill behind a blocked head.
 * Without backfill a blocked head with jobs behind it is left for the next backfill cycle (*wants_bf). */
static int schedule_site(sim_t *s, int si, int backfill, int *wants_bf)
{
    site_t *st = &s->sites[si];
    int32_t head;
    if (s->prio)
        return prio_schedule_site(s, si, backfill, wants_bf);
    while ((head = queue_head(s, st)) >= 0) {
        int r = try_start(s, si, head);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        queue_pop_head(s, st);
    }
    if (head >= 0 && s->sc->policy.queue == WS_QUEUE_EASY_BACKFILL && st->queued > 1) {
        if (backfill)
            return easy_backfill(s, si, head);
        *wants_bf = 1;
    }
    return 0;
}

/* ---------- arrivals and dispatch ---------- */

static int job_feasible(const sim_t *s, const job_t *jb, int si)
{
    if (jb->runtime_s < 0)
        return s->feasible[jb->cls * s->n_sites + si];
    for (int gi = 0; gi < s->sites[si].n_groups; gi++)
        if (ws_group_nodes_needed(s->sites[si].groups[gi].g, jb->cores, jb->gpus) > 0)
            return 1;
    return 0;
}

static double site_load(const site_t *st, const job_t *jb)
{
    if (jb->gpus > 0 && st->total_gpus > 0)
        return (double)(st->busy_gpus + st->queued_gpus) / (double)st->total_gpus;
    if (st->open_cores < st->total_cores) /* a GPU partition: only the cores a CPU job may use */
        return st->open_cores > 0 ? (double)(st->open_busy_cores + st->queued_cores - st->gpu_job_queued_cores) /
                                        (double)st->open_cores
                                  : INFINITY;
    return (double)(st->busy_cores + st->queued_cores) / (double)(st->total_cores > 0 ? st->total_cores : 1);
}

/* greenest / cheapest: the site's current carbon x PUE, or price (+infinity without one). */
static double site_score(const sim_t *s, int si)
{
    const site_t *st = &s->sites[si];
    if (s->sc->policy.dispatch == WS_DISPATCH_GREENEST)
        return st->ci * st->pue;
    return st->def->price_per_kwh ? st->price : INFINITY;
}

static int dispatch_least_loaded(sim_t *s, const job_t *jb);

/* ---------- dispatch indices ----------
 * least-loaded, greenest and cheapest dispatch of class jobs look up a min segment tree per class
 * over the sites instead of scanning them: tree 0 keys each site by its load for the class (busy +
 * queued over capacity, of GPUs for a GPU class), tree 1 by its score (carbon x PUE, or price) when
 * it has room (load < 1), +infinity where the class cannot run (and in tree 1 where it has no room).
 * A site's keys change only when it queues or ends a job or its series step: O(classes x log sites)
 * then, and O(1) per arrival. Ties go to the lower site index, as the scans they replace did. */

static int disp_uses_tree(const sim_t *s)
{
    ws_dispatch_policy d = s->sc->policy.dispatch;
    return d == WS_DISPATCH_LEAST_LOADED || d == WS_DISPATCH_GREENEST || d == WS_DISPATCH_CHEAPEST;
}

/* The tree `which` of class k (through its group). */
static dkey_t *disp_tree(const sim_t *s, int k, int which)
{
    return &s->dtree[((size_t)s->dgroup[k] * 2 + (size_t)which) * 2 * (size_t)s->dsize];
}

static void disp_set(dkey_t *t, int size, int si, double key)
{
    int p = size + si;
    t[p].key = key;
    for (p >>= 1; p; p >>= 1) {
        const dkey_t *a = &t[2 * p], *b = &t[2 * p + 1];
        t[p] = b->key < a->key ? *b : *a;
    }
}

static void disp_update(sim_t *s, int si)
{
    if (!s->dtree)
        return;
    const site_t *st = &s->sites[si];
    for (int d = 0; d < s->n_dgroups; d++) {
        int k = s->dgroup_rep[d];
        job_t probe = {0};
        probe.gpus = s->sc->classes[k].gpus;
        int ok = s->feasible[k * s->n_sites + si];
        double load = site_load(st, &probe), score = site_score(s, si);
        disp_set(disp_tree(s, k, 0), s->dsize, si, ok ? load : INFINITY);
        /* an eligible site without a price still wins over none: +infinity scores become DBL_MAX */
        disp_set(disp_tree(s, k, 1), s->dsize, si, ok && load < 1.0 ? (isinf(score) ? DBL_MAX : score) : INFINITY);
    }
}

/* Classes whose keys are the same at every site (GPU jobs or not, and the same sites can run them)
 * share one pair of trees: a site's change then costs one update per group, not one per class (the
 * WLCG scenario's 28 DCSim classes are one group). */
static int disp_groups(sim_t *s)
{
    int nk = s->sc->n_classes;
    s->dgroup = malloc((size_t)nk * sizeof *s->dgroup);
    s->dgroup_rep = malloc((size_t)nk * sizeof *s->dgroup_rep);
    if (!s->dgroup || !s->dgroup_rep)
        return -1;
    for (int k = 0; k < nk; k++) {
        int d = 0;
        for (; d < s->n_dgroups; d++) {
            int r = s->dgroup_rep[d];
            if ((s->sc->classes[r].gpus > 0) == (s->sc->classes[k].gpus > 0) &&
                memcmp(&s->feasible[r * s->n_sites], &s->feasible[k * s->n_sites], (size_t)s->n_sites) == 0)
                break;
        }
        if (d == s->n_dgroups)
            s->dgroup_rep[s->n_dgroups++] = k;
        s->dgroup[k] = d;
    }
    return 0;
}

static int disp_init(sim_t *s)
{
    if (!disp_uses_tree(s) || s->sc->n_classes == 0)
        return 0;
    s->dsize = 1;
    while (s->dsize < s->n_sites)
        s->dsize *= 2;
    if (disp_groups(s) != 0)
        return -1;
    size_t n = (size_t)s->n_dgroups * 2 * 2 * (size_t)s->dsize;
    s->dtree = malloc(n * sizeof *s->dtree);
    if (!s->dtree)
        return -1;
    for (size_t i = 0; i < n; i++)
        s->dtree[i] = (dkey_t){INFINITY, (int)(i % (size_t)s->dsize)};
    for (int si = 0; si < s->n_sites; si++)
        disp_update(s, si);
    return 0;
}

/* greenest / cheapest among the sites with room (busy + queued below capacity, so the job need not
 * queue there); when every site is full, least-loaded, so that the best site is not buried under a
 * queue that misses deadlines while the others idle. */
static int dispatch_scored(sim_t *s, const job_t *jb)
{
    if (s->dtree && jb->runtime_s < 0) {
        const dkey_t *root = &disp_tree(s, jb->cls, 1)[1];
        return root->key < INFINITY ? root->site : dispatch_least_loaded(s, jb);
    }
    int best = -1;
    double best_v = INFINITY;
    for (int si = 0; si < s->n_sites; si++) {
        if (!job_feasible(s, jb, si) || site_load(&s->sites[si], jb) >= 1.0)
            continue;
        double v = site_score(s, si);
        if (best < 0 || v < best_v) {
            best = si;
            best_v = v;
        }
    }
    return best >= 0 ? best : dispatch_least_loaded(s, jb);
}

/* Power attributable to job jb on k nodes of group g (README: energy-aware): its share of the idle
 * power (k whole nodes, else the larger of its core and GPU fractions of one node) plus what it adds
 * to the power of otherwise idle nodes at its utilisation, all scaled by the spec's power_factor pf. */
static double attributable_power_w(const group_t *g, const job_t *jb, int k, double pf)
{
    const ws_node_group *ng = g->g;
    double idle = node_power(g, 0, 0, 1.0), share = k, dyn = 0;
    if (k == 1) {
        share = (double)jb->cores / ng->cores;
        if (ng->gpus > 0 && (double)jb->gpus / ng->gpus > share)
            share = (double)jb->gpus / ng->gpus;
    }
    for (int i = 0; i < k; i++) {
        int ac, ag, uc, ug;
        plan_share(g, jb, k, i, &ac, &ag, &uc, &ug);
        double gdyn = ug ? ug * (ws_model_power_w(&ng->power, jb->util) - g->gpu_idle_w) : 0;
        dyn += node_power(g, uc * jb->util, gdyn, 1.0) - idle;
    }
    return pf * (share * idle + dyn);
}

/* Predicted energy of job jb on group gi of site si (J), INFINITY when the group cannot run it:
 * expected runtime of its spec there (trace jobs: their runtime) x attributable power. */
static double predicted_energy_j(const sim_t *s, const job_t *jb, int si, int gi)
{
    int k = group_can_run(s, jb, si, gi);
    if (k == 0)
        return INFINITY;
    const group_t *g = &s->sites[si].groups[gi];
    double rt = jb->runtime_s, pf = 1.0;
    if (rt < 0) {
        const ws_runtime_spec *r = ws_class_runtime(&s->sc->classes[jb->cls], g->g->type);
        rt = ws_runtime_expected_s(r, &s->sc->classes[jb->cls], g->g);
        pf = r->power_factor;
    }
    return rt * attributable_power_w(g, jb, k, pf);
}

/* energy-aware: the (site, group) of lowest predicted energy (ties: lowest site, then group); the
 * job is pinned to that group. */
static int dispatch_energy_scan(sim_t *s, job_t *jb);

/* Class jobs: the prediction depends only on the class, so each class's choice is made once. */
static int dispatch_energy(sim_t *s, job_t *jb)
{
    if (jb->runtime_s >= 0)
        return dispatch_energy_scan(s, jb);
    int n = s->sc->n_classes;
    if (!s->ea_site) {
        s->ea_site = malloc((size_t)n * sizeof *s->ea_site);
        s->ea_group = malloc((size_t)n * sizeof *s->ea_group);
        if (!s->ea_site || !s->ea_group)
            return dispatch_energy_scan(s, jb);
        for (int k = 0; k < n; k++)
            s->ea_site[k] = -2;
    }
    if (s->ea_site[jb->cls] == -2) {
        s->ea_site[jb->cls] = dispatch_energy_scan(s, jb);
        s->ea_group[jb->cls] = jb->pin_group;
    }
    jb->pin_group = s->ea_group[jb->cls];
    return s->ea_site[jb->cls];
}

static int dispatch_energy_scan(sim_t *s, job_t *jb)
{
    int best = -1, best_g = -1;
    double best_e = INFINITY;
    for (int si = 0; si < s->n_sites; si++) {
        if (!job_feasible(s, jb, si))
            continue;
        for (int gi = 0; gi < s->sites[si].n_groups; gi++) {
            double e = predicted_energy_j(s, jb, si, gi);
            if (e < best_e || (best < 0 && isfinite(e))) {
                best = si;
                best_g = gi;
                best_e = e;
            }
        }
    }
    if (best >= 0)
        jb->pin_group = best_g + 1;
    return best;
}

/* The site for a new job, or -1 when none can ever run it. */
static int dispatch(sim_t *s, job_t *jb)
{
    if (s->sc->policy.dispatch == WS_DISPATCH_GREENEST || s->sc->policy.dispatch == WS_DISPATCH_CHEAPEST)
        return dispatch_scored(s, jb);
    if (s->sc->policy.dispatch == WS_DISPATCH_ENERGY_AWARE)
        return dispatch_energy(s, jb);
    return dispatch_least_loaded(s, jb);
}

/* round-robin, or least-loaded: the feasible site with the lowest (busy + queued) / capacity. */
static int dispatch_least_loaded(sim_t *s, const job_t *jb)
{
    if (s->dtree && jb->runtime_s < 0 && s->sc->policy.dispatch != WS_DISPATCH_ROUND_ROBIN) {
        const dkey_t *root = &disp_tree(s, jb->cls, 0)[1];
        return root->key < INFINITY ? root->site : -1;
    }
    int best = -1;
    double best_load = INFINITY;
    for (int k = 0; k < s->n_sites; k++) {
        int si = s->sc->policy.dispatch == WS_DISPATCH_ROUND_ROBIN ? (s->rr + k) % s->n_sites : k;
        if (!job_feasible(s, jb, si))
            continue;
        if (s->sc->policy.dispatch == WS_DISPATCH_ROUND_ROBIN) {
            s->rr = (si + 1) % s->n_sites;
            return si;
        }
        double l = site_load(&s->sites[si], jb);
        if (l < best_load) {
            best_load = l;
            best = si;
        }
    }
    return best;
}

static double sjf_estimate(const sim_t *s, const job_t *jb, int si)
{
    for (int gi = 0; gi < s->sites[si].n_groups; gi++)
        if (group_can_run(s, jb, si, gi))
            return job_runtime_on(s, jb, si, gi);
    return INFINITY;
}

/* ---------- temporal shifting ---------- */

/* Noisy forecast factor exp(sigma z) of site si for the UTC hour starting at hour_unix_s (one z per
 * site and hour from the forecast stream, drawn in hour order so every job sees the same forecast).
 * NAN when out of memory. */
static double forecast_factor(sim_t *s, int si, double hour_unix_s)
{
    double h = floor(hour_unix_s / 3600.0) - floor(s->sc->start_unix_s / 3600.0);
    size_t i = (size_t)(h > 0 ? h : 0) * (size_t)s->n_sites + (size_t)si;
    if (i >= s->fz_cap) {
        size_t nc = s->fz_cap ? s->fz_cap : 1024;
        while (nc <= i)
            nc *= 2;
        double *nf = realloc(s->fz, nc * sizeof *nf);
        if (!nf)
            return NAN;
        s->fz = nf;
        s->fz_cap = nc;
    }
    double sigma = s->sc->policy.shifting.noise_sigma;
    for (; s->fz_n <= i; s->fz_n++)
        s->fz[s->fz_n] = exp(sigma * gsl_ran_gaussian_ziggurat(s->rng_forecast, 1.0));
    return s->fz[i];
}

/* The forecast of carbon x PUE (x the noise factor) at site si as a step function with running
 * integrals (fc_table), extended as far ahead as a query needs and trimmed behind the clock: the
 * integral over any window is two binary searches instead of a walk over the series, whatever the
 * slack and step. Returns 0, or -1 when out of memory. */
static int fc_append(sim_t *s, int si, double t)
{
    site_t *st = &s->sites[si];
    fc_table *f = &st->fc;
    double n1, n2, n3 = INFINITY;
    double v = ws_series_at(st->def->carbon_g_per_kwh, t, &f->c1, &n1) * ws_series_at(st->def->pue, t, &f->c2, &n2);
    if (s->sc->policy.shifting.forecast == WS_FORECAST_NOISY) {
        double hr = floor(t / 3600.0) * 3600.0, k = forecast_factor(s, si, hr);
        if (isnan(k))
            return -1;
        v *= k;
        n3 = hr + 3600.0;
    }
    if (f->n == f->cap) {
        if (f->lo > 0) { /* slide the part still ahead of the clock down */
            memmove(f->t, f->t + f->lo, (size_t)(f->n - f->lo) * sizeof *f->t);
            memmove(f->v, f->v + f->lo, (size_t)(f->n - f->lo) * sizeof *f->v);
            memmove(f->F, f->F + f->lo, (size_t)(f->n - f->lo) * sizeof *f->F);
            f->n -= f->lo;
            f->lo = 0;
        }
        if (f->n == f->cap) {
            int cap = f->cap ? 2 * f->cap : 64;
            double *nt = realloc(f->t, (size_t)cap * sizeof *nt), *nv = nt ? realloc(f->v, (size_t)cap * sizeof *nv) : NULL,
                   *nF = nv ? realloc(f->F, (size_t)cap * sizeof *nF) : NULL;
            f->t = nt ? nt : f->t;
            f->v = nv ? nv : f->v;
            f->F = nF ? nF : f->F;
            if (!nF)
                return -1;
            f->cap = cap;
        }
    }
    int i = f->n++;
    f->t[i] = t;
    f->v[i] = v;
    f->F[i] = i > f->lo ? f->F[i - 1] + f->v[i - 1] * (t - f->t[i - 1]) : 0;
    double e = n1 < n2 ? n1 : n2;
    f->t_end = e < n3 ? e : n3;
    return 0;
}

/* Index of the step holding Unix time x (extending the table to it); -1 when out of memory. */
static int fc_find(sim_t *s, int si, double x)
{
    fc_table *f = &s->sites[si].fc;
    double now = s->sc->start_unix_s + s->t;
    if (f->n == 0 && fc_append(s, si, now) != 0)
        return -1;
    while (f->lo + 1 < f->n && f->t[f->lo + 1] <= now)
        f->lo++;
    while (f->t_end <= x)
        if (fc_append(s, si, f->t_end) != 0)
            return -1;
    int lo = f->lo, hi = f->n - 1; /* the last step starting at or before x (queries never look back) */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (f->t[mid] <= x)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Forecast integral of carbon x PUE (x noise) at site si over [t0, t0 + dur] (seconds after start);
 * for dur = 0 the value at t0. NAN when out of memory. */
static double forecast_integral(sim_t *s, int si, double t0, double dur)
{
    double a = s->sc->start_unix_s + t0, b = a + dur;
    int i = fc_find(s, si, a);
    if (i < 0)
        return NAN;
    const fc_table *f = &s->sites[si].fc;
    if (!(b > a))
        return f->v[i];
    double fa = f->F[i] + f->v[i] * (a - f->t[i]);
    int k = fc_find(s, si, b);
    if (k < 0)
        return NAN;
    return f->F[k] + f->v[k] * (b - f->t[k]) - fa;
}

/* Start delay (s) of a deferrable job dispatched to site si: the d on the step_s grid (d = 0 first)
 * within its slack and deadline that minimises the forecast carbon x PUE over its run; ties keep the
 * earliest. -1 when out of memory. */
static double shift_delay_s(sim_t *s, const job_t *jb, int si)
{
    const ws_shift_policy *sh = &s->sc->policy.shifting;
    if (!sh->enabled || jb->cls >= s->sc->n_classes || !(s->sc->classes[jb->cls].shift_slack_s > 0))
        return 0;
    double slack = s->sc->classes[jb->cls].shift_slack_s, rt = sjf_estimate(s, jb, si);
    if (!isfinite(rt))
        return 0;
    double best_d = 0, best = forecast_integral(s, si, s->t, rt);
    for (long i = 1; isfinite(best); i++) {
        double d = (double)i * sh->step_s, start = s->t + d;
        if (start - jb->submit_s > slack || (jb->deadline_s > 0 && (start + rt) - jb->submit_s > jb->deadline_s))
            break;
        double f = forecast_integral(s, si, start, rt);
        if (isnan(f))
            return -1;
        /* integrals are differences of running sums: ties within rounding keep the earlier start */
        if (f < best - 1e-9 * fabs(best)) {
            best = f;
            best_d = d;
        }
    }
    return isnan(best) ? -1 : best_d;
}

/* EASY: the shortest runtime job jb can have at site si (over the groups that can run it). */
static double runtime_lower_bound(const sim_t *s, const job_t *jb, int si)
{
    double lb = INFINITY;
    for (int gi = 0; gi < s->sites[si].n_groups; gi++)
        if (group_can_run(s, jb, si, gi)) {
            double r = job_runtime_on(s, jb, si, gi);
            lb = r < lb ? r : lb;
        }
    return lb;
}

static int pilot_payload(const sim_t *s, const job_t *jb);
static int pq_push(sim_t *s, int j);

static int queue_insert(sim_t *s, int j)
{
    job_t *jb = &s->jobs[j];
    int si = jb->site;
    site_t *st = &s->sites[si];
    if (pilot_payload(s, jb))
        return pq_push(s, j);
    st->queued++;
    jb->elig_s = s->t;
    if (jb->pilot)
        st->pilots_queued++; /* demand is counted by its payloads, not by the pilot */
    else {
        st->queued_cores += jb->cores;
        st->queued_gpus += jb->gpus;
        st->gpu_job_queued_cores += jb->gpus > 0 ? jb->cores : 0;
    }
    disp_update(s, si);
    mark_dirty(s, si);
    if (s->sc->policy.queue == WS_QUEUE_SJF) {
        jb->sjf_key = sjf_estimate(s, jb, si);
        return heap_push(s, st, j);
    }
    jb->qpos = st->r_tail;
    if (st->easy && ((jb->shape = shape_of(s, jb)) < 0 || easy_shape_count(st, jb->shape, +1, jb->qpos) != 0))
        return -1;
    return ring_push(st, j, st->easy ? runtime_lower_bound(s, jb, si) : 0);
}

/* A new job: dispatched to a site, then queued there now or, when shifted, released later. */
static int enqueue(sim_t *s, int j)
{
    job_t *jb = &s->jobs[j];
    s->res->jobs_arrived++;
    s->res->classes[jb->cls].jobs_arrived++;
    int si = dispatch(s, jb);
    if (si < 0) {
        s->res->jobs_rejected++;
        job_release(s, j);
        return 0;
    }
    jb->site = si;
    s->live++;
    double d = shift_delay_s(s, jb, si);
    if (d < 0)
        return -1;
    if (d > 0) {
        s->sites[si].deferred++;
        return ws_eventq_push(&s->q, s->t + d, PRIO_ARRIVE, EV_RELEASE, j);
    }
    return queue_insert(s, j);
}

static int release_job(sim_t *s, int j)
{
    s->sites[s->jobs[j].site].deferred--;
    return queue_insert(s, j);
}


/* ---------- multi-core pilots (htcondor with "pilot") ----------
 * Semantics (scenarios/README.md, "submission"): a payload (a job of at most pilot_cores cores and
 * no GPUs, at a site with a node group that runs its class on nodes of at least pilot_cores cores
 * within the pilot lifetime: a longer job could never start in a pilot, and would have the factory
 * start pilots for it forever) waits in its site's payload queue; at each negotiation cycle, payloads are matched in arrival order
 * into running pilots of the site (the first open pilot, in the open list's order, with enough free
 * cores, a node group that runs the payload, and an expiry no earlier than the payload's end: the
 * draining); the payload cores still waiting, less the cores of pilots still queued, are covered by
 * new pilots (ceil(excess / pilot_cores), at most as many queued as the site has room for: total
 * cores / pilot_cores less the pilots holding cores), each an engine job of pilot_cores cores with
 * the class (and energy-aware group) of the oldest waiting payload, queued, placed and started as any job (so placement,
 * queue policy and power_down apply); then payloads are matched again into pilots that just started.
 * A pilot holds its cores from its start until its lifetime ends, or until it has had no payload
 * for idle_timeout_s. A pilot adds no load: its payloads do.
 * Cost, growing with the payloads waiting only as a log: O(node groups x log waiting) per payload
 * arrival (its bucket's min-tree), O(log open) per pilot start, end and payload start or end (the
 * open pilots' heaps). Per cycle and site the matching costs O(pilot cores x node groups x log
 * waiting) to find that nothing fits, plus, per payload it starts, O(open) for the first pilot that
 * takes it and O(pilot cores x node groups x log waiting) to find the next: payloads that no pilot
 * can take are never looked at one by one (so backfill_depth, a bound on that walk before, does not
 * apply here). The factory is O(new pilots + pilot cores). */

static int pilot_payload(const sim_t *s, const job_t *jb)
{
    const ws_submission *sm = &s->sc->policy.submission;
    if (!sm->pilots || jb->pilot || jb->gpus > 0 || jb->cores > sm->pilot_cores)
        return 0;
    const site_t *st = &s->sites[jb->site];
    for (int gi = 0; gi < st->n_groups; gi++)
        if (group_can_run(s, jb, jb->site, gi) && ws_group_nodes_needed(st->groups[gi].g, sm->pilot_cores, 0) == 1 &&
            job_runtime_on(s, jb, jb->site, gi) <= sm->pilot_lifetime_s)
            return 1;
    return 0; /* no pilot there could run it (no node holds one, or it outlives any): it bypasses pilots */
}

/* The payload queue of a site: one bucket per payload core count c (1..pilot_cores), in arrival order.
 * A bucket's min-tree keeps, for each node group, the shortest runtime there of the payloads below each
 * tree node (INFINITY: started, or the group does not run it), so pilot_match finds the next payload
 * that some pilot can take in O(groups x log bucket) without looking at those no pilot can take. */
static int pb_rebuild(pbucket_t *b, int G, size_t cap)
{
    size_t live = 0;
    int32_t *nj = malloc(cap * sizeof *nj);
    uint64_t *no = malloc(cap * sizeof *no);
    double *nt = malloc(2 * cap * (size_t)G * sizeof *nt);
    if (!nj || !no || !nt) {
        free(nj), free(no), free(nt);
        return -1;
    }
    for (size_t i = 0; i < 2 * cap * (size_t)G; i++)
        nt[i] = INFINITY;
    for (size_t i = b->head; i < b->tail; i++) /* live entries to the front, in order */
        if (b->j[i] >= 0) {
            nj[live] = b->j[i];
            no[live] = b->ord[i];
            memcpy(&nt[(cap + live) * G], &b->mt[(b->cap + i) * G], (size_t)G * sizeof *nt);
            live++;
        }
    for (size_t n = cap - 1; n >= 1; n--)
        for (int g = 0; g < G; g++)
            nt[n * G + g] = fmin(nt[2 * n * G + g], nt[(2 * n + 1) * G + g]);
    free(b->j), free(b->ord), free(b->mt);
    b->j = nj, b->ord = no, b->mt = nt;
    b->head = 0, b->tail = live, b->cap = cap;
    return 0;
}

/* Leaf pos gets runtimes rt[g] (NULL: started, INFINITY for every group); its ancestors follow. */
static void pb_set(pbucket_t *b, int G, size_t pos, const double *rt)
{
    size_t n = b->cap + pos;
    for (int g = 0; g < G; g++)
        b->mt[n * G + g] = rt ? rt[g] : INFINITY;
    for (n /= 2; n >= 1; n /= 2)
        for (int g = 0; g < G; g++)
            b->mt[n * G + g] = fmin(b->mt[2 * n * G + g], b->mt[(2 * n + 1) * G + g]);
}

/* Whether tree node n holds a payload that a pilot can take: for some group g, its runtime there ends
 * by thr[g], the latest expiry of an open pilot of g with enough free cores (t + x is monotone in x). */
static int pb_fits(const pbucket_t *b, int G, size_t n, double t, const double *thr, int64_t *work)
{
    ++*work;
    for (int g = 0; g < G; g++)
        if (t + b->mt[n * G + g] <= thr[g])
            return 1;
    return 0;
}

static size_t pb_find_at(const pbucket_t *b, int G, size_t n, size_t lo, size_t hi, size_t from, double t,
                         const double *thr, int64_t *work)
{
    if (hi <= from || !pb_fits(b, G, n, t, thr, work))
        return SIZE_MAX;
    if (hi - lo == 1)
        return lo;
    size_t mid = lo + (hi - lo) / 2, r = pb_find_at(b, G, 2 * n, lo, mid, from, t, thr, work);
    return r != SIZE_MAX ? r : pb_find_at(b, G, 2 * n + 1, mid, hi, from, t, thr, work);
}

/* The first payload at or after position from that some open pilot can take now; SIZE_MAX: none. */
static size_t pb_find(const pbucket_t *b, int G, size_t from, double t, const double *thr, int64_t *work)
{
    return b->cap ? pb_find_at(b, G, 1, 0, b->cap, from, t, thr, work) : SIZE_MAX;
}

static int pq_push(sim_t *s, int j)
{
    job_t *jb = &s->jobs[j];
    int si = jb->site;
    site_t *st = &s->sites[si];
    int G = st->n_groups, P = s->sc->policy.submission.pilot_cores;
    if (!st->pb && !(st->pb = calloc((size_t)P, sizeof *st->pb)))
        return -1;
    st->n_pb = P;
    pbucket_t *b = &st->pb[(jb->cores < 1 ? 1 : jb->cores) - 1];
    if (b->tail == b->cap) { /* full: compact when half is started, else double */
        size_t live = 0;
        for (size_t i = b->head; i < b->tail; i++)
            live += b->j[i] >= 0;
        if (pb_rebuild(b, G, b->cap && live <= b->cap / 2 ? b->cap : (b->cap ? 2 * b->cap : 64)) != 0)
            return -1;
    }
    double *rt = s->pm_thr; /* scratch here: pilot_match is not running */
    for (int g = 0; g < G; g++)
        rt[g] = group_can_run(s, jb, si, g) ? job_runtime_on(s, jb, si, g) : INFINITY;
    b->j[b->tail] = j;
    b->ord[b->tail] = st->pq_ord++;
    pb_set(b, G, b->tail++, rt);
    st->pq_n++;
    st->pq_cores += jb->cores;
    st->queued_cores += jb->cores;
    disp_update(s, si);
    mark_dirty(s, si);
    return 0;
}

/* The oldest waiting payload of the site (-1: none); drops started payloads at the buckets' fronts. */
static int32_t pq_oldest(site_t *st)
{
    int32_t best = -1;
    uint64_t best_ord = UINT64_MAX;
    for (int c = 0; c < st->n_pb; c++) {
        pbucket_t *b = &st->pb[c];
        while (b->head < b->tail && b->j[b->head] < 0)
            b->head++;
        if (b->head < b->tail && b->ord[b->head] < best_ord) {
            best_ord = b->ord[b->head];
            best = b->j[b->head];
        }
    }
    return best;
}

static void pq_free(site_t *st)
{
    for (int c = 0; c < st->n_pb; c++) {
        free(st->pb[c].j);
        free(st->pb[c].ord);
        free(st->pb[c].mt);
    }
    free(st->pb);
}

static int open_add(site_t *st, pilot_t *p, int pi)
{
    if (ws_grow(&st->open, st->n_open, &st->cap_open, sizeof *st->open, 64) != 0)
        return -1;
    p->open_idx = st->n_open;
    st->open[st->n_open++] = pi;
    return 0;
}

static void open_remove(sim_t *s, site_t *st, pilot_t *p)
{
    int last = st->open[--st->n_open];
    st->open[p->open_idx] = last;
    s->pilots[last].open_idx = p->open_idx;
    p->open_idx = -1;
}

/* Open pilots by (free cores f, node group g): per site a max-heap of expiries for each, so that
 * pilot_match's thresholds cost O(pilot cores x groups), not O(open pilots), after each start. */
static int ph_before(const sim_t *s, int a, int b)
{
    return s->pilots[a].expiry_s > s->pilots[b].expiry_s;
}

static void ph_put(sim_t *s, pheap_t *h, int i, int pi)
{
    h->a[i] = pi;
    s->pilots[pi].heap_idx = i;
}

static void ph_sift(sim_t *s, pheap_t *h, int i)
{
    int pi = h->a[i];
    while (i > 0 && ph_before(s, pi, h->a[(i - 1) / 2])) {
        ph_put(s, h, i, h->a[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    for (;;) {
        int c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && ph_before(s, h->a[c + 1], h->a[c]))
            c++;
        if (!ph_before(s, h->a[c], pi))
            break;
        ph_put(s, h, i, h->a[c]);
        i = c;
    }
    ph_put(s, h, i, pi);
}

static pheap_t *ph_of(const sim_t *s, site_t *st, const pilot_t *p)
{
    return &st->ph[p->free_c * st->n_groups + s->jobs[p->j].group];
}

static int ph_add(sim_t *s, site_t *st, int pi)
{
    int P = s->sc->policy.submission.pilot_cores;
    if (!st->ph && !(st->ph = calloc((size_t)(P + 1) * (size_t)st->n_groups, sizeof *st->ph)))
        return -1;
    st->n_ph = (P + 1) * st->n_groups;
    pheap_t *h = ph_of(s, st, &s->pilots[pi]);
    if (ws_grow(&h->a, h->n, &h->cap, sizeof *h->a, 64) != 0)
        return -1;
    ph_put(s, h, h->n++, pi);
    ph_sift(s, h, h->n - 1);
    return 0;
}

static void ph_remove(sim_t *s, site_t *st, int pi)
{
    pheap_t *h = ph_of(s, st, &s->pilots[pi]);
    int i = s->pilots[pi].heap_idx, last = h->a[--h->n];
    if (i < h->n) {
        ph_put(s, h, i, last);
        ph_sift(s, h, i);
    }
}

static void ph_free(site_t *st)
{
    for (int i = 0; i < st->n_ph; i++)
        free(st->ph[i].a);
    free(st->ph);
}

/* Pilot pi (running) now has f free cores: it is open (on the open list and in its heap) while f > 0. */
static int pilot_set_free(sim_t *s, int pi, int f)
{
    pilot_t *p = &s->pilots[pi];
    site_t *st = &s->sites[p->site];
    if (p->open_idx >= 0)
        ph_remove(s, st, pi);
    p->free_c = f;
    if (f == 0) {
        if (p->open_idx >= 0)
            open_remove(s, st, p);
        return 0;
    }
    if (p->open_idx < 0 && open_add(st, p, pi) != 0)
        return -1;
    return ph_add(s, st, pi);
}

static int pilot_alloc(sim_t *s)
{
    if (s->pilot_free < 0) {
        int nc = s->pilots_cap ? s->pilots_cap * 2 : 64;
        pilot_t *np = realloc(s->pilots, (size_t)nc * sizeof *np);
        if (!np)
            return -1;
        s->pilots = np;
        for (int i = s->pilots_cap; i < nc; i++) {
            np[i].next_free = i + 1 < nc ? i + 1 : -1;
            np[i].state = PS_DONE; /* free records are not running (site_totals) */
        }
        s->pilot_free = s->pilots_cap;
        s->pilots_cap = nc;
    }
    int pi = s->pilot_free;
    s->pilot_free = s->pilots[pi].next_free;
    memset(&s->pilots[pi], 0, sizeof s->pilots[pi]);
    s->pilots[pi].open_idx = -1;
    return pi;
}

/* The pilot has no payload from now: it leaves at min(now + idle_timeout_s, expiry) unless one starts. */
static int pilot_idle(sim_t *s, int pi)
{
    pilot_t *p = &s->pilots[pi];
    double at = s->t + s->sc->policy.submission.pilot_idle_timeout_s;
    p->idle_at_s = at < p->expiry_s ? at : p->expiry_s;
    p->pending++;
    return ws_eventq_push(&s->q, p->idle_at_s, PRIO_END, EV_PILOT, pi);
}

/* The pilot's node is awake: it takes payloads from now until its expiry. */
static int pilot_begin(sim_t *s, int pi)
{
    pilot_t *p = &s->pilots[pi];
    const job_t *jb = &s->jobs[p->j];
    p->state = PS_RUNNING;
    p->begin_s = s->t;
    p->expiry_s = jb->end_s;
    if (pilot_set_free(s, pi, jb->cores) != 0)
        return -1;
    mark_dirty(s, p->site);
    return pilot_idle(s, pi);
}

/* The pilot leaves now (idle timeout or lifetime): its cores are free again. */
static int pilot_exit(sim_t *s, int pi)
{
    pilot_t *p = &s->pilots[pi];
    int j = p->j, si = p->site;
    job_t *jb = &s->jobs[j];
    site_t *st = &s->sites[si];
    site_advance(s, si, s->t);
    int rc = job_apply(s, si, jb, jb->group, jb->nnodes, jb->node, jb->nodes, -1, APPLY_ALLOC);
    if (st->easy) {
        endh_remove(s, st->easy, j);
        st->easy->full_scan = 1;
        if (s->t < jb->end_s)
            st->easy->resv_job = -1; /* it ended before its planned end: the reservation is redone */
    }
    int last = st->running[--st->n_running];
    st->running[jb->run_idx] = last;
    s->jobs[last].run_idx = jb->run_idx;
    s->res->pilot_core_s += jb->cores * (s->t - p->begin_s);
    if (pilot_set_free(s, pi, 0) != 0)
        return -1;
    st->pilots_held--;
    p->state = PS_DONE;
    p->j = -1;
    job_release(s, j);
    disp_update(s, si);
    mark_dirty(s, si);
    return rc;
}

static void pilot_free_rec(sim_t *s, int pi)
{
    s->pilots[pi].next_free = s->pilot_free;
    s->pilot_free = pi;
}

static int pilot_event(sim_t *s, int pi)
{
    pilot_t *p = &s->pilots[pi];
    int rc = 0;
    p->pending--;
    if (p->state == PS_RUNNING && p->n_pay == 0 && p->idle_at_s == s->t)
        rc = pilot_exit(s, pi);
    if (p->state == PS_DONE && p->pending == 0)
        pilot_free_rec(s, pi);
    return rc;
}

/* Start payload j (taken from the payload queue) inside pilot pi now, for rt seconds. */
static int pilot_run(sim_t *s, int pi, int j, double rt)
{
    pilot_t *p = &s->pilots[pi];
    const job_t *pj = &s->jobs[p->j];
    job_t *jb = &s->jobs[j];
    int si = p->site;
    site_t *st = &s->sites[si];
    group_t *g = &st->groups[pj->group];
    site_advance(s, si, s->t);
    jb->group = pj->group;
    jb->node = pj->node;
    jb->nnodes = 1;
    jb->power_factor = 1.0;
    if (jb->runtime_s < 0) {
        const ws_runtime_spec *r = ws_class_runtime(&s->sc->classes[jb->cls], g->g->type);
        jb->power_factor = r ? r->power_factor : 1.0;
    }
    jb->start_s = s->t;
    jb->end_s = s->t + rt;
    jb->in_pilot = pi + 1;
    if (node_apply(s, st, g, jb->node, +1, APPLY_LOAD, 0, 0, jb->cores, 0, jb->util, jb->power_factor) != 0)
        return -1;
    if (pilot_set_free(s, pi, p->free_c - jb->cores) != 0)
        return -1;
    p->n_pay++;
    st->pq_n--;
    st->pq_cores -= jb->cores;
    st->queued_cores -= jb->cores;
    st->p_running++;
    disp_update(s, si);
    stats_started(s, jb);
    s->res->classes[jb->cls].busy_core_s += jb->cores * rt;
    return ws_eventq_push(&s->q, jb->end_s, PRIO_END, EV_END, j);
}

/* A payload ends (called from end_job, which does the bookkeeping common to every job). */
static int payload_end(sim_t *s, int j)
{
    job_t *jb = &s->jobs[j];
    int pi = jb->in_pilot - 1, si = jb->site;
    pilot_t *p = &s->pilots[pi];
    site_t *st = &s->sites[si];
    group_t *g = &st->groups[jb->group];
    int rc = node_apply(s, st, g, jb->node, -1, APPLY_LOAD, 0, 0, jb->cores, 0, jb->util, jb->power_factor);
    s->res->payload_core_s += jb->cores * (jb->end_s - jb->start_s);
    st->p_running--;
    if (pilot_set_free(s, pi, p->free_c + jb->cores) != 0)
        return -1;
    if (--p->n_pay == 0 && pilot_idle(s, pi) != 0)
        return -1;
    return rc;
}

/* thr[c * G + g]: the latest expiry of an open pilot of group g with at least c free cores
 * (-INFINITY: none), for c = 0..P. */
static void match_thresholds(const sim_t *s, const site_t *st, int P, double *thr, int64_t *work)
{
    int G = st->n_groups;
    for (int g = 0; g < G; g++)
        thr[P * G + g] = -INFINITY;
    for (int c = P; c >= 0; c--)
        for (int g = 0; g < G; g++) {
            const pheap_t *h = c > 0 && st->ph ? &st->ph[c * G + g] : NULL;
            double top = h && h->n ? s->pilots[h->a[0]].expiry_s : -INFINITY;
            double above = c < P ? thr[(c + 1) * G + g] : -INFINITY;
            thr[c * G + g] = fmax(top, above);
        }
    *work += (int64_t)(P + 1) * G;
}

/* Start payload j in the first open pilot (in the open list's order) that can take it now. */
static int pilot_take(sim_t *s, int si, int j, int64_t *work)
{
    site_t *st = &s->sites[si];
    const job_t *jb = &s->jobs[j];
    for (int o = 0; o < st->n_open; o++) {
        const pilot_t *p = &s->pilots[st->open[o]];
        if (p->free_c < jb->cores) /* first: it needs no look at the pilot's job */
            continue;
        int gi = s->jobs[p->j].group;
        if (!group_can_run(s, jb, si, gi))
            continue;
        double rt = job_runtime_on(s, jb, si, gi);
        if (s->t + rt <= p->expiry_s) {
            *work += o + 1;
            return pilot_run(s, st->open[o], j, rt);
        }
    }
    ws_error_set(s->err, s->sc->path, 0, "policy.submission.pilot", "internal: the payload index and the pilots disagree");
    return -1;
}

/* Match waiting payloads, in arrival order, into running pilots of site si (see above): the next
 * payload to start is the oldest of the buckets' first payloads that some pilot can take. A payload
 * that fits no pilot now fits none later in this pass (free cores only shrink), so each bucket's
 * search only moves forward. */
static int pilot_match(sim_t *s, int si)
{
    site_t *st = &s->sites[si];
    int P = s->sc->policy.submission.pilot_cores, G = st->n_groups;
    double *thr = s->pm_thr;
    size_t *cand = s->pm_cand;
    int64_t work = 0;
    if (!st->pb || st->pq_n == 0 || st->n_open == 0)
        return 0;
    match_thresholds(s, st, P, thr, &work);
    for (int c = 0; c < P; c++)
        cand[c] = pb_find(&st->pb[c], G, st->pb[c].head, s->t, &thr[(c + 1) * G], &work);
    for (;;) {
        int best = -1;
        for (int c = 0; c < P; c++)
            if (cand[c] != SIZE_MAX && (best < 0 || st->pb[c].ord[cand[c]] < st->pb[best].ord[cand[best]]))
                best = c;
        if (best < 0)
            break;
        pbucket_t *b = &st->pb[best];
        if (pilot_take(s, si, b->j[cand[best]], &work) != 0)
            return -1;
        b->j[cand[best]] = -1;
        pb_set(b, G, cand[best], NULL);
        match_thresholds(s, st, P, thr, &work);
        for (int c = 0; c < P; c++) /* a first payload that no pilot can take now: the bucket moves on */
            if (cand[c] != SIZE_MAX && !pb_fits(&st->pb[c], G, st->pb[c].cap + cand[c], s->t, &thr[(c + 1) * G], &work))
                cand[c] = pb_find(&st->pb[c], G, cand[c] + 1, s->t, &thr[(c + 1) * G], &work);
    }
    if (work > s->res->pilot_match_max_work)
        s->res->pilot_match_max_work = work;
    return 0;
}

/* New pilots for the payload cores that neither running nor queued pilots cover. */
static int pilot_factory(sim_t *s, int si)
{
    site_t *st = &s->sites[si];
    const ws_submission *sm = &s->sc->policy.submission;
    int64_t P = sm->pilot_cores, excess = st->pq_cores - st->pilots_queued * P;
    if (excess <= 0 || st->pq_n == 0)
        return 0;
    int64_t n = (excess + P - 1) / P, room = st->total_cores / P - st->pilots_held - st->pilots_queued;
    if (n > room)
        n = room;
    int32_t head = pq_oldest(st);
    int cls = s->jobs[head].cls, pin = s->jobs[head].pin_group, trace = s->jobs[head].runtime_s >= 0;
    for (int64_t k = 0; k < n; k++) {
        int pi = pilot_alloc(s), j = pi < 0 ? -1 : job_alloc(s);
        if (j < 0)
            return -1;
        job_t *jb = &s->jobs[j];
        jb->id = -1;
        jb->submit_s = s->t;
        jb->runtime_s = trace ? sm->pilot_lifetime_s : -1;
        jb->cores = sm->pilot_cores;
        jb->cls = cls;
        jb->pin_group = pin; /* energy-aware dispatch: where its payload may run */
        jb->site = si;
        jb->pilot = pi + 1;
        pilot_t *p = &s->pilots[pi];
        p->j = j;
        p->site = si;
        p->state = PS_QUEUED;
        if (queue_insert(s, j) != 0)
            return -1;
    }
    return 0;
}

/* ---------- idle power-down ---------- */

static group_t *node_group(site_t *st, int n)
{
    int gi = 0;
    while (gi + 1 < st->n_groups && n >= st->groups[gi + 1].first)
        gi++;
    return &st->groups[gi];
}

/* EV_OFF for global node a: switch it off if it is still idle and awake and this is its due time. */
static int node_off(sim_t *s, int a)
{
    int si = s->node_site[a];
    site_t *st = &s->sites[si];
    int n = a - st->node_base;
    group_t *g = node_group(st, n);
    if (st->pd_state[n] != PD_AWAKE || st->off_at[n] != s->t || st->free_c[n] != g->g->cores ||
        st->free_g[n] != g->g->gpus)
        return 0;
    site_advance(s, si, s->t);
    st->pd_state[n] = PD_OFF;
    node_set_power(st, n, st->def->power_down.off_w);
    tree_set(g, n - g->first, st->free_c[n], st->free_g[n], 0);
    return 0;
}

static int trace_class_of(sim_t *s, const ws_trace_job *tj)
{
    if (!tj->class_name[0])
        return s->trace_cls;
    int k = ws_scenario_find_class(s->sc, tj->class_name);
    if (k < 0)
        ws_error_set(s->err, s->trace.path, tj->line, "class", "no class named '%s' in the scenario", tj->class_name);
    return k;
}

/* An arrival stream has at most one pending event: the first few streams (the trace is slot 0, class
 * k slot k + 1) keep it in an event-queue slot instead of the heap (ws_eventq.h); the order of events
 * is the same either way. */
static int push_arrival(sim_t *s, unsigned slot, double t, int type, int a)
{
    if (slot < WS_EVENTQ_SLOTS)
        return ws_eventq_push_slot(&s->q, slot, t, PRIO_ARRIVE, type, a);
    return ws_eventq_push(&s->q, t, PRIO_ARRIVE, type, a);
}

/* Read the next trace job inside the arrival window and schedule its arrival; 0 when none is left. */
static int trace_schedule_next(sim_t *s)
{
    int r = ws_trace_next(&s->trace, &s->next_trace, s->err);
    if (r < 0) {
        s->failed = 1;
        return -1;
    }
    if (r == 0 || !(s->next_trace.submit_s < s->arrive_end_s))
        return 0;
    return push_arrival(s, 0, s->next_trace.submit_s + s->sc->policy.submit_overhead_s, EV_ARRIVE_TRACE, 0) == 0
               ? 1
               : -1;
}

static int arrive_trace(sim_t *s)
{
    const ws_trace_job *tj = &s->next_trace;
    int k = trace_class_of(s, tj);
    if (k < 0) {
        s->failed = 1;
        return -1;
    }
    int j = job_alloc(s);
    if (j < 0)
        return -1;
    job_t *jb = &s->jobs[j];
    jb->id = tj->id;
    jb->submit_s = tj->submit_s;
    jb->runtime_s = tj->runtime_s;
    jb->cores = tj->cores;
    jb->gpus = tj->gpus;
    jb->cls = k;
    jb->util = k < s->sc->n_classes ? s->sc->classes[k].utilisation : 1.0;
    jb->deadline_s = k < s->sc->n_classes ? s->sc->classes[k].deadline_s : 0;
    if (enqueue(s, j) != 0)
        return -1;
    int r = trace_schedule_next(s);
    if (r == 0)
        s->live--; /* the trace source is exhausted */
    return r < 0 ? -1 : 0;
}

/* Next arrival of class k after t (non-homogeneous Poisson by exact inversion over the hourly profile). */
static double class_next_arrival(sim_t *s, int k, double t)
{
    const ws_job_class *c = &s->sc->classes[k];
    double lambda = c->rate_per_day / 86400.0, e = gsl_ran_exponential(s->rng_arrive[k], 1.0);
    if (!c->has_profile)
        return t + e / lambda;
    for (int guard = 0; guard < 24 * 366 * 10; guard++) {
        double abs_t = s->sc->start_unix_s + t, hour = floor(abs_t / 3600.0);
        int hod = (int)fmod(hour, 24.0);
        double seg_end = (hour + 1) * 3600.0 - s->sc->start_unix_s, l = lambda * c->profile[hod < 0 ? hod + 24 : hod];
        if (l > 0 && l * (seg_end - t) >= e)
            return t + e / l;
        e -= l * (seg_end - t);
        t = seg_end;
    }
    return INFINITY;
}

static int class_schedule_next(sim_t *s, int k, double after)
{
    double t = class_next_arrival(s, k, after);
    s->next_submit[k] = t;
    if (!(t < s->arrive_end_s))
        return 0;
    return push_arrival(s, 1 + (unsigned)k, t + s->sc->policy.submit_overhead_s, EV_ARRIVE_CLASS, k) == 0 ? 1 : -1;
}

static int arrive_class(sim_t *s, int k)
{
    const ws_job_class *c = &s->sc->classes[k];
    int j = job_alloc(s);
    if (j < 0)
        return -1;
    job_t *jb = &s->jobs[j];
    jb->id = s->res->jobs_arrived + 1;
    jb->submit_s = s->next_submit[k];
    jb->runtime_s = -1;
    jb->z = gsl_ran_gaussian_ziggurat(s->rng_runtime[k], 1.0);
    jb->cores = c->cores;
    jb->gpus = c->gpus;
    jb->cls = k;
    jb->util = c->utilisation;
    jb->deadline_s = c->deadline_s;
    if (enqueue(s, j) != 0)
        return -1;
    int r = class_schedule_next(s, k, jb->submit_s);
    if (r == 0)
        s->live--;
    return r < 0 ? -1 : 0;
}

/* ---------- setup ---------- */

/* power_down: every node starts awake and idle, due to switch off after after_s. */
static int site_power_down_init(sim_t *s, int si)
{
    site_t *st = &s->sites[si];
    size_t n = (size_t)st->n_nodes;
    st->pd_state = calloc(n, 1);
    st->awake_at = calloc(n, sizeof *st->awake_at);
    st->off_at = calloc(n, sizeof *st->off_at);
    if (!st->pd_state || !st->awake_at || !st->off_at)
        return -1;
    for (int i = 0; i < st->n_nodes; i++)
        if (node_schedule_off(s, st, i) != 0)
            return -1;
    return 0;
}

static int easy_init(site_t *st)
{
    easy_t *e = st->easy = calloc(1, sizeof *e);
    if (!e)
        return -1;
    size_t n = (size_t)st->n_nodes;
    e->resv_job = -1;
    e->rmark = calloc(n, sizeof *e->rmark);
    e->sc_c = malloc(n * sizeof *e->sc_c);
    e->sc_g = malloc(n * sizeof *e->sc_g);
    e->touched = calloc(n, 1);
    e->tlist = malloc(n * sizeof *e->tlist);
    e->gk = calloc((size_t)st->n_groups, sizeof *e->gk);
    e->gwhole = calloc((size_t)st->n_groups, sizeof *e->gwhole);
    return e->rmark && e->sc_c && e->sc_g && e->touched && e->tlist && e->gk && e->gwhole ? 0 : -1;
}

static void easy_free(easy_t *e)
{
    if (!e)
        return;
    free(e->endh);
    free(e->rtt);
    free(e->resv);
    free(e->rmark);
    free(e->sc_c);
    free(e->sc_g);
    free(e->touched);
    free(e->tlist);
    free(e->shape_n);
    for (int x = 0; x < e->shape_cap; x++)
        free(e->sl[x].pos);
    free(e->sl);
    free(e->active);
    free(e->active_idx);
    free(e->gk);
    free(e->gwhole);
    free(e->walk);
    free(e->batch);
    free(e);
}

static int fs_init(sim_t *s, site_t *st)
{
    size_t n = (size_t)s->prio->n_accounts;
    fs_site_t *fs = st->fs = calloc(1, sizeof *fs);
    if (!fs)
        return -1;
    fs->usage = calloc(n, sizeof *fs->usage);
    fs->t_u = calloc(n, sizeof *fs->t_u);
    fs->core_s = calloc(n, sizeof *fs->core_s);
    fs->factor = calloc(n, sizeof *fs->factor);
    fs->cores = calloc(n, sizeof *fs->cores);
    if (!fs->usage || !fs->t_u || !fs->core_s || !fs->factor || !fs->cores)
        return -1;
    for (size_t a = 0; a < n; a++)
        fs->factor[a] = 1.0; /* no usage yet */
    return 0;
}

static void fs_free(fs_site_t *fs)
{
    if (!fs)
        return;
    free(fs->usage);
    free(fs->t_u);
    free(fs->core_s);
    free(fs->factor);
    free(fs->cores);
    free(fs);
}

static int site_init(sim_t *s, int si)
{
    site_t *st = &s->sites[si];
    const ws_site *d = &s->sc->sites[si];
    st->def = d;
    st->n_groups = d->n_groups;
    st->groups = calloc((size_t)d->n_groups, sizeof *st->groups);
    if (!st->groups)
        return -1;
    int pd = d->power_down.enabled;
    for (int gi = 0; gi < d->n_groups; gi++) {
        if (group_init(&st->groups[gi], &d->groups[gi], st->n_nodes, pd) != 0)
            return -1;
        st->n_nodes += d->groups[gi].count;
        st->total_cores += (int64_t)d->groups[gi].count * d->groups[gi].cores;
        st->open_cores += d->groups[gi].gpu_jobs_only ? 0 : (int64_t)d->groups[gi].count * d->groups[gi].cores;
        st->total_gpus += (int64_t)d->groups[gi].count * d->groups[gi].gpus;
    }
    size_t n = (size_t)st->n_nodes;
    st->free_c = malloc(n * sizeof *st->free_c);
    st->free_g = malloc(n * sizeof *st->free_g);
    st->load = calloc(n, sizeof *st->load);
    st->gpu_dyn_w = calloc(n, sizeof *st->gpu_dyn_w);
    st->pf_w = calloc(n, sizeof *st->pf_w);
    st->pf_n = calloc(n, sizeof *st->pf_n);
    st->node_w = malloc(n * sizeof *st->node_w);
    if (!st->free_c || !st->free_g || !st->load || !st->gpu_dyn_w || !st->node_w ||
        !st->pf_w || !st->pf_n)
        return -1;
    for (int gi = 0; gi < st->n_groups; gi++) {
        const group_t *g = &st->groups[gi];
        double idle = node_power(g, 0, 0, 1.0);
        for (int i = 0; i < g->count; i++) {
            st->free_c[g->first + i] = g->g->cores;
            st->free_g[g->first + i] = g->g->gpus;
            st->node_w[g->first + i] = idle;
            st->power_w += idle;
        }
    }
    st->idle_power_w = st->power_w;
    if (s->sc->policy.queue == WS_QUEUE_EASY_BACKFILL && easy_init(st) != 0)
        return -1;
    if (s->prio && fs_init(s, st) != 0)
        return -1;
    return pd ? site_power_down_init(s, si) : 0;
}

static void site_free(site_t *st)
{
    for (int gi = 0; st->groups && gi < st->n_groups; gi++) { /* groups NULL: site_init failed early */
        free(st->groups[gi].mc);
        free(st->groups[gi].mg);
        free(st->groups[gi].amc);
        free(st->groups[gi].amg);
    }
    fs_free(st->fs);
    free(st->pd_state);
    free(st->awake_at);
    free(st->off_at);
    free(st->groups);
    free(st->free_c);
    free(st->free_g);
    easy_free(st->easy);
    free(st->fc.t);
    free(st->fc.v);
    free(st->fc.F);
    free(st->load);
    free(st->gpu_dyn_w);
    free(st->pf_w);
    free(st->pf_n);
    free(st->node_w);
    free(st->ring);
    free(st->heap);
    free(st->running);
    pq_free(st);
    ph_free(st);
    free(st->open);
}

static int result_init(sim_t *s)
{
    ws_sim_result *r = s->res;
    const ws_scenario *sc = s->sc;
    memset(r, 0, sizeof *r);
    r->n_sites = sc->n_sites;
    r->n_classes = sc->n_classes + 1;
    r->sites = calloc((size_t)r->n_sites, sizeof *r->sites);
    r->classes = calloc((size_t)r->n_classes, sizeof *r->classes);
    if (!r->sites || !r->classes || ws_wait_init(&r->total.wait) != 0)
        return -1;
    ws_strlcpy(r->total.name, "total", sizeof r->total.name);
    for (int i = 0; i < r->n_sites; i++) {
        ws_strlcpy(r->sites[i].name, sc->sites[i].name, sizeof r->sites[i].name);
        if (ws_wait_init(&r->sites[i].wait) != 0)
            return -1;
    }
    for (int k = 0; k < r->n_classes; k++) {
        ws_strlcpy(r->classes[k].name, k < sc->n_classes ? sc->classes[k].name : "trace", sizeof r->classes[k].name);
        if (ws_wait_init(&r->classes[k].wait) != 0)
            return -1;
    }
    if (s->prio) {
        r->accounts = calloc((size_t)s->prio->n_accounts, sizeof *r->accounts);
        if (!r->accounts)
            return -1;
        r->n_accounts = s->prio->n_accounts;
        for (int a = 0; a < r->n_accounts; a++) {
            ws_strlcpy(r->accounts[a].name, s->prio->account[a], sizeof r->accounts[a].name);
            r->accounts[a].share = s->prio->share[a];
        }
    }
    r->start_unix_s = sc->start_unix_s;
    r->synthetic = ws_scenario_synthetic(sc);
    r->seed = s->opt->override_seed ? s->opt->seed : sc->seed;
    return 0;
}

static int classes_init(sim_t *s)
{
    const ws_scenario *sc = s->sc;
    int n = sc->n_classes;
    uint64_t seed = s->res->seed;
    s->rng_arrive = calloc((size_t)n + 1, sizeof *s->rng_arrive);
    s->rng_runtime = calloc((size_t)n + 1, sizeof *s->rng_runtime);
    s->next_submit = calloc((size_t)n + 1, sizeof *s->next_submit);
    s->feasible = calloc((size_t)(n + 1) * (size_t)s->n_sites, 1);
    if (!s->rng_arrive || !s->rng_runtime || !s->next_submit || !s->feasible)
        return -1;
    for (int k = 0; k < n; k++) {
        s->rng_arrive[k] = stream_rng(seed, WS_STREAM_CLASS_ARRIVALS + 2u * (uint32_t)k);
        s->rng_runtime[k] = stream_rng(seed, WS_STREAM_CLASS_RUNTIMES + 2u * (uint32_t)k);
        if (!s->rng_arrive[k] || !s->rng_runtime[k])
            return -1;
        job_t probe = {0};
        probe.cls = k;
        probe.runtime_s = -1;
        probe.cores = sc->classes[k].cores;
        probe.gpus = sc->classes[k].gpus;
        for (int si = 0; si < s->n_sites; si++)
            for (int gi = 0; gi < s->sites[si].n_groups; gi++)
                if (group_can_run(s, &probe, si, gi))
                    s->feasible[k * s->n_sites + si] = 1;
        if (sc->classes[k].rate_per_day > 0) {
            int r = class_schedule_next(s, k, 0.0);
            if (r < 0)
                return -1;
            s->live += r;
        }
    }
    return 0;
}

/* Global node numbering (sites in order) and, under power_down, the site of each node. */
static int nodes_init(sim_t *s)
{
    int total = 0;
    for (int si = 0; si < s->n_sites; si++) {
        s->sites[si].node_base = total;
        for (int gi = 0; gi < s->sc->sites[si].n_groups; gi++)
            total += s->sc->sites[si].groups[gi].count;
    }
    int any = 0;
    for (int si = 0; si < s->n_sites; si++)
        any |= s->sc->sites[si].power_down.enabled;
    if (!any)
        return 0;
    s->node_site = malloc((size_t)total * sizeof *s->node_site);
    if (!s->node_site)
        return -1;
    for (int si = 0, a = 0; si < s->n_sites; si++)
        for (int gi = 0; gi < s->sc->sites[si].n_groups; gi++)
            for (int i = 0; i < s->sc->sites[si].groups[gi].count; i++)
                s->node_site[a++] = si;
    return 0;
}

/* pilot_match's thresholds, (pilot cores + 1) x the most node groups of a site, and bucket cursors. */
static int pilot_scratch_init(sim_t *s)
{
    int G = 1, P = s->sc->policy.submission.pilot_cores;
    for (int si = 0; si < s->sc->n_sites; si++)
        G = s->sc->sites[si].n_groups > G ? s->sc->sites[si].n_groups : G;
    s->pm_thr = malloc((size_t)(P + 1) * (size_t)G * sizeof *s->pm_thr);
    s->pm_cand = malloc((size_t)P * sizeof *s->pm_cand);
    return s->pm_thr && s->pm_cand ? 0 : -1;
}

static int sim_init(sim_t *s)
{
    const ws_scenario *sc = s->sc;
    ws_eventq_init(&s->q);
    s->free_head = -1;
    s->pilot_free = -1;
    s->n_sites = sc->n_sites;
    s->arrive_end_s = sc->days > 0 ? sc->days * 86400.0 : INFINITY;
    s->end_s = sc->until_makespan ? INFINITY : sc->days * 86400.0;
    s->trace_cls = sc->trace_class[0] ? ws_scenario_find_class(sc, sc->trace_class) : sc->n_classes;
    if (sc->policy.submission.system == WS_SUBMIT_SLURM && sc->policy.submission.priority.enabled)
        s->prio = &sc->policy.submission.priority;
    s->sites = calloc((size_t)s->n_sites, sizeof *s->sites);
    if (sc->policy.submission.pilots && pilot_scratch_init(s) != 0)
        return -1;
    s->dirty_list = calloc((size_t)s->n_sites, sizeof *s->dirty_list);
    s->bf_list = calloc((size_t)s->n_sites, sizeof *s->bf_list);
    if (!s->sites || !s->dirty_list || !s->bf_list || result_init(s) != 0)
        return -1;
    if (nodes_init(s) != 0)
        return -1;
    for (int si = 0; si < s->n_sites; si++)
        if (site_init(s, si) != 0 || site_step(s, si) != 0)
            return -1;
    if (classes_init(s) != 0 || disp_init(s) != 0)
        return -1;
    if (sc->policy.shifting.enabled && sc->policy.shifting.forecast == WS_FORECAST_NOISY &&
        !(s->rng_forecast = stream_rng(s->res->seed, WS_STREAM_FORECAST)))
        return -1;
    if (sc->trace[0]) {
        if (ws_trace_open(&s->trace, sc->trace, s->err) != 0) {
            s->failed = 1;
            return -1;
        }
        s->trace_open = 1;
        int r = trace_schedule_next(s);
        if (r < 0)
            return -1;
        s->live += r;
    }
    if (isfinite(s->end_s) && ws_eventq_push(&s->q, s->end_s, PRIO_HORIZON, EV_HORIZON, 0) != 0)
        return -1;
    {   /* hour ticks always run, so that results do not depend on whether anyone listens */
        double first = ceil(sc->start_unix_s / 3600.0 + 1e-12) * 3600.0 - sc->start_unix_s;
        if (first <= 0)
            first = 3600.0;
        if (ws_eventq_push(&s->q, first, PRIO_STEP, EV_HOUR, 0) != 0)
            return -1;
    }
    return 0;
}

static void sim_free(sim_t *s)
{
    for (int si = 0; si < s->n_sites && s->sites; si++)
        site_free(&s->sites[si]);
    free(s->sites);
    for (int k = 0; k < s->sc->n_classes; k++) {
        if (s->rng_arrive)
            gsl_rng_free(s->rng_arrive[k]);
        if (s->rng_runtime)
            gsl_rng_free(s->rng_runtime[k]);
    }
    free(s->rng_arrive);
    free(s->rng_runtime);
    free(s->next_submit);
    free(s->feasible);
    free(s->jobs);
    free(s->dirty_list);
    free(s->bf_list);
    free(s->plan_buf);
    free(s->shapes);
    free(s->shape_hash);
    free(s->sh_stamp);
    free(s->sh_cur);
    free(s->sh_fail);
    free(s->sh_from);
    free(s->node_site);
    free(s->fz);
    free(s->dtree);
    free(s->dgroup);
    free(s->dgroup_rep);
    free(s->ea_site);
    free(s->ea_group);
    free(s->pilots);
    free(s->pm_thr);
    free(s->pm_cand);
    if (s->rng_forecast)
        gsl_rng_free(s->rng_forecast);
    if (s->trace_open)
        ws_trace_close(&s->trace);
    ws_eventq_free(&s->q);
}

/* ---------- main loop ---------- */

static int handle(sim_t *s, const ws_event *e)
{
    s->res->events++;
    switch (e->type) {
    case EV_STEP:
        site_advance(s, e->a, s->t);
        return site_step(s, e->a);
    case EV_HOUR:
        for (int si = 0; si < s->n_sites; si++) {
            site_advance(s, si, s->t);
            site_emit_hour(s, si, s->t);
        }
        return s->t + 3600.0 < s->end_s ? ws_eventq_push(&s->q, s->t + 3600.0, PRIO_STEP, EV_HOUR, 0) : 0;
    case EV_END: return end_job(s, e->a);
    case EV_START: return job_begin(s, e->a);
    case EV_OFF: return node_off(s, e->a);
    case EV_RELEASE: return release_job(s, e->a);
    case EV_ARRIVE_TRACE: return arrive_trace(s);
    case EV_ARRIVE_CLASS: return arrive_class(s, e->a);
    case EV_HORIZON: s->done = 1; return 0;
    case EV_CYCLE: s->cycle_pending = 0; s->at_cycle = 1; return 0;
    case EV_PILOT: return pilot_event(s, e->a);
    default: return 0;
    }
}

/* The next submission-system cycle from now on (ticks at whole multiples of cycle_s), once. */
static int queue_cycle(sim_t *s)
{
    if (s->cycle_pending)
        return 0;
    double c = s->sc->policy.submission.cycle_s, next = ceil(s->t / c) * c;
    if (next < s->t) /* rounding; a tick at this very time is still to come (it runs after this batch) */
        next += c;
    s->cycle_pending = 1;
    return ws_eventq_push(&s->q, next, PRIO_HORIZON, EV_CYCLE, 0);
}

/* Scheduling passes after a batch of events. batch: every changed site now. htcondor: changed sites
 * wait for the negotiation cycle. slurm: the head starts now, backfill waits for its cycle. */
static int run_passes(sim_t *s)
{
    ws_submit_system sys = s->sc->policy.submission.system;
    int at_cycle = s->at_cycle;
    s->at_cycle = 0;
    if (sys == WS_SUBMIT_HTCONDOR && !at_cycle)
        return s->n_dirty > 0 ? queue_cycle(s) : 0;
    int backfill = sys != WS_SUBMIT_SLURM || at_cycle;
    if (sys == WS_SUBMIT_SLURM && at_cycle) /* sites waiting for backfill are changed sites now */
        for (int i = 0; i < s->n_bf; i++) {
            s->sites[s->bf_list[i]].bf_waiting = 0;
            mark_dirty(s, s->bf_list[i]);
        }
    if (at_cycle)
        s->n_bf = 0;
    for (int i = 0; i < s->n_dirty; i++) {
        int si = s->dirty_list[i], wants_bf = 0;
        int pil = s->sc->policy.submission.pilots;
        /* pilots: what this pass changes (pilots queued, started) is dealt with by this pass */
        if ((pil && (pilot_match(s, si) != 0 || pilot_factory(s, si) != 0)) ||
            schedule_site(s, si, backfill, &wants_bf) != 0 || (pil && pilot_match(s, si) != 0))
            return -1;
        s->sites[si].dirty = 0;
        if (wants_bf && !s->sites[si].bf_waiting) {
            s->sites[si].bf_waiting = 1;
            s->bf_list[s->n_bf++] = si;
        }
    }
    s->n_dirty = 0;
    return s->n_bf > 0 ? queue_cycle(s) : 0;
}

static int sim_loop(sim_t *s)
{
    ws_event e;
    if (s->sc->until_makespan && s->live == 0)
        return 0;
    while (!s->done && ws_eventq_pop(&s->q, &e)) {
        s->t = e.t_s;
        if (handle(s, &e) != 0)
            return -1;
        const ws_event *nx;
        while (!s->done && (nx = ws_eventq_peek(&s->q)) && nx->t_s == s->t) {
            ws_eventq_pop(&s->q, &e);
            if (handle(s, &e) != 0)
                return -1;
        }
        if (!s->done && run_passes(s) != 0)
            return -1;
        if (s->sc->until_makespan && s->live == 0)
            break;
        if (s->opt->obs.on_progress && (++s->batches & 0xffff) == 0)
            s->opt->obs.on_progress(s->opt->obs.ctx, s->t, s->end_s, s->res->total.jobs_completed);
    }
    return 0;
}

/* Fair-share accounts at the end: core-seconds and usage to end_s, summed over sites. */
static void account_totals(sim_t *s)
{
    ws_sim_result *r = s->res;
    double total = 0;
    for (int a = 0; a < r->n_accounts; a++) {
        for (int si = 0; si < s->n_sites; si++) {
            fs_advance(s, s->sites[si].fs, a, r->end_s);
            r->accounts[a].core_s += s->sites[si].fs->core_s[a];
            r->accounts[a].usage_core_s += s->sites[si].fs->usage[a];
        }
        total += r->accounts[a].usage_core_s;
    }
    for (int a = 0; a < r->n_accounts; a++)
        r->accounts[a].fairshare = fs_factor(s->prio, a, r->accounts[a].usage_core_s, total);
}

static void site_totals(sim_t *s)
{
    ws_sim_result *r = s->res;
    for (int si = 0; si < s->n_sites; si++) {
        site_t *st = &s->sites[si];
        site_advance(s, si, r->end_s);
        site_emit_hour(s, si, r->end_s);
        ws_sim_site_result *sr = &r->sites[si];
        sr->core_s = (double)st->total_cores * r->end_s;
        sr->gpu_s = (double)st->total_gpus * r->end_s;
        r->jobs_unfinished += st->n_running - st->pilots_held + st->queued - st->pilots_queued + st->deferred +
                              st->pq_n + st->p_running;
        ws_sim_site_result *t = &r->total;
        t->it_energy_j += sr->it_energy_j;
        t->facility_energy_j += sr->facility_energy_j;
        t->co2_g += sr->co2_g;
        t->cost += sr->cost;
        t->busy_core_s += sr->busy_core_s;
        t->core_s += sr->core_s;
        t->busy_gpu_s += sr->busy_gpu_s;
        t->gpu_s += sr->gpu_s;
        if (sr->last_end_s > t->last_end_s)
            t->last_end_s = sr->last_end_s;
    }
    r->makespan_s = r->total.last_end_s;
    account_totals(s);
    for (int pi = 0; pi < s->pilots_cap; pi++) /* pilots and payloads still running at the end */
        if (s->pilots[pi].state == PS_RUNNING)
            r->pilot_core_s += s->sc->policy.submission.pilot_cores * (r->end_s - s->pilots[pi].begin_s);
    for (int j = 0; j < s->jobs_cap && s->pilots; j++)
        if (s->jobs[j].in_pilot)
            r->payload_core_s += s->jobs[j].cores * (r->end_s - s->jobs[j].start_s);
}

static void free_live_jobs(sim_t *s)
{
    for (int si = 0; si < s->n_sites; si++)
        for (int i = 0; i < s->sites[si].n_running; i++) {
            job_t *jb = &s->jobs[s->sites[si].running[i]];
            free(jb->nodes);
            jb->nodes = NULL;
        }
}

int ws_sim_run(const ws_scenario *sc, const ws_sim_options *opt, ws_sim_result *res, ws_error *err)
{
    static const ws_sim_options none = {0};
    sim_t s;
    memset(&s, 0, sizeof s);
    memset(res, 0, sizeof *res); /* freeable whatever fails first (found by test_faults) */
    s.sc = sc;
    s.opt = opt ? opt : &none;
    s.res = res;
    s.err = err;
    int rc = sim_init(&s);
    if (rc == 0)
        rc = sim_loop(&s);
    if (rc == 0) {
        res->end_s = isfinite(s.end_s) && !sc->until_makespan ? s.end_s : s.t;
        site_totals(&s);
        if (s.trace_open)
            res->trace_skipped = s.trace.n_skipped;
    } else if (!s.failed) {
        ws_error_set(err, sc->path, 0, "", "out of memory");
    }
    if (s.sites)
        free_live_jobs(&s);
    sim_free(&s);
    return rc == 0 ? 0 : s.failed ? -1 : -2; /* bad input (the trace), or out of memory */
}

void ws_sim_result_free(ws_sim_result *r)
{
    for (int i = 0; i < r->n_sites && r->sites; i++)
        ws_wait_free(&r->sites[i].wait);
    for (int k = 0; k < r->n_classes && r->classes; k++)
        ws_wait_free(&r->classes[k].wait);
    ws_wait_free(&r->total.wait);
    free(r->sites);
    free(r->classes);
    free(r->accounts);
    r->sites = NULL;
    r->classes = NULL;
    r->accounts = NULL;
}
