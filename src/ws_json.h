/* ws_json: JSON operations the scenario machinery shares: RFC 7386 merge patches (a variant is the
 * baseline with a patch merged in) and setting a value by a path such as
 * "workload.classes[0].rate_per_day" (a sweep point is the scenario with values set by path); loading
 * files strictly; and adding numbers and strings that JSON cannot hold as null. */
#ifndef WS_JSON_H
#define WS_JSON_H

#include <cjson/cJSON.h>

#include "ws_util.h"

/* A new document: target with patch merged per RFC 7386 (null deletes a member, objects merge
 * recursively, anything else replaces). Neither input is modified. NULL on out of memory. */
cJSON *ws_json_merge_patch(const cJSON *target, const cJSON *patch);

/* Replace (or add, for the last object member) the value at path with a copy of value.
 * Returns 0, or -1 with err naming the path when a step does not exist or has the wrong type. */
int ws_json_set_path(cJSON *root, const char *path, const cJSON *value, ws_error *err);
/* The value at path, or NULL. */
cJSON *ws_json_get_path(cJSON *root, const char *path);

/* The number member key of o, or dflt when it is absent or not a number. */
double ws_json_number(const cJSON *o, const char *key, double dflt);
/* Add a number, or null when NaN or infinite (JSON has neither). */
cJSON *ws_json_add_number(cJSON *obj, const char *name, double v);
/* Add a string, or null when NULL or empty. */
cJSON *ws_json_add_string(cJSON *obj, const char *name, const char *s);

/* Read and parse a JSON file; NULL with err (line of the parse error) on failure. */
cJSON *ws_json_load(const char *path, ws_error *err);

#endif
