// mgrad — scalar reverse-mode automatic differentiation you can see.
//
// Include this one header for the whole public API: Value and its ops (value.hpp), the tape
// they live on (graph.hpp), the op table (op.hpp) and the error type (error.hpp).
#pragma once

#include "mgrad/derivative.hpp"
#include "mgrad/error.hpp"
#include "mgrad/graph.hpp"
#include "mgrad/op.hpp"
#include "mgrad/render.hpp"
#include "mgrad/value.hpp"
#include "mgrad/version.hpp"
