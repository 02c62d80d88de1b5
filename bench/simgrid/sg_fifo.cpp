/* sg_fifo: an independent reference implementation of wattscale's "fifo + first-fit" batch simulation
 * on SimGrid (Debian's libsimgrid-dev, 3.32, S4U API + host energy plugin). Not part of wattscale's build.
 *
 *   sg_fifo TRACE.csv NODES CORES IDLE_W MAX_W [--cfg=...] [--log=...]
 *
 * TRACE: CSV with header "job_id,submit_s,runtime_s,cores" (extra columns ignored), sorted by submit_s.
 * Model:
 *  - NODES hosts of CORES cores each, speed 1 flop/s, so a job of runtime R is an execution of R flops
 *    on `cores` cores (an Exec with set_thread_count(cores): every thread gets R flops at 1 flop/s).
 *  - Strict FIFO: jobs enter the queue at submit_s; only the queue head may start; it starts as soon as
 *    some node has `cores` free cores, on the lowest-numbered such node (first fit). Completions at a
 *    time t are applied before arrivals at t and before the queue is scanned at t.
 *  - Power: SimGrid 3.32's host energy plugin with wattage_per_state = "IDLE:IDLE:MAX". In this version
 *    the plugin's power is Epsilon + load * (AllCores - Epsilon) for load = busy cores / cores > 0, and
 *    Idle at load 0 (src/plugins/host_energy.cpp, HostEnergy::get_current_watts_value). With
 *    Epsilon = Idle that is exactly P(k) = IDLE + (MAX - IDLE) * k / CORES for every k = 0..CORES.
 *  - Every host is on from t = 0 to the end of the simulation, which is the end of the last job
 *    (the scheduler actor exits then), so all nodes draw at least idle power until the makespan.
 * Output: one JSON line on stdout: makespan_s, energy_j (SimGrid plugin, summed over hosts),
 * energy_closed_form_j (NODES*IDLE*makespan + (MAX-IDLE)/CORES * sum(cores*runtime), a check of the
 * plugin), jobs, wall_s, peak_rss_mb. Diagnostics go to stderr. */
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>
#include <xbt/log.h>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace {

struct Job {
    long long id;
    double submit, runtime;
    int cores;
};

/* Streaming CSV reader: memory bounded by one line, like wattscale's ws_trace. */
class Trace {
  public:
    explicit Trace(const char *path) : path_(path)
    {
        f_ = std::fopen(path, "r");
        if (!f_) {
            std::fprintf(stderr, "sg_fifo: cannot open %s\n", path);
            std::exit(2);
        }
        char buf[4096];
        if (!std::fgets(buf, sizeof buf, f_) || std::strncmp(buf, "job_id,submit_s,runtime_s,cores", 31) != 0) {
            std::fprintf(stderr, "sg_fifo: %s: header must start with job_id,submit_s,runtime_s,cores\n", path);
            std::exit(2);
        }
        line_ = 1;
    }
    ~Trace() { std::fclose(f_); }
    /* true with *j filled, false at the end */
    bool next(Job *j)
    {
        char buf[4096];
        while (std::fgets(buf, sizeof buf, f_)) {
            line_++;
            if (buf[0] == '\n' || buf[0] == '\r' || buf[0] == '#')
                continue;
            char *p = buf, *e;
            j->id = std::strtoll(p, &e, 10);
            if (e == p || *e != ',')
                bad();
            p = e + 1;
            j->submit = std::strtod(p, &e);
            if (e == p || *e != ',')
                bad();
            p = e + 1;
            j->runtime = std::strtod(p, &e);
            if (e == p || *e != ',')
                bad();
            p = e + 1;
            long c = std::strtol(p, &e, 10);
            if (e == p || (*e != ',' && *e != '\n' && *e != '\r' && *e != '\0'))
                bad();
            j->cores = (int)c;
            if (!(j->runtime >= 0) || !(j->submit >= 0) || c < 1)
                bad();
            if (j->submit < last_submit_) {
                std::fprintf(stderr, "sg_fifo: %s:%ld: submit_s decreases\n", path_, line_);
                std::exit(2);
            }
            last_submit_ = j->submit;
            return true;
        }
        return false;
    }

