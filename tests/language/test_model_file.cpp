// Model files (mgrad/nn/model_file.hpp), `mgrad train`'s limits, and :model in a session.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>
#include <mgrad/nn/model_file.hpp>
#include <mgrad/nn/train.hpp>

namespace fs = std::filesystem;
using mgrad::ModelFile;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / fmt::format("mgrad-model-{}", ::getpid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

std::string error_of(std::string_view json) {
    try {
        (void)mgrad::model_from_json(json, "m.json");
    } catch (const mgrad::Error& e) {
        return e.what();
    }
    return "(no error)";
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("model file: a saved model predicts bit for bit what it predicted") {
    mgrad::TrainConfig c;
    c.steps = 5;
    mgrad::TrainingRun run(c);
    for (std::size_t k = 0; k < c.steps; ++k)
        (void)run.step();
    ModelFile f = ModelFile::from(run.model());
    f.training = mgrad::TrainingRecord{c, 5, 0.25, 0.9};
    TempDir dir;
    mgrad::save_model(f, dir.path / "m.json");
    const ModelFile back = mgrad::load_model(dir.path / "m.json");
    CHECK(back.inputs == 2);
    CHECK(back.sizes() == std::vector<std::size_t>{16, 16, 1});
    const std::vector<double> a = run.model().parameter_data(), b = back.parameters();
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        CHECK(same_bits(a[i], b[i]));
    REQUIRE(back.training);
    CHECK(back.training->config.dataset == "moons");
    CHECK(back.training->steps_done == 5);
    CHECK(back.training->accuracy == 0.9);

    mgrad::Graph g;
    const auto model = back.build(g);
    CHECK(model->describe() == run.model().describe());
    for (double x : {-1.5, -0.3, 0.0, 0.7, 2.1})
        for (double y : {-1.0, 0.25, 1.3}) {
            const std::vector<double> in{x, y};
            CHECK(same_bits(model->predict(in)[0], run.model().predict(in)[0]));
        }

    // Training from the loaded weights starts where the saved run stopped.
    mgrad::TrainConfig again;
    again.initial_parameters = back.parameters();
    mgrad::TrainingRun resumed(again);
    CHECK(same_bits(resumed.evaluate().loss, run.evaluate().loss));
    again.hidden = {8};
    CHECK_THROWS_WITH_AS(mgrad::TrainingRun{again}, doctest::Contains("initial values"),
                         mgrad::Error);
}

TEST_CASE("model file: what is wrong with a file is said, with where") {
    CHECK(error_of("{").starts_with("m.json: not JSON"));
    CHECK(error_of("[]") == "m.json: \"format\" is missing");
    CHECK(error_of(R"({"format": "onnx"})") ==
          "m.json: not an mgrad model (\"format\" is \"onnx\", expected \"mgrad-mlp\")");
    CHECK(error_of(R"({"format": "mgrad-mlp", "version": 2})").find("version 2 is not supported") !=
          std::string::npos);
    const std::string head = R"({"format": "mgrad-mlp", "version": 1, "inputs": 2, "layers": )";
    CHECK(error_of(head + "[]}") == "m.json: \"layers\" must be a list of 1 to 64 layers");
    CHECK(error_of(head + R"([{"activation": "gelu", "neurons": []}]})") ==
          "m.json: layer 1: unknown activation \"gelu\" (known: tanh, relu, linear)");
    CHECK(error_of(head + R"([{"activation": "relu", "neurons": [{"w": [1], "b": 0}]}]})") ==
          "m.json: layer 1, neuron 1: \"w\" must hold 2 weights (one per input of the layer)");
    CHECK(error_of(head + R"([{"activation": "relu", "neurons": [{"w": [1, "x"], "b": 0}]}]})") ==
          "m.json: layer 1, neuron 1: expected a number, not \"x\"");
    CHECK(error_of(head + R"([{"activation": "relu", "neurons": [{"w": [1, 2]}]}]})") ==
          "m.json: layer 1, neuron 1: \"b\" is missing");
    CHECK(error_of(R"({"format": "mgrad-mlp", "version": 1, "inputs": -2})") ==
          "m.json: \"inputs\" must be a whole number from 1 to 100000");
    // Hidden layers of different activations: a valid file, but not an MLP.
    const ModelFile mixed = mgrad::model_from_json(
        head + R"([{"activation": "relu", "neurons": [{"w": [1, 2], "b": 0}]},
                   {"activation": "tanh", "neurons": [{"w": [1], "b": 0}]},
                   {"activation": "linear", "neurons": [{"w": [1], "b": 0}]}]})");
    mgrad::Graph g;
    CHECK_THROWS_WITH_AS((void)mixed.build(g), doctest::Contains("one activation for all"),
                         mgrad::Error);
    // A weight that is not a number cannot be saved (JSON has no NaN).
    ModelFile bad = mixed;
    bad.layers[0].weights[0][1] = NAN;
    CHECK_THROWS_WITH_AS((void)mgrad::model_to_json(bad), doctest::Contains("l0.n0.w1 is nan"),
                         mgrad::Error);
}

