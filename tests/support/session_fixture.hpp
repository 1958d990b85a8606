// The one session a unit test types into: a Session with every standard command, whose
// results and diagnostics are kept as text (take_out(), take_err()).
#pragma once

#include <sstream>
#include <string>
#include <string_view>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/output.hpp>
#include <mgrad/language/session.hpp>

namespace mgrad_test {

struct SessionFixture {
    std::ostringstream out, err;
    mgrad::StreamOutput sink{out, err};
    mgrad::Session session{sink};
    bool with_commands = (mgrad::add_standard_commands(session), true);

    bool run(std::string_view text) { return session.run("<test>", text); }
    std::string take_out() {
        std::string s = out.str();
        out.str("");
        return s;
    }
    std::string take_err() {
        std::string s = err.str();
        err.str("");
        return s;
    }
    double data(std::string_view name) { return session.graph().data(*session.lookup(name)); }
    double grad(std::string_view name) { return session.graph().grad(*session.lookup(name)); }
};

}  // namespace mgrad_test
