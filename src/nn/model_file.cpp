// Model files: an MLP's weights and how it was trained, as JSON (see model_file.hpp).
#include "mgrad/nn/model_file.hpp"

#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "mgrad/support/atomic_file.hpp"
#include "mgrad/support/error.hpp"

namespace mgrad {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view format_tag = "mgrad-mlp";
constexpr int format_version = 1;
// Far beyond anything `mgrad train` can make, small enough that a hostile file cannot ask for
// gigabytes before its numbers run out.
constexpr std::size_t max_layers = 64;
constexpr std::size_t max_width = 100'000;

std::optional<Nonlinearity> nonlinearity_from_name(std::string_view name) {
    for (Nonlinearity n : {Nonlinearity::Tanh, Nonlinearity::Relu, Nonlinearity::Linear})
        if (nonlinearity_name(n) == name) return n;
    return std::nullopt;
}

double finite(double v, std::string_view what) {
    if (!std::isfinite(v))
        throw Error(
            fmt::format("cannot save the model: {} is {} (only finite weights can be "
                        "saved)",
                        what, v));
    return v;
}

Json config_to_json(const TrainConfig& c) {
    Json j;
    j["dataset"] = c.dataset;
    j["samples"] = c.samples;
    if (c.noise) j["noise"] = *c.noise;
    j["seed"] = c.seed;
    j["hidden"] = c.hidden;
    if (c.loss) j["loss"] = loss_name(*c.loss);
    j["optimizer"] = c.optimizer;
    if (c.lr) j["lr"] = *c.lr;
    j["decay"] = c.decay;
    j["alpha"] = c.alpha;
    j["steps"] = c.steps;
    return j;
}

/// Reads what is there and leaves the rest at its default: the record only informs.
TrainConfig config_from_json(const Json& j) {
    TrainConfig c;
    if (!j.is_object()) throw Error("\"training\" must be an object");
    c.dataset = j.value("dataset", c.dataset);
    c.samples = j.value("samples", c.samples);
    if (j.contains("noise")) c.noise = j.at("noise").get<double>();
    c.seed = j.value("seed", c.seed);
    if (j.contains("hidden")) c.hidden = j.at("hidden").get<std::vector<std::size_t>>();
    if (j.contains("loss")) {
        c.loss = loss_from_name(j.at("loss").get<std::string>());
        if (!c.loss) throw Error(fmt::format("unknown loss {}", j.at("loss").dump()));
    }
    c.optimizer = j.value("optimizer", c.optimizer);
    if (j.contains("lr")) c.lr = j.at("lr").get<double>();
    c.decay = j.value("decay", c.decay);
    c.alpha = j.value("alpha", c.alpha);
    c.steps = j.value("steps", c.steps);
    return c;
}

const Json& member(const Json& j, const char* key, std::string_view where) {
    if (!j.is_object() || !j.contains(key))
        throw Error(fmt::format("{}: \"{}\" is missing", where, key));
    return j.at(key);
}

double number(const Json& j, std::string_view where) {
    if (!j.is_number()) throw Error(fmt::format("{}: expected a number, not {}", where, j.dump()));
    return j.get<double>();
}

}  // namespace

ModelFile ModelFile::from(const MLP& model) {
    ModelFile f;
    f.inputs = model.nin();
    for (const mgrad::Layer& layer : model.layers()) {
        Layer out;
        out.activation = layer.neurons().front().nonlinearity();
        for (const Neuron& n : layer.neurons()) {
            const std::vector<double> p = n.parameter_data();  // weights, then the bias
            out.weights.emplace_back(p.begin(), p.end() - 1);
            out.biases.push_back(p.back());
        }
        f.layers.push_back(std::move(out));
    }
    return f;
}

std::vector<std::size_t> ModelFile::sizes() const {
    std::vector<std::size_t> out;
    for (const Layer& l : layers)
        out.push_back(l.biases.size());
    return out;
}

