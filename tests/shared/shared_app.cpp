// A program built against libmgrad.so through the public headers only: the engine, a session
// with the standard commands (parser, commands, number formatting) and an error thrown across
// the library's boundary. Exits non-zero on a wrong result.
#include <mgrad/commands/commands.hpp>
#include <mgrad/language/output.hpp>
#include <mgrad/language/session.hpp>
#include <mgrad/mgrad.hpp>
#include <mgrad/nn/model_file.hpp>

#include <cstdio>
#include <sstream>
#include <string_view>

int main() {
    using mgrad::Value;
    Value a{2.0, "a"}, b{-3.0, "b"}, c{10.0, "c"}, f{-2.0, "f"};
    Value L = (a * b + c) * f;
    L.backward();
    bool ok = L.data() == -8 && a.grad() == 6 && b.grad() == -4 && c.grad() == -2 && f.grad() == 4;

    std::ostringstream out, err;
    mgrad::StreamOutput output(out, err);
    mgrad::Session session(output);
    mgrad::add_standard_commands(session);
    ok = session.run("<test>", "x = 3\ny = x**2 + sin(x)\n:backward y\nx.grad\n") && ok;
    ok = out.str().find("5.01") != std::string::npos && ok;  // 2*3 + cos(3) = 5.0100075…

    // An mgrad::Error thrown inside the library is caught here by its type.
    bool caught = false;
    try {
        (void)mgrad::model_from_json("{ not json");
    } catch (const mgrad::Error& e) {
        caught = std::string_view(e.what()).find("model") != std::string_view::npos;
    }
    std::printf("L = %g; session printed: %s", L.data(), out.str().c_str());
    if (!err.str().empty()) std::printf("errors: %s", err.str().c_str());
    std::printf("%s\n", ok && caught ? "ok" : "WRONG");
    return ok && caught ? 0 : 1;
}
