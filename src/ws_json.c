/* ws_json: see ws_json.h. */
#include "ws_json.h"

#include <math.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

cJSON *ws_json_merge_patch(const cJSON *target, const cJSON *patch)
{
    if (!cJSON_IsObject(patch))
        return cJSON_Duplicate(patch, 1);
    cJSON *out = cJSON_IsObject(target) ? cJSON_Duplicate(target, 1) : cJSON_CreateObject();
    if (!out)
        return NULL;
    const cJSON *member;
    cJSON_ArrayForEach(member, patch)
    {
        if (cJSON_IsNull(member)) {
            cJSON_DeleteItemFromObjectCaseSensitive(out, member->string);
            continue;
        }
        cJSON *merged = ws_json_merge_patch(cJSON_GetObjectItemCaseSensitive(out, member->string), member);
        if (!merged) {
            cJSON_Delete(out);
            return NULL;
        }
        if (cJSON_GetObjectItemCaseSensitive(out, member->string))
            cJSON_ReplaceItemInObjectCaseSensitive(out, member->string, merged);
        else
            cJSON_AddItemToObject(out, member->string, merged);
    }
    return out;
}

/* One step of a path: a member name, or an [index]. */
typedef struct {
    char name[128];
    int index; /* -1 for a member */
} path_step;

/* Parse the next step at *p; returns 1 on a step, 0 at the end, -1 on a malformed path. */
static int next_step(const char **p, path_step *st)
{
    const char *s = *p;
    if (*s == '\0')
        return 0;
    if (*s == '.')
        s++;
    if (*s == '[') {
        char *end;
        long i = strtol(s + 1, &end, 10);
        if (end == s + 1 || *end != ']' || i < 0)
            return -1;
        st->index = (int)i;
        st->name[0] = '\0';
        *p = end + 1;
        return 1;
    }
    size_t n = strcspn(s, ".[");
    if (n == 0 || n >= sizeof st->name)
        return -1;
    memcpy(st->name, s, n);
    st->name[n] = '\0';
    st->index = -1;
    *p = s + n;
    return 1;
}

static cJSON *step_into(cJSON *node, const path_step *st)
{
    if (st->index >= 0)
        return cJSON_IsArray(node) ? cJSON_GetArrayItem(node, st->index) : NULL;
    return cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, st->name) : NULL;
}

cJSON *ws_json_get_path(cJSON *root, const char *path)
{
    const char *p = path;
    path_step st;
    int r;
    cJSON *node = root;
    while (node && (r = next_step(&p, &st)) == 1)
        node = step_into(node, &st);
    return node && *p == '\0' ? node : NULL;
}

int ws_json_set_path(cJSON *root, const char *path, const cJSON *value, ws_error *err)
{
    const char *p = path;
    path_step st, last;
    cJSON *parent = NULL, *node = root;
    int r;
    while ((r = next_step(&p, &st)) == 1) {
        if (!node) {
            ws_error_set(err, "", 0, path, "no such place in the scenario");
            return -1;
        }
        parent = node;
        last = st;
        node = step_into(node, &st);
    }
    if (r < 0 || !parent) {
        ws_error_set(err, "", 0, path, "not a JSON path (e.g. sites[0].pue)");
        return -1;
    }
    cJSON *copy = cJSON_Duplicate(value, 1);
    if (last.index >= 0) {
        if (!node) {
            cJSON_Delete(copy);
            ws_error_set(err, "", 0, path, "index out of range");
            return -1;
        }
        cJSON_ReplaceItemInArray(parent, last.index, copy);
    } else if (node) {
        cJSON_ReplaceItemInObjectCaseSensitive(parent, last.name, copy);
    } else if (cJSON_IsObject(parent)) {
        cJSON_AddItemToObject(parent, last.name, copy);
    } else {
        cJSON_Delete(copy);
        ws_error_set(err, "", 0, path, "parent is not an object");
        return -1;
    }
    return 0;
}

cJSON *ws_json_load(const char *path, ws_error *err)
{
    size_t len;
    char *text = ws_read_file(path, &len);
    if (!text) {
        ws_error_set(err, path, 0, "", "cannot read: %s", ws_read_file_error());
        return NULL;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        long line = 1;
        for (const char *c = text; at && c < at && *c; c++)
            line += *c == '\n';
        ws_error_set(err, path, line, "", "not valid JSON");
    }
    free(text);
    return root;
}

cJSON *ws_json_add_number(cJSON *obj, const char *name, double v)
{
    if (isnan(v) || isinf(v))
        return cJSON_AddNullToObject(obj, name);
    return cJSON_AddNumberToObject(obj, name, v);
}

double ws_json_number(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

cJSON *ws_json_add_string(cJSON *obj, const char *name, const char *s)
{
    if (!s || !*s)
        return cJSON_AddNullToObject(obj, name);
    return cJSON_AddStringToObject(obj, name, s);
}