std::vector<double> ModelFile::parameters() const {
    std::vector<double> out;
    for (const Layer& l : layers)
        for (std::size_t i = 0; i < l.biases.size(); ++i) {
            out.insert(out.end(), l.weights[i].begin(), l.weights[i].end());
            out.push_back(l.biases[i]);
        }
    return out;
}

std::unique_ptr<MLP> ModelFile::build(Graph& graph, bool fused) const {
    if (layers.empty()) throw Error("the model has no layers");
    MlpOptions options;
    options.output = layers.back().activation;
    options.hidden = layers.size() > 1 ? layers.front().activation : Nonlinearity::Relu;
    for (std::size_t i = 0; i + 1 < layers.size(); ++i)
        if (layers[i].activation != options.hidden)
            throw Error(fmt::format(
                "an MLP has one activation for all its hidden layers; this "
                "model's layer 1 is {} but layer {} is {}",
                nonlinearity_name(options.hidden), i + 1, nonlinearity_name(layers[i].activation)));
    options.fused = fused;
    auto model = std::make_unique<MLP>(inputs, sizes(), options, graph);
    const std::vector<double> values = parameters();
    const std::vector<Value> params = model->parameters();
    for (std::size_t i = 0; i < params.size(); ++i)
        params[i].set_data(values[i]);
    return model;
}

std::string model_to_json(const ModelFile& model) {
    Json j;
    j["format"] = format_tag;
    j["version"] = format_version;
    j["inputs"] = model.inputs;
    Json layers = Json::array();
    for (std::size_t l = 0; l < model.layers.size(); ++l) {
        const ModelFile::Layer& layer = model.layers[l];
        Json neurons = Json::array();
        for (std::size_t n = 0; n < layer.biases.size(); ++n) {
            Json w = Json::array();
            for (std::size_t i = 0; i < layer.weights[n].size(); ++i)
                w.push_back(finite(layer.weights[n][i], fmt::format("l{}.n{}.w{}", l, n, i)));
            neurons.push_back(Json{{"w", std::move(w)},
                                   {"b", finite(layer.biases[n], fmt::format("l{}.n{}.b", l, n))}});
        }
        layers.push_back(Json{{"activation", nonlinearity_name(layer.activation)},
                              {"neurons", std::move(neurons)}});
    }
    j["layers"] = std::move(layers);
    if (model.training) {
        Json t = config_to_json(model.training->config);
        t["steps_done"] = model.training->steps_done;
        t["final_loss"] = model.training->loss;
        t["accuracy"] = model.training->accuracy;
        j["training"] = std::move(t);
    }
    // One neuron per line: readable, and diffs of two models line up.
    std::string out = "{\n";
    bool first = true;
    for (const auto& [key, value] : j.items()) {
        if (!first) out += ",\n";
        first = false;
        out += fmt::format("  {}: ", Json(key).dump());
        if (key == "layers") {
            out += "[\n";
            for (std::size_t l = 0; l < value.size(); ++l) {
                out += fmt::format("    {{\"activation\": {}, \"neurons\": [\n",
                                   value[l]["activation"].dump());
                const Json& neurons = value[l]["neurons"];
                for (std::size_t n = 0; n < neurons.size(); ++n)
                    out += fmt::format("      {}{}\n", neurons[n].dump(),
                                       n + 1 < neurons.size() ? "," : "");
                out += fmt::format("    ]}}{}\n", l + 1 < value.size() ? "," : "");
            }
            out += "  ]";
        } else {
            out += value.dump();
        }
    }
    return out + "\n}\n";
}

