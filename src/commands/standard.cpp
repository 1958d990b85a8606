// add_standard_commands: every family of commands on one session.
#include "families.hpp"
#include "mgrad/commands/commands.hpp"

namespace mgrad {

void add_standard_commands(Session& session) {
    add_session_commands(session);
    add_inspect_commands(session);
    add_draw_command(session);
    add_check_commands(session);
    add_whatif_commands(session);
    add_descent_commands(session);
    add_plot_command(session);
    add_trace_command(session);
    add_export_command(session);
    add_model_command(session);
}

}  // namespace mgrad
