// MGRAD_API — what libmgrad.so exports.
//
// The library is compiled with hidden visibility (-fvisibility=hidden), so only what the public
// headers mark MGRAD_API is a symbol of the shared library: the classes and functions of
// include/mgrad. Internals (src/, the private helpers of each layer) stay local, and so do the
// libraries mgrad is built on ({fmt}, nlohmann/json, Graphviz, PLplot). The static library
// carries the same marks; they change nothing for a program that links it. MGRAD_LOCAL keeps
// a private part of an exported class (a pimpl) out of the library's symbols.
#pragma once

#if defined(_WIN32) || defined(__CYGWIN__)
#define MGRAD_API
#define MGRAD_LOCAL
#else
#define MGRAD_API __attribute__((visibility("default")))
#define MGRAD_LOCAL __attribute__((visibility("hidden")))
#endif