  private:
    [[noreturn]] void bad()
    {
        std::fprintf(stderr, "sg_fifo: %s:%ld: malformed line\n", path_, line_);
        std::exit(2);
    }
    const char *path_;
    FILE *f_ = nullptr;
    long line_ = 0;
    double last_submit_ = 0;
};

/* Max segment tree over free cores per node: first node with >= k free cores in O(log N). */
class FreeCores {
  public:
    FreeCores(int n, int cores) : n_(n)
    {
        size_ = 1;
        while (size_ < n)
            size_ <<= 1;
        t_.assign(2 * size_, -1);
        for (int i = 0; i < n; i++)
            t_[size_ + i] = cores;
        for (int i = size_ - 1; i >= 1; i--)
            t_[i] = std::max(t_[2 * i], t_[2 * i + 1]);
    }
    int first_fit(int k) const
    {
        if (t_[1] < k)
            return -1;
        int i = 1;
        while (i < size_)
            i = t_[2 * i] >= k ? 2 * i : 2 * i + 1;
        return i - size_;
    }
    void add(int node, int delta)
    {
        int i = size_ + node;
        t_[i] += delta;
        for (i >>= 1; i >= 1; i >>= 1)
            t_[i] = std::max(t_[2 * i], t_[2 * i + 1]);
    }
    int free_at(int node) const { return t_[size_ + node]; }

  private:
    int n_, size_;
    std::vector<int> t_;
};

struct State {
    Trace *trace;
    int nodes, cores;
    double idle_w, max_w;
    std::vector<sg4::Host *> hosts;
    FreeCores *free;
    sg4::SemaphorePtr wake;
    long long started = 0, done = 0, total_read = 0;
    size_t max_queue = 0; /* longest wait queue seen (after arrivals, before starts) */
    double core_seconds = 0; /* sum cores * runtime, for the closed-form energy check */
    double makespan = 0, energy = 0;
    bool finished = false;
};

State *S;

void job_actor(int node, int cores, double runtime)
{
    if (runtime > 0)
        sg4::this_actor::exec_init(runtime)->set_thread_count(cores)->wait();
    S->free->add(node, cores);
    S->done++;
    S->wake->release();
}

void scheduler()
{
    std::deque<Job> queue;
    Job next;
    bool have_next = S->trace->next(&next);
    if (have_next)
        S->total_read++;
    for (;;) {
        double now = sg4::Engine::get_clock();
        /* arrivals up to now */
        while (have_next && next.submit <= now) {
            if (next.cores > S->cores) {
                std::fprintf(stderr, "sg_fifo: job %lld needs %d cores, nodes have %d\n", next.id, next.cores, S->cores);
                std::exit(2);
            }
            queue.push_back(next);
            have_next = S->trace->next(&next);
            if (have_next)
                S->total_read++;
        }
        if (queue.size() > S->max_queue)
            S->max_queue = queue.size();
        /* strict FIFO: start the head while it fits */
        while (!queue.empty()) {
            const Job &h = queue.front();
            int node = S->free->first_fit(h.cores);
            if (node < 0)
                break;
            S->free->add(node, -h.cores);
            S->core_seconds += (double)h.cores * h.runtime;
            int c = h.cores;
            double r = h.runtime;
            sg4::Actor::create("job", S->hosts[node], [node, c, r]() { job_actor(node, c, r); });
            S->started++;
            queue.pop_front();
        }
        if (!have_next && queue.empty() && S->done == S->started)
            break;
        /* Wait for a completion; with an empty queue also for the next arrival (arrivals behind a
         * blocked head change nothing, so they are read in at the next completion). */
        if (queue.empty() && have_next) {
            double target = next.submit;
            bool timeout = S->wake->acquire_timeout(target - now);
            if (timeout && sg4::Engine::get_clock() < target) {
                /* now + (target - now) rounded below target: take the arrival as due */
                if (!(target - sg4::Engine::get_clock() < 1e-9 * std::max(1.0, target))) {
                    std::fprintf(stderr, "sg_fifo: woke at %.17g before arrival %.17g\n", sg4::Engine::get_clock(), target);
                    std::exit(3);
                }
            }
        } else {
            S->wake->acquire();
        }
        /* let every job actor that ends at this same instant free its cores first */
        sg4::this_actor::yield();
        /* drain the semaphore of completions already applied */
        while (!S->wake->would_block())
            S->wake->acquire();
        if (queue.empty() && have_next && next.submit > sg4::Engine::get_clock()) {
            /* rounded wake-up just below the arrival: admit it now (see above) */
            double t = sg4::Engine::get_clock();
            if (next.submit - t < 1e-9 * std::max(1.0, next.submit)) {
                queue.push_back(next);
                have_next = S->trace->next(&next);
                if (have_next)
                    S->total_read++;
            }
        }
    }
    S->makespan = sg4::Engine::get_clock();
    sg_host_energy_update_all();
    double e = 0;
    for (auto *h : S->hosts)
        e += sg_host_get_consumed_energy(h);
    S->energy = e;
    S->finished = true;
}

