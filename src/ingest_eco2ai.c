/* ingest_eco2ai: placeholder until the eco2ai parser lands (being written in this session). */
#include "ws_ingest.h"

int ws_ingest_eco2ai(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool_version[64], ws_error *err)
{
    (void)sink;
    (void)tool_version;
    ws_error_set(err, opts->path, 0, "", "format eco2ai: not implemented yet");
    return WS_EINPUT;
}
