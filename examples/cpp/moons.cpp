// micrograd's two-moons demo with the library's pieces spelt out: data set, model, loss,
// optimiser, and the training loop that replays one recorded graph. Writes the decision
// boundary to the file named by argv[1], if any.
//
//     build/default/examples/cpp/moons moons.png
#include <fmt/format.h>

#include <mgrad/nn/dataset.hpp>
#include <mgrad/nn/nn.hpp>
#include <mgrad/nn/optim.hpp>
#include <mgrad/nn/train.hpp>
#include <mgrad/plot/plot.hpp>

#include <array>

int main(int argc, char** argv) try {
    using namespace mgrad;
    const Dataset data = make_moons(100, 0.1, 1337);
    Graph graph;
    MLP model(2, {16, 16, 1}, {.seed = 1338}, graph);  // relu hidden layers, linear output
    SGD sgd(model.parameters(), linear_schedule(1.0, 0.1, 100));  // lr = 1.0 − 0.9·k/100
    Trainer trainer(model, data, sgd, {.loss = LossKind::Svm, .alpha = 1e-4});
    for (int k = 0; k < 100; ++k) {
        const StepResult r = trainer.step();
        if (k % 10 == 0)
            fmt::print("step {} loss {:.6f}, accuracy {:.0f}%\n", k, r.loss, 100 * r.accuracy);
    }
    const StepResult end = trainer.evaluate();
    fmt::print("final loss {:.6f}, accuracy {:.0f}%\n", end.loss, 100 * end.accuracy);

    if (argc > 1) {
        BoundaryPlot plot;
        plot.title = "two moons, micrograd's demo";
        plot.grid = {-1.6, 2.6, -1.1, 1.6, 211, 141, {}, {}};
        for (std::size_t iy = 0; iy < plot.grid.ny; ++iy)
            for (std::size_t ix = 0; ix < plot.grid.nx; ++ix) {
                const std::array<double, 2> x{-1.6 + 4.2 * static_cast<double>(ix) / 210.0,
                                              -1.1 + 2.7 * static_cast<double>(iy) / 140.0};
                const double score = model.predict(x)[0];
                plot.grid.scores.push_back(score);
                plot.grid.classes.push_back(score > 0.0 ? 1 : 0);
            }
        for (std::size_t i = 0; i < data.size(); ++i) {
            plot.x.push_back(data.points[i][0]);
            plot.y.push_back(data.points[i][1]);
            plot.labels.push_back(data.labels[i]);
        }
        save_decision_boundary(plot, argv[1]);
        fmt::print("wrote {}\n", argv[1]);
    }
    return end.accuracy == 1.0 ? 0 : 1;
} catch (const mgrad::Error& e) {
    fmt::print(stderr, "moons: error: {}\n", e.what());
    return 1;
}