ModelFile model_from_json(std::string_view text, std::string_view source) {
    Json j;
    try {
        j = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
        throw Error(fmt::format("{}: not JSON: {}", source, e.what()));
    }
    try {
        const Json& tag = member(j, "format", source);
        if (tag != format_tag)
            throw Error(fmt::format("{}: not an mgrad model (\"format\" is {}, expected \"{}\")",
                                    source, tag.dump(), format_tag));
        const Json& version = member(j, "version", source);
        if (!version.is_number_integer() || version.get<int>() != format_version)
            throw Error(
                fmt::format("{}: model format version {} is not supported (this mgrad "
                            "reads version {})",
                            source, version.dump(), format_version));
        ModelFile f;
        const Json& inputs = member(j, "inputs", source);
        if (!inputs.is_number_unsigned() || inputs.get<std::size_t>() == 0 ||
            inputs.get<std::size_t>() > max_width)
            throw Error(fmt::format("{}: \"inputs\" must be a whole number from 1 to {}", source,
                                    max_width));
        f.inputs = inputs.get<std::size_t>();
        const Json& layers = member(j, "layers", source);
        if (!layers.is_array() || layers.empty() || layers.size() > max_layers)
            throw Error(
                fmt::format("{}: \"layers\" must be a list of 1 to {} layers", source, max_layers));
        std::size_t nin = f.inputs;
        for (std::size_t l = 0; l < layers.size(); ++l) {
            const std::string where = fmt::format("{}: layer {}", source, l + 1);
            ModelFile::Layer layer;
            const Json& act = member(layers[l], "activation", where);
            const auto n =
                act.is_string() ? nonlinearity_from_name(act.get<std::string>()) : std::nullopt;
            if (!n)
                throw Error(fmt::format("{}: unknown activation {} (known: tanh, relu, linear)",
                                        where, act.dump()));
            layer.activation = *n;
            const Json& neurons = member(layers[l], "neurons", where);
            if (!neurons.is_array() || neurons.empty() || neurons.size() > max_width)
                throw Error(fmt::format("{}: \"neurons\" must be a list of 1 to {} neurons", where,
                                        max_width));
            for (std::size_t k = 0; k < neurons.size(); ++k) {
                const std::string at = fmt::format("{}, neuron {}", where, k + 1);
                const Json& w = member(neurons[k], "w", at);
                if (!w.is_array() || w.size() != nin)
                    throw Error(
                        fmt::format("{}: \"w\" must hold {} weights (one per input of the "
                                    "layer)",
                                    at, nin));
                std::vector<double> row;
                row.reserve(nin);
                for (const Json& x : w)
                    row.push_back(number(x, at));
                layer.weights.push_back(std::move(row));
                layer.biases.push_back(number(member(neurons[k], "b", at), at));
            }
            nin = layer.biases.size();
            f.layers.push_back(std::move(layer));
        }
        if (j.contains("training")) {
            const Json& t = j.at("training");
            TrainingRecord r;
            r.config = config_from_json(t);
            r.steps_done = t.value("steps_done", std::size_t{0});
            r.loss = t.value("final_loss", 0.0);
            r.accuracy = t.value("accuracy", 0.0);
            f.training = r;
        }
        return f;
    } catch (const Json::exception& e) {
        // A value of the wrong type inside "training" and the like.
        throw Error(fmt::format("{}: not a valid model: {}", source, e.what()));
    }
}

void save_model(const ModelFile& model, const std::filesystem::path& file) {
    write_file_atomically(file, model_to_json(model));
}

ModelFile load_model(const std::filesystem::path& file) {
    const std::string name = file.string();
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0)
        throw Error(fmt::format("cannot read '{}': {}", name, std::strerror(errno)));
    // A FIFO or a device would block or never end: only a plain file is read.
    if (!S_ISREG(st.st_mode))
        throw Error(
            fmt::format("cannot read '{}': {}", name,
                        S_ISDIR(st.st_mode) ? "it is a directory" : "it is not a regular file"));
    if (static_cast<std::uintmax_t>(st.st_size) > max_model_file_size)
        throw Error(fmt::format("cannot read '{}': it is larger than {} MiB", name,
                                max_model_file_size >> 20u));
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(fmt::format("cannot read '{}': {}", name, std::strerror(errno)));
    std::string text;
    text.reserve(static_cast<std::size_t>(st.st_size));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error(fmt::format("cannot read '{}'", name));
    if (text.size() > max_model_file_size)
        throw Error(fmt::format("cannot read '{}': it is larger than {} MiB", name,
                                max_model_file_size >> 20u));
    return model_from_json(text, name);
}

}  // namespace mgrad
