/* The C interface between mgrad and its PLplot back end (libmgrad-plplot.so).
 *
 * Like the Graphviz back end (src/render/graphviz/api.h): PLplot is large and the core must
 * build without it, so charts are drawn by a small module that takes the plot's description
 * (plot_json() in mgrad/plot/plot.hpp: the same JSON a page draws from) and gives the bytes of a
 * PNG, SVG or PDF file. Plain C: no C++ type or exception crosses it. */
#ifndef MGRAD_PLOT_PLPLOT_API_H
#define MGRAD_PLOT_PLPLOT_API_H

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

#define MGRAD_PLPLOT_API_VERSION 1

typedef struct MgradPlplotApi {
    int version; /* MGRAD_PLPLOT_API_VERSION */
    /* 1 when PLplot can write `format` ("png", "svg" or "pdf") here; else 0 and why not in *why
     * (freed with release()). */
    int (*has_format)(const char* format, char** why);
    /* Draws the described plot as `format`. Returns 0 and the bytes in *out (*out_size of
     * them), or non-zero and a message in *out; either way *out is freed with release(). */
    int (*draw)(const char* description, size_t size, const char* format, char** out,
                size_t* out_size);
    void (*release)(char* p);
} MgradPlplotApi;

/* The module's one symbol. */
const MgradPlplotApi* mgrad_plplot_api(void);

#ifdef __cplusplus
}
#endif

#endif
