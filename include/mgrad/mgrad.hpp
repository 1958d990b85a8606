// mgrad — scalar reverse-mode automatic differentiation you can see.
//
// Include this one header for the whole public API: Value and its ops (value.hpp), the tape
// they live on (graph.hpp), the op table (op.hpp) and the error type (error.hpp).
#pragma once

#include "mgrad/engine/derivative.hpp"
#include "mgrad/engine/graph.hpp"
#include "mgrad/engine/op.hpp"
#include "mgrad/engine/value.hpp"
#include "mgrad/render/render.hpp"
#include "mgrad/support/error.hpp"
#include "mgrad/version.hpp"