TEST_CASE("model file: only plain files of a sane size are read") {
    TempDir dir;
    const fs::path fifo = dir.path / "fifo.json";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS((void)mgrad::load_model(fifo), doctest::Contains("not a regular file"),
                         mgrad::Error);
    CHECK_THROWS_WITH_AS((void)mgrad::load_model(dir.path), doctest::Contains("a directory"),
                         mgrad::Error);
    const fs::path big = dir.path / "big.json";
    { std::ofstream out(big); }
    fs::resize_file(big, mgrad::max_model_file_size + 1);  // sparse: no disk used
    CHECK_THROWS_WITH_AS((void)mgrad::load_model(big), doctest::Contains("larger than 64 MiB"),
                         mgrad::Error);
    CHECK_THROWS_WITH_AS((void)mgrad::load_model(dir.path / "none.json"),
                         doctest::Contains("No such file"), mgrad::Error);
}

TEST_CASE("train: limits are checked before anything is allocated") {
    mgrad::TrainConfig c;
    CHECK_NOTHROW(mgrad::check_train_config(c));
    auto rejects = [](mgrad::TrainConfig config, const char* what) {
        CHECK_THROWS_WITH_AS(mgrad::check_train_config(config), doctest::Contains(what),
                             mgrad::Error);
        CHECK_THROWS_AS(mgrad::TrainingRun{config}, mgrad::Error);
    };
    c.samples = 0;
    rejects(c, "samples must be from 1 to 100000");
    c = {};
    c.samples = 1'000'000;
    rejects(c, "samples must be from 1 to 100000");
    c = {};
    c.hidden = {4000, 4000};
    rejects(c, "from 1 to 1000 neurons");
    c = {};
    c.hidden = std::vector<std::size_t>(17, 2);
    rejects(c, "at most 16 hidden layers");
    c = {};
    c.steps = 1'000'000'000'000;
    rejects(c, "steps must be from 0 to 1000000");
    c = {};
    c.samples = 100'000;  // the default model on the most samples: over the node budget
    rejects(c, "graph nodes");
    c = {};
    c.hidden = {1000, 1000};
    rejects(c, "graph nodes");
}

TEST_CASE("train: the node estimate bounds what a run records") {
    for (const auto& [dataset, hidden, fused] :
         std::vector<std::tuple<std::string, std::vector<std::size_t>, bool>>{
             {"moons", {16, 16}, true},
             {"moons", {16, 16}, false},
             {"blobs", {8}, true},
             {"xor", {3, 5, 7}, false}}) {
        mgrad::TrainConfig c;
        c.dataset = dataset;
        c.hidden = hidden;
        c.fused = fused;
        c.samples = 50;
        mgrad::TrainingRun run(c);
        (void)run.step();
        const std::size_t estimate = mgrad::estimate_training_nodes(c, run.data().classes);
        const std::string name = dataset;  // CAPTURE takes a copy: no structured binding
        CAPTURE(name);
        CHECK(estimate >= run.trainer().recorded_nodes());
        CHECK(estimate <= 2 * run.trainer().recorded_nodes());
    }
}

TEST_CASE(":model builds a saved network on the session's graph") {
    mgrad::TrainConfig c;
    c.steps = 3;
    c.hidden = {4};
    mgrad::TrainingRun run(c);
    for (int k = 0; k < 3; ++k)
        (void)run.step();
    TempDir dir;
    const fs::path file = dir.path / "m.json";
    mgrad::save_model(ModelFile::from(run.model()), file);

    std::ostringstream out, err;
    mgrad::StreamOutput sink(out, err);
    mgrad::Session session(sink);
    mgrad::add_standard_commands(session);
    REQUIRE(session.run("<test>",
                        fmt::format(":model \"{}\"\n:set x1 0.5\n:set x2 -0.25", file.string())));
    CHECK(err.str().empty());
    CHECK(out.str().starts_with("loaded MLP(2 → 4 relu → 1 linear) from "));
    const std::vector<double> in{0.5, -0.25};
    mgrad::Graph& g = session.graph();
    CHECK(same_bits(g.data(*session.lookup("y")), run.model().predict(in)[0]));
    // The labels of micrograd's pictures, and :save replays the load.
    CHECK(g.label(*session.lookup("y")) == "y");
    CHECK(session.transcript().text.find(":model ") != std::string_view::npos);
    // The estimate the node cap is checked against covers what was built.
    CHECK(g.size() <= 2 + 4 * (3 + 2 * 2 + 2) + 1 * (5 + 2 * 4 + 2));

    // The session's node cap holds before anything is built.
    mgrad::Session capped(sink, mgrad::SessionOptions{false, false, 20});
    mgrad::add_standard_commands(capped);
    CHECK_FALSE(capped.run("<test>", fmt::format(":model \"{}\"", file.string())));
    CHECK(err.str().find("more than the cap of 20") != std::string::npos);
    CHECK(capped.graph().size() == 0);
}
