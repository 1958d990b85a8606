// Writes the pictures shown in the docs: the lecture example and a small tanh neuron.
// Usage: mgrad-render-demo DIR [options…]   (options as for `:draw`, e.g. shade tb)
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <mgrad/mgrad.hpp>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [draw options]\n", argv[0]);
        return 2;
    }
    try {
        std::string dir = argv[1];
        std::vector<std::string> words(argv + 2, argv + argc);
        mgrad::DrawOptions options = mgrad::parse_draw_options(words);

        mgrad::Graph lecture;
        mgrad::Value a{lecture, 2.0, "a"}, b{lecture, -3.0, "b"}, c{lecture, 10.0, "c"};
        mgrad::Value e = (a * b).set_label("e");
        mgrad::Value d = (e + c).set_label("d");
        mgrad::Value f{lecture, -2.0, "f"};
        mgrad::Value L = (d * f).set_label("L");
        L.backward();
        for (const char* ext : {"png", "svg", "pdf", "dot", "json"})
            mgrad::draw(lecture, L.id(), dir + "/lecture." + ext, options);

        mgrad::Graph neuron;
        mgrad::Value x1{neuron, 2.0, "x1"}, x2{neuron, 0.0, "x2"};
        mgrad::Value w1{neuron, -3.0, "w1"}, w2{neuron, 1.0, "w2"};
        mgrad::Value bias{neuron, 6.8813735870195432, "b"};
        mgrad::Value x1w1 = (x1 * w1).set_label("x1*w1");
        mgrad::Value x2w2 = (x2 * w2).set_label("x2*w2");
        mgrad::Value sum = (x1w1 + x2w2).set_label("x1*w1 + x2*w2");
        mgrad::Value n = (sum + bias).set_label("n");
        mgrad::Value o = mgrad::tanh(n).set_label("o");
        o.backward();
        for (const char* ext : {"png", "svg"})
            mgrad::draw(neuron, o.id(), dir + "/neuron." + ext, options);

        // The same neuron written out as tanh = (e^2n - 1) / (e^2n + 1): constants appear.
        mgrad::Graph spelled;
        mgrad::Value y1{spelled, 2.0, "x1"}, y2{spelled, 0.0, "x2"};
        mgrad::Value v1{spelled, -3.0, "w1"}, v2{spelled, 1.0, "w2"};
        mgrad::Value bb{spelled, 6.8813735870195432, "b"};
        mgrad::Value m = (y1 * v1 + y2 * v2 + bb).set_label("n");
        mgrad::Value ex = mgrad::exp(2 * m).set_label("e");
        mgrad::Value out = ((ex - 1) / (ex + 1)).set_label("o");
        out.backward();
        mgrad::draw(spelled, out.id(), dir + "/neuron-exp.png", options);
    } catch (const std::exception& ex) {
        std::fprintf(stderr, "error: %s\n", ex.what());
        return 1;
    }
    return 0;
}
