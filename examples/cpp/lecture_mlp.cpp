// The small training loop from the micrograd lecture: four samples, MLP(3, [4, 4, 1]) with tanh
// everywhere, squared error summed, plain gradient descent. Prints the loss at every step and
// exits with status 1 unless the loss ends below the threshold given as argv[1] (default 0.05).
//
//     build/default/examples/cpp/lecture_mlp
#include <fmt/format.h>

#include <mgrad/mgrad.hpp>
#include <mgrad/nn/loss.hpp>
#include <mgrad/nn/nn.hpp>

#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
    using namespace mgrad;
    const double threshold = argc > 1 ? std::atof(argv[1]) : 0.05;

    const std::vector<std::vector<double>> xs{
        {2.0, 3.0, -1.0}, {3.0, -1.0, 0.5}, {0.5, 1.0, 1.0}, {1.0, 1.0, -1.0}};
    const std::vector<double> ys{1.0, -1.0, -1.0, 1.0};  // desired targets

    Graph graph;
    MLP n(3, {4, 4, 1}, {.hidden = Nonlinearity::Tanh, .output = Nonlinearity::Tanh, .seed = 7},
          graph);
    const std::vector<Value> params = n.parameters();
    fmt::print("{} with {} parameters\n", n.describe(), params.size());

    // Record the forward pass and the loss once; each step only changes the parameters' data
    // and replays the tape (the lecture rebuilds it, with the same numbers).
    std::vector<Value> ypred;
    for (const auto& x : xs)
        ypred.push_back(n(x)[0]);
    const Value loss = mse(ypred, ys, Reduction::Sum);

    const double lr = 0.05;
    double last = 0.0;
    for (int k = 0; k < 20; ++k) {
        last = loss.data();  // forward (replays the previous update)
        n.zero_grad();
        loss.backward();
        for (const Value& p : params)
            p.set_data(p.data() - lr * p.grad());
        fmt::print("step {:2}  loss {:.6f}\n", k, last);
    }
    last = loss.data();
    fmt::print("final    loss {:.6f}   predictions", last);
    for (const Value& y : ypred)
        fmt::print(" {:+.3f}", y.data());
    fmt::print("   targets {}\n", fmt::join(ys, " "));
    return last < threshold ? 0 : 1;
}
