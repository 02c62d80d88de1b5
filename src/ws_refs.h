/* ws_refs: the works a projection report rests on: data sets, studies, methods and the tools that made
 * it. A fixed catalogue; a report cites the entries that its own provenance names (input paths, what
 * they are, model forms, tweak sources, assumptions, the scenario's description and "_provenance"),
 * and always the method (SCI) and tools. Rendered as a numbered list (Markdown/HTML/LaTeX) and as BibTeX. */
#ifndef WS_REFS_H
#define WS_REFS_H

#include <cjson/cJSON.h>
#include <stdio.h>

typedef struct {
    const char *key;  /* BibTeX key */
    const char *type; /* "article", "inproceedings", "misc", "manual" */
    const char *kind; /* "data set", "study", "method", "tool" */
    const char *author, *title;
    const char *venue; /* journal / booktitle / howpublished */
    const char *year, *doi, *url, *note;
    const char *triggers; /* '|'-separated words, any of which in the report's provenance cites it; NULL: always */
} ws_ref;

#define WS_REFS_MAX 48

/* The entries report cites, in catalogue order (data sets and studies, then methods, then tools).
 * Returns how many were written to out (at most max). */
int ws_refs_select(const cJSON *report, const ws_ref **out, int max);

/* One line for a reference list: "P. Wiesner, ... "Let's Wait Awhile: ...". Middleware 2021. doi:...". */
void ws_refs_text(const ws_ref *r, char *buf, size_t size);

/* One BibTeX entry (braces protect capitals; no field holds a brace of its own). */
void ws_refs_bibtex(const ws_ref *r, FILE *out);

#endif
