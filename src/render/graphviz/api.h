/* The C interface between mgrad and its Graphviz back end (libmgrad-graphviz.so).
 *
 * Graphviz's libraries are large and load plugins, fonts and caches: a program that never lays
 * a graph out should not load them, and the core (the WebAssembly page, a Python wheel on a
 * machine without Graphviz) must build without them. So the back end is a small module that
 * takes DOT text and gives bytes, behind plain C: no C++ type or exception crosses it, and the
 * module needs nothing from the program that loads it. The same code is linked into the
 * umbrella library (mgrad::mgrad), where the program calls it directly. */
#ifndef MGRAD_RENDER_GRAPHVIZ_API_H
#define MGRAD_RENDER_GRAPHVIZ_API_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported from the module only (compiled with MGRAD_BACKEND_MODULE); hidden in libmgrad.so. */
#ifndef MGRAD_BACKEND_EXPORT
#ifdef MGRAD_BACKEND_MODULE
#define MGRAD_BACKEND_EXPORT __attribute__((visibility("default")))
#else
#define MGRAD_BACKEND_EXPORT
#endif
#endif

#define MGRAD_GRAPHVIZ_API_VERSION 1

typedef struct MgradGraphvizApi {
    int version; /* MGRAD_GRAPHVIZ_API_VERSION */
    /* Lays `dot` out with dot and renders it as `format` ("svg", "png", "pdf"). Returns 0 and
     * the bytes in *out (*out_size of them), or non-zero and a message in *out. Either way
     * *out is freed with release(). `timings`, if not null, receives the seconds spent reading,
     * laying out and rendering. `locked`: the caller holds the module's lock (lock()), as a
     * child process forked for the layout does. */
    int (*render)(const char* dot, size_t dot_size, const char* format, int locked, char** out,
                  size_t* out_size, double* timings);
    /* 1 when this Graphviz can render `format`; else 0 and the name of what provides it in
     * *why (freed with release()). */
    int (*has_format)(const char* format, char** why);
    /* Lays out one small graph, so that the text layout (fonts, caches) is loaded before a
     * child process is forked for a large layout. */
    void (*warm_up)(void);
    void (*release)(char* p);
    /* Graphviz's one lock, held across a fork() so that the child never inherits it locked by
     * a thread it does not have. */
    void (*lock)(void);
    void (*unlock)(void);
    /* What Graphviz's own writer makes of `dot` once read (for tests); as render(). */
    int (*rewrite)(const char* dot, size_t dot_size, char** out, size_t* out_size);
} MgradGraphvizApi;

/* The module's one symbol. */
const MgradGraphvizApi* mgrad_graphviz_api(void);

#ifdef __cplusplus
}
#endif

#endif
