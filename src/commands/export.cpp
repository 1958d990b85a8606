// :export torch FILE [NAME]: a PyTorch script that rebuilds a graph and prints its gradients.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "families.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/atomic_file.hpp"
#include "mgrad/support/number.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

std::string py_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string py_number(double v) { return "float(\"" + format_number(v) + "\")"; }

void cmd_export(Session& session, std::span<const Word> args, Output& out) {
    NodeId root = 0;
    if (args.size() == 3) {
        root = node_arg(session, args[2]);
    } else {
        const auto latest = latest_named(session);
        if (!latest) throw Error("nothing to export yet: bind a name first (a = 2)");
        root = *latest;
    }
    const std::string& path = args[1].text;
    try {
        check_writable(path);  // before the script is made: a large graph takes a while
        // A full disk or an error halfway must not leave a truncated script behind.
        write_file_atomically(path, torch_script(session, root));
    } catch (const Error& e) {
        if (e.span()) throw;
        throw Error(e.what(), args[1].span);
    }
    out.text(fmt::format("wrote {} (run it with python3 {})\n", path, path));
    detail::report_written(out, path);
}

}  // namespace

std::string torch_script(Session& session, NodeId root) {
    Graph& g = session.graph();
    g.forward();
    const std::vector<bool> wanted = ancestors(g, root);
    const std::string name = session.node_name(root);
    std::string s = fmt::format(
        "#!/usr/bin/env python3\n"
        "# The mgrad graph of {0}, rebuilt in PyTorch (float64) by mgrad's ':export torch'.\n"
        "# It backpropagates from {0} and prints the named nodes as ':grad {0}' prints them\n"
        "# after ':backward {0}', in the same number format, so the two can be compared.\n"
        "import sys\n\n"
        "try:\n"
        "    import torch\n"
        "except ImportError:\n"
        "    sys.exit(\"this script needs PyTorch (Debian package python3-torch)\")\n\n\n"
        "def leaf(x):\n"
        "    return torch.tensor(x, dtype=torch.float64, requires_grad=True)\n\n\n"
        "def keep(t):\n"
        "    # gradients of intermediate tensors are kept only when asked for\n"
        "    if t.requires_grad and t.grad_fn is not None:\n"
        "        t.retain_grad()\n"
        "    return t\n\n\n"
        "def number(x):\n"
        "    # mgrad's format: Python's repr of a float, without the .0 of integral values\n"
        "    text = repr(float(x))\n"
        "    return text[:-2] if text.endswith(\".0\") else text\n\n\n",
        name);
    std::vector<std::pair<std::string, NodeId>> named;
    for (NodeId id = 0; id <= root; ++id) {
        if (!wanted[id]) continue;
        const Node& n = g.node(id);
        std::string e;
        if (is_leaf(n.op)) {
            e = fmt::format("leaf({})", py_number(n.data));
        } else {
            // The op's row in the op table says how PyTorch writes it: "{a} * {b}" …
            const std::string_view t = op_info(n.op).torch;
            for (std::size_t i = 0; i < t.size(); ++i) {
                if (t[i] == '{' && i + 2 < t.size() && t[i + 2] == '}') {
                    const char p = t[i + 1];
                    e += p == 'k'   ? py_number(g.exponent(id))
                         : p == 'a' ? fmt::format("n{}", n.a)
                         : p == 'b' ? fmt::format("n{}", n.b)
                                    : fmt::format("n{}", n.c);
                    i += 2;
                } else {
                    e += t[i];
                }
            }
        }
        if (!is_leaf(n.op)) e = "keep(" + e + ")";
        std::string comment;
        if (!g.label(id).empty()) {
            comment = "  # " + std::string(g.label(id));
            named.emplace_back(g.label(id), id);
        }
        s += fmt::format("n{} = {}{}\n", id, e, comment);
    }
    s += fmt::format("\nn{}.backward()\n\nnamed = [\n", root);
    for (const auto& [label, id] : named)
        s += fmt::format("    ({}, n{}),\n", py_string(label), id);
    s += "]\n"
         "rows = [(\"node\", \"data\", \"grad\")]\n"
         "for name, t in named:\n"
         "    grad = 0.0 if t.grad is None else t.grad.item()\n"
         "    rows.append((name, number(t.item()), number(grad)))\n"
         "widths = [max(len(row[c]) for row in rows) for c in range(3)]\n"
         "for row in rows:\n"
         "    line = row[0].ljust(widths[0]) + \"  \" + row[1].rjust(widths[1])\n"
         "    print((line + \"  \" + row[2].rjust(widths[2])).rstrip())\n";
    return s;
}

void add_export_command(Session& session) {
    session.add_command(
        {"export", "", "a PyTorch script that checks NAME's graph",
         "FILE rebuilds everything NAME (default: the newest named node) depends on in PyTorch\n"
         "with float64 tensors, runs backward from NAME and prints the named nodes as\n"
         "':backward NAME' then ':grad NAME' print them, in the same number format, so mgrad\n"
         "can be confirmed against PyTorch: python3 FILE. The session is not changed.\n",
         cmd_export, false, false,
         CommandSpec{.args = {{.name = "torch",
                               .kind = ArgKind::Choice,
                               .help = "the format",
                               .choices = {"torch"},
                               .what = "export format"},
                              {.name = "FILE",
                               .kind = ArgKind::File,
                               .help = "the Python script to write",
                               .choices = {"py"}},
                              {.name = "NAME",
                               .kind = ArgKind::Node,
                               .help = "the value to check (default: the newest named node)",
                               .optional = true}}}});
}

}  // namespace mgrad
