// The README's example, built against the installed package; exits non-zero on a wrong number.
#include <mgrad/mgrad.hpp>

#include <cstdio>

int main() {
    using mgrad::Value;
    Value a{2.0, "a"}, b{-3.0, "b"}, c{10.0, "c"}, f{-2.0, "f"};
    Value L = (a * b + c) * f;
    L.backward();
    bool ok = L.data() == -8 && a.grad() == 6 && b.grad() == -4 && c.grad() == -2 && f.grad() == 4;
    Value x{-4.0};
    Value y = relu(2 * x + 2 + x) + pow(x, 2) - 10.0 / x;
    y += tanh(y) * exp(-x);
    y.backward();
    ok = ok && x.grad() != 0;
    std::printf("L = %g, a.grad = %g: %s\n", L.data(), a.grad(), ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
