// ProgressMeter lines (mgrad/support/progress.hpp): the one look of long work, when it is drawn.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <mgrad/support/progress.hpp>

using mgrad::ProgressMeter;

TEST_CASE("progress: the line") {
    using mgrad::format_progress;
    CHECK(format_progress(0, 100, "loss 1") == "[....................]   0/100  loss 1");
    CHECK(format_progress(40, 100, "") == "[########............]  40/100");
    CHECK(format_progress(100, 100, "x = 2") == "[####################] 100/100  x = 2");
    CHECK(format_progress(3, 7, "") == "[########............] 3/7");
    // The rate from the time the done steps took, and the time left at that rate.
    CHECK(format_progress(40, 100, "loss 0.5", 2.0) ==
          "[########............]  40/100  loss 0.5  20 steps/s  ETA 0:03");
    CHECK(format_progress(100, 100, "", 4.0) == "[####################] 100/100  25 steps/s");
    CHECK(format_progress(1, 10000, "", 0.4) ==
          "[....................]     1/10000  2.5 steps/s  ETA 1:06:40");
    CHECK(format_progress(2, 10, "", 5.0) == "[####................]  2/10  2.5 s/step  ETA 0:20");
    CHECK(format_progress(0, 10, "", 1.0) == "[....................]  0/10");  // no rate yet
}

TEST_CASE("progress: plain lines every tenth of the way and at the end") {
    std::vector<std::string> written;
    {
        ProgressMeter p(
            25, ProgressMeter::Mode::Lines, [&](std::string_view s) { written.emplace_back(s); },
            false);
        for (std::size_t k = 1; k <= 25; ++k)
            p.update(k, "d");
    }
    // Every third step (25 / 10, rounded up), and the 25th; no \r, no escape sequence.
    REQUIRE(written.size() == 9);
    CHECK(written.front() == "[##..................]  3/25  d\n");
    CHECK(written[7] == "[###################.] 24/25  d\n");
    CHECK(written.back() == "[####################] 25/25  d\n");
}

TEST_CASE("progress: redrawn in place at most 25 times a second, then a newline") {
    std::string written;
    double now = 0;
    {
        ProgressMeter p(
            1000, ProgressMeter::Mode::Redraw, [&](std::string_view s) { written += s; }, true,
            [&] { return now; });
        for (std::size_t k = 1; k <= 1000; ++k) {
            now += 0.001;  // 1 ms a step: a redraw every 40 steps or so
            p.update(k, "loss 1");
        }
        CHECK(written.find('\n') == std::string::npos);
        p.finish();
    }
    std::size_t draws = 0;
    for (std::size_t at = 0; (at = written.find("\r\033[K", at)) != std::string::npos; ++at)
        ++draws;
    CHECK(draws >= 24);
    CHECK(draws <= 27);
    CHECK(written.ends_with("[####################] 1000/1000  loss 1  1000 steps/s\n"));
    CHECK(written.find("ETA 0:00") != std::string::npos);
}

TEST_CASE("progress: quiet writes nothing; a pipe is not a terminal") {
    bool wrote = false;
    {
        ProgressMeter p(10, ProgressMeter::Mode::Quiet, [&](std::string_view) { wrote = true; });
        for (std::size_t k = 1; k <= 10; ++k)
            p.update(k, "x");
        CHECK_FALSE(p.due(10));
    }
    CHECK_FALSE(wrote);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    CHECK(ProgressMeter::mode_for(fds[1]) == ProgressMeter::Mode::Lines);
    ::close(fds[0]);
    ::close(fds[1]);
}