std::string write_platform(int nodes, int cores, double idle_w, double max_w)
{
    char path[] = "/tmp/sg_fifo_platform_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        std::perror("sg_fifo: mkstemp");
        std::exit(2);
    }
    FILE *f = fdopen(fd, "w");
    std::fprintf(f, "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                    "<platform version=\"4.1\">\n<zone id=\"dc\" routing=\"Full\">\n");
    for (int i = 0; i < nodes; i++)
        std::fprintf(f,
                     "<host id=\"n%d\" speed=\"1f\" core=\"%d\"><prop id=\"wattage_per_state\" value=\"%.17g:%.17g:%.17g\"/>"
                     "<prop id=\"wattage_off\" value=\"0\"/></host>\n",
                     i, cores, idle_w, idle_w, max_w);
    std::fprintf(f, "</zone>\n</platform>\n");
    std::fclose(f);
    return path;
}

} // namespace

int main(int argc, char **argv)
{
    auto t0 = std::chrono::steady_clock::now();
    sg4::Engine e(&argc, argv); /* consumes --cfg= and --log= */
    xbt_log_control_set("host_energy.thres:warning"); /* no per-host energy lines at exit */
    if (argc != 6) {
        std::fprintf(stderr, "usage: sg_fifo TRACE.csv NODES CORES IDLE_W MAX_W [--cfg=...]\n");
        return 2;
    }
    State st;
    S = &st;
    st.nodes = std::atoi(argv[2]);
    st.cores = std::atoi(argv[3]);
    st.idle_w = std::strtod(argv[4], nullptr);
    st.max_w = std::strtod(argv[5], nullptr);
    if (st.nodes < 1 || st.cores < 1 || !(st.idle_w >= 0) || !(st.max_w >= st.idle_w)) {
        std::fprintf(stderr, "sg_fifo: need NODES >= 1, CORES >= 1, 0 <= IDLE_W <= MAX_W\n");
        return 2;
    }
    Trace trace(argv[1]);
    st.trace = &trace;
    FreeCores fc(st.nodes, st.cores);
    st.free = &fc;

    sg_host_energy_plugin_init();
    std::string plat = write_platform(st.nodes, st.cores, st.idle_w, st.max_w);
    e.load_platform(plat);
    unlink(plat.c_str());
    for (int i = 0; i < st.nodes; i++)
        st.hosts.push_back(e.host_by_name("n" + std::to_string(i)));
    st.wake = sg4::Semaphore::create(0);
    sg4::Actor::create("scheduler", st.hosts[0], scheduler);
    e.run();
    if (!st.finished) {
        std::fprintf(stderr, "sg_fifo: simulation ended before the scheduler finished\n");
        return 3;
    }
    double closed = st.nodes * st.idle_w * st.makespan + (st.max_w - st.idle_w) / st.cores * st.core_seconds;
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    std::printf("{\"makespan_s\": %.17g, \"energy_j\": %.17g, \"energy_closed_form_j\": %.17g, \"jobs\": %lld, "
                "\"max_queue\": %zu, \"wall_s\": %.3f, \"peak_rss_mb\": %.1f, \"simgrid\": \"%d.%d\"}\n",
                st.makespan, st.energy, closed, st.done, st.max_queue, wall, ru.ru_maxrss / 1024.0, SIMGRID_VERSION_MAJOR,
                SIMGRID_VERSION_MINOR);
    return 0;
}
