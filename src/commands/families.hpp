// The families of commands, each registered by its own file (src/commands/*.cpp);
// add_standard_commands (standard.cpp) registers them all. Internal to the library.
#pragma once

namespace mgrad {

class Session;

void add_session_commands(Session& session);  // :help :load :save :reset :quit
void add_inspect_commands(Session& session);  // :backward :grad :vars :tree
void add_draw_command(Session& session);      // :draw
void add_check_commands(Session& session);    // :check, grad(f, x)
void add_whatif_commands(Session& session);   // :set :nudge
void add_descent_commands(Session& session);  // :step :minimize
void add_plot_command(Session& session);      // :plot
void add_trace_command(Session& session);     // :trace
void add_export_command(Session& session);    // :export torch
void add_model_command(Session& session);     // :model

}  // namespace mgrad
