/* ws_rapl: see ws_rapl.h. */
#include "ws_rapl.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read one unsigned number from a sysfs file: 0, or the errno (ERANGE/EINVAL for a bad number). */
static int read_u64(const char *path, uint64_t *out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno ? errno : EIO;
    char buf[64];
    int rc = 0;
    if (!fgets(buf, sizeof buf, f))
        rc = ferror(f) ? (errno ? errno : EIO) : EINVAL;
    fclose(f);
    if (rc)
        return rc;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (end == buf || errno || buf[0] == '-')
        return EINVAL;
    while (*end == '\n' || *end == ' ')
        end++;
    if (*end)
        return EINVAL;
    *out = (uint64_t)v;
    return 0;
}

static int read_text(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(out, (int)size, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    ws_trim(out);
    return 0;
}

static int zone_cmp(const void *a, const void *b)
{
    return strcmp(((const ws_rapl_zone *)a)->zone, ((const ws_rapl_zone *)b)->zone);
}

uint64_t ws_rapl_delta_uj(uint64_t last_uj, uint64_t now_uj, uint64_t max_range_uj)
{
    if (now_uj >= last_uj)
        return now_uj - last_uj;
    return max_range_uj - last_uj + now_uj;
}

int ws_rapl_open(ws_rapl *r, const char *root, ws_error *err)
{
    (void)err;
    memset(r, 0, sizeof *r);
    DIR *d = opendir(root);
    if (!d) {
        snprintf(r->why, sizeof r->why, "no powercap tree at %.200s (%s): CPU energy not measured", root,
                 strerror(errno));
        return WS_OK;
    }
    int denied = 0, bad = 0;
    char first_denied[128] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "intel-rapl:", 11) != 0 || strlen(e->d_name) >= sizeof r->zones[0].zone)
            continue;
        char path[700], name[64];
        snprintf(path, sizeof path, "%s/%s/name", root, e->d_name);
        if (read_text(path, name, sizeof name) != 0)
            continue;
        ws_rapl_kind kind;
        if (strncmp(name, "package-", 8) == 0)
            kind = WS_RAPL_PACKAGE;
        else if (strcmp(name, "dram") == 0)
            kind = WS_RAPL_DRAM;
        else
            continue; /* core, uncore, psys: inside a package, or the platform: not added */
        if (r->n == WS_RAPL_MAX_ZONES)
            break;
        ws_rapl_zone *z = &r->zones[r->n];
        memset(z, 0, sizeof *z);
        ws_strlcpy(z->zone, e->d_name, sizeof z->zone);
        ws_strlcpy(z->name, name, sizeof z->name);
        z->kind = kind;
        snprintf(path, sizeof path, "%s/%s/max_energy_range_uj", root, e->d_name);
        int rc = read_u64(path, &z->max_range_uj);
        if (rc == 0 && z->max_range_uj == 0)
            rc = EINVAL;
        if (rc == 0) {
            snprintf(z->path, sizeof z->path, "%s/%s/energy_uj", root, e->d_name);
            rc = read_u64(z->path, &z->first_uj);
        }
        if (rc == EACCES || rc == EPERM) {
            if (!denied++)
                snprintf(first_denied, sizeof first_denied, "%.100s/energy_uj", e->d_name);
            continue;
        }
        if (rc != 0) {
            bad++;
            continue;
        }
        if (z->first_uj > z->max_range_uj) {
            bad++;
            continue;
        }
        z->last_uj = z->first_uj;
        r->n++;
    }
    closedir(d);
    qsort(r->zones, (size_t)r->n, sizeof r->zones[0], zone_cmp);
    for (int i = 0; i < r->n; i++)
        if (r->zones[i].kind == WS_RAPL_PACKAGE)
            r->available = 1;
    if (denied && !r->available)
        snprintf(r->why, sizeof r->why,
                 "RAPL counters not readable (%.100s: permission denied; root only since Linux 5.10): CPU energy "
                 "not measured (run as root, or make energy_uj readable)", first_denied);
    else if (denied)
        snprintf(r->why, sizeof r->why, "%d RAPL zone(s) not readable (permission denied), left out", denied);
    else if (!r->available && bad)
        snprintf(r->why, sizeof r->why, "RAPL zones under %.200s unreadable (bad or missing energy_uj or "
                 "max_energy_range_uj): CPU energy not measured", root);
    else if (!r->available)
        snprintf(r->why, sizeof r->why, "no RAPL package zone under %.200s: CPU energy not measured", root);
    return WS_OK;
}

int ws_rapl_start(ws_rapl *r, ws_error *err)
{
    for (int i = 0; i < r->n; i++) {
        ws_rapl_zone *z = &r->zones[i];
        int rc = read_u64(z->path, &z->first_uj);
        if (rc) {
            ws_error_set(err, z->path, 0, "", "cannot read: %s", strerror(rc));
            return WS_EFAIL;
        }
        z->last_uj = z->first_uj;
        z->energy_j = 0;
        z->n_wraps = 0;
    }
    return WS_OK;
}

int ws_rapl_read(ws_rapl *r, ws_error *err)
{
    for (int i = 0; i < r->n; i++) {
        ws_rapl_zone *z = &r->zones[i];
        uint64_t now;
        int rc = read_u64(z->path, &now);
        if (rc == 0 && now > z->max_range_uj)
            rc = ERANGE;
        if (rc) {
            ws_error_set(err, z->path, 0, "", "cannot read: %s", strerror(rc));
            return WS_EFAIL;
        }
        if (now < z->last_uj)
            z->n_wraps++;
        z->energy_j += (double)ws_rapl_delta_uj(z->last_uj, now, z->max_range_uj) * 1e-6;
        z->last_uj = now;
    }
    return WS_OK;
}

static double sum_kind(const ws_rapl *r, ws_rapl_kind kind)
{
    double sum = NAN;
    for (int i = 0; i < r->n; i++)
        if (r->zones[i].kind == kind)
            sum = (isnan(sum) ? 0 : sum) + r->zones[i].energy_j;
    return sum;
}

double ws_rapl_package_j(const ws_rapl *r)
{
    return sum_kind(r, WS_RAPL_PACKAGE);
}

double ws_rapl_dram_j(const ws_rapl *r)
{
    return sum_kind(r, WS_RAPL_DRAM);
}
