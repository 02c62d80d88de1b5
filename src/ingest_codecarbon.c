/* ingest_codecarbon: placeholder until the codecarbon parser lands (being written in this session). */
#include "ws_ingest.h"

int ws_ingest_codecarbon(const ws_ingest_opts *opts, ws_ingest_sink *sink, char tool_version[64], ws_error *err)
{
    (void)sink;
    (void)tool_version;
    ws_error_set(err, opts->path, 0, "", "format codecarbon: not implemented yet");
    return WS_EINPUT;
}
