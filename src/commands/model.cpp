// :model FILE — a network saved by `mgrad train --save` as nodes of the session's graph.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "families.hpp"
#include "mgrad/engine/value.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/nn/model_file.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

/// The nodes building the model records: its parameters, and per neuron a Mul and an Add per
/// input, the bias's Add and the activation.
std::size_t nodes_needed(const ModelFile& f) {
    std::size_t nodes = f.inputs, nin = f.inputs;
    for (const ModelFile::Layer& l : f.layers) {
        nodes += l.biases.size() * ((nin + 1) + 2 * nin + 2);
        nin = l.biases.size();
    }
    return nodes;
}

void cmd_model(Session& session, std::span<const Word> args, Output& out) {
    ModelFile f;
    try {
        f = load_model(args[0].text);
    } catch (const Error& e) {
        throw Error(e.what(), args[0].span);
    }
    Graph& g = session.graph();
    const std::size_t cap = session.options().max_nodes;
    if (cap != 0 && g.size() + nodes_needed(f) > cap)
        throw Error(fmt::format("the model needs about {} nodes and the graph has {}: more than "
                                "the cap of {} (start mgrad with a larger --max-nodes)",
                                nodes_needed(f), g.size(), cap),
                    args[0].span);
    // Unfused: a Mul and an Add per weight, as micrograd draws a neuron.
    const std::unique_ptr<MLP> model = f.build(g, false);
    std::vector<Value> inputs;
    for (std::size_t i = 0; i < f.inputs; ++i)
        inputs.push_back(Value(g, 0.0));
    const std::vector<Value> outputs = (*model)(inputs);
    std::string input_names, output_names;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const std::string name = fmt::format("x{}", i + 1);
        session.bind(name, inputs[i].id());
        input_names += " " + name;
    }
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const std::string name = outputs.size() == 1 ? "y" : fmt::format("y{}", i + 1);
        session.bind(name, outputs[i].id());
        output_names += " " + name;
    }
    std::string text = fmt::format("loaded {} from {} ({} parameters", model->describe(),
                                   args[0].text, model->parameter_count());
    if (f.training)
        text += fmt::format("; trained {} steps on {} {} points, accuracy {:.1f}%",
                            f.training->steps_done, f.training->config.samples,
                            f.training->config.dataset, 100.0 * f.training->accuracy);
    text += fmt::format(")\ninputs{} (all 0; change them with :set), output{}{}\n", input_names,
                        outputs.size() == 1 ? "" : "s", output_names);
    out.text(text);
}

}  // namespace

void add_model_command(Session& session) {
    session.add_command(
        {"model", "", "load a network saved by `mgrad train --save FILE`",
         "Builds the saved MLP on the session's graph: its inputs become the leaves x1, x2 …\n"
         "(set to 0), its weights leaves labelled l0.n3.w1 (layer, neuron, weight) and l0.n3.b,\n"
         "and its output is bound to y (y1, y2 … for one output per class). Each neuron is\n"
         "drawn as micrograd draws it: a * and a + per input, the bias, the activation.\n"
         "Example:\n"
         "  $ mgrad train --save moons.json\n"
         "  :model moons.json\n"
         "  :set x1 0.5\n"
         "  y\n"
         "  :draw y net.svg cluster-modules\n",
         cmd_model, true, false,
         CommandSpec{.args = {{.name = "FILE",
                               .kind = ArgKind::File,
                               .help = "a network saved by mgrad train --save",
                               .choices = {"json"}}}}});
}

}  // namespace mgrad
