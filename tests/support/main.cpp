// doctest's main lives alone so every test file compiles against the plain header.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
