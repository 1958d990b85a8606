// The live view without a browser: tokens, the channel between threads, and the HTTP server's
// checks, against a real view of a real session (the browser tests are tests/view/*.py). These
// also run under ThreadSanitizer (preset tsan).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>
#include <mgrad/view/view.hpp>

#include "channel.hpp"
#include "token.hpp"

namespace {

using namespace std::chrono_literals;
using mgrad::view::detail::Channel;
using mgrad::view::detail::Job;

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

struct TestHost : mgrad::view::Host {
    std::atomic<int> calls{0};
    void before_output() override { ++calls; }
};

/// A session with the lecture's graph and a view of it.
struct Fixture {
    std::ostringstream out, err;
    mgrad::StreamOutput output{out, err};
    mgrad::Session session{output};
    TestHost host;
    std::unique_ptr<mgrad::view::View> view;
    std::string token;
    int port = 0;

    Fixture() {
        mgrad::add_standard_commands(session);
        REQUIRE(session.run("<test>",
                            "a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c\n"
                            "L = d * f\n:backward L\n"));
        view = mgrad_view_entry()->start(session, host, {});
        const std::string url = view->url();
        const auto colon = url.rfind(':');
        port = std::stoi(url.substr(colon + 1));
        token = url.substr(url.find("token=") + 6);
    }
    ~Fixture() { view->stop(10s); }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(10, 0);
        return c;
    }
    std::string with_token(const std::string& path) const {
        return path + (path.find('?') == std::string::npos ? "?" : "&") + "token=" + token;
    }
    int get(const std::string& path, const httplib::Headers& headers = {}) const {
        auto r = client().Get(path.c_str(), headers);
        return r ? r->status : -1;
    }
    int post(const std::string& path, const std::string& body,
             const std::string& type = "application/json",
             const httplib::Headers& headers = {}) const {
        auto r = client().Post(path.c_str(), headers, body, type.c_str());
        return r ? r->status : -1;
    }
    nlohmann::json frame() const {
        auto r = client().Get(with_token("/api/frame").c_str());
        REQUIRE(r);
        if (r->status != 200) return {};
        return nlohmann::json::parse(r->body);
    }
    /// Waits (running the page's work, as the REPL does while it waits) for a frame that
    /// `accept` likes.
    nlohmann::json wait_frame(const std::function<bool(const nlohmann::json&)>& accept) {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (readable(view->wakeup_fd())) view->run_pending();
            view->idle();
            nlohmann::json f = frame();
            if (!f.is_null() && accept(f)) return f;
            std::this_thread::sleep_for(5ms);
        }
        FAIL("no such frame came");
        return {};
    }
    static std::string grad_of(const nlohmann::json& f, const std::string& name) {
        for (const auto& [id, node] : f["nodes"].items())
            if (node["name"] == name) return node["grad"];
        return {};
    }
    static std::string data_of(const nlohmann::json& f, const std::string& name) {
        for (const auto& [id, node] : f["nodes"].items())
            if (node["name"] == name) return node["data"];
        return {};
    }
};

}  // namespace

TEST_CASE("tokens are 256 bits from the OS, in hex, compared in constant time") {
    const std::string one = mgrad::view::detail::make_token();
    const std::string two = mgrad::view::detail::make_token();
    CHECK(one.size() == 64);
    CHECK(one.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(one != two);
    using mgrad::view::detail::same_token;
    CHECK(same_token(one, one));
    CHECK_FALSE(same_token(two, one));
    CHECK_FALSE(same_token(one.substr(0, 63), one));
    CHECK_FALSE(same_token("", one));
}

TEST_CASE("jobs wake the session's thread, in order, and are bounded") {
    Channel channel;
    CHECK_FALSE(readable(channel.wakeup_fd()));
    std::thread poster([&] {
        for (int i = 0; i < 3; ++i) {
            Job job;
            job.name = fmt::format("n{}", i);
            CHECK(channel.post(std::move(job)) == Channel::Posted::Queued);
        }
    });
    poster.join();
    CHECK(readable(channel.wakeup_fd()));
    auto jobs = channel.take_jobs();
    REQUIRE(jobs.size() == 3);
    CHECK(jobs[0].name == "n0");
    CHECK(jobs[2].name == "n2");
    CHECK_FALSE(readable(channel.wakeup_fd()));
    for (std::size_t i = 0; i < Channel::max_jobs; ++i)
        CHECK(channel.post(Job{}) == Channel::Posted::Queued);
    CHECK(channel.post(Job{}) == Channel::Posted::Full);
    channel.stop();
    CHECK(channel.post(Job{}) == Channel::Posted::Stopped);
}

TEST_CASE("a frame reaches every waiting stream, and stop wakes them all") {
    Channel channel;
    std::atomic<int> got{0};
    std::vector<std::thread> streams;
    for (int i = 0; i < 3; ++i)
        streams.emplace_back([&] {
            auto frame = channel.wait(0, channel.status().first, 10s);
            if (frame && *frame->text == "one") ++got;
        });
    std::this_thread::sleep_for(20ms);
    channel.publish("one");
    for (auto& t : streams)
        t.join();
    CHECK(got == 3);
    CHECK(!channel.wait(1, channel.status().first, 10ms));  // nothing newer: a timeout
    std::thread waiter([&] { CHECK(!channel.wait(1, channel.status().first, 10s)); });
    channel.stop();
    waiter.join();
    for (std::size_t i = 0; i < Channel::max_streams; ++i)
        CHECK_FALSE(channel.open_stream());  // stopped
}

TEST_CASE("every request needs the token") {
    Fixture fx;
    for (const char* path : {"/", "/app.js", "/style.css", "/events", "/api/frame"}) {
        CAPTURE(path);
        CHECK(fx.get(path) == 403);
        CHECK(fx.get(std::string(path) + "?token=" + std::string(64, '0')) == 403);
        CHECK(fx.get(std::string(path) + "?token=" + fx.token.substr(1)) == 403);
    }
    CHECK(fx.post("/api/set", R"({"name":"a","value":5})") == 403);
    CHECK(fx.get(fx.with_token("/")) == 200);
    CHECK(fx.get(fx.with_token("/app.js")) == 200);
    CHECK(fx.get("/api/frame", {{"X-Mgrad-Token", fx.token}}) / 100 == 2);  // 204: no frame yet
    // The page carries the token into its own requests.
    auto page = fx.client().Get(fx.with_token("/").c_str());
    REQUIRE(page);
    CHECK(page->body.find(fx.token) != std::string::npos);
    CHECK(page->get_header_value("Content-Security-Policy").find("default-src 'none'") !=
          std::string::npos);
}

TEST_CASE("a wrong Host header is refused (DNS rebinding)") {
    Fixture fx;
    const std::string port = std::to_string(fx.port);
    CHECK(fx.get(fx.with_token("/api/frame"), {{"Host", "evil.example:" + port}}) == 403);
    CHECK(fx.get(fx.with_token("/api/frame"), {{"Host", "127.0.0.1"}}) == 403);
    CHECK(fx.get(fx.with_token("/api/frame"), {{"Host", "127.0.0.2:" + port}}) == 403);
    CHECK(fx.get(fx.with_token("/"), {{"Host", "localhost:" + port}}) == 200);
    CHECK(fx.get(fx.with_token("/"), {{"Host", "127.0.0.1:" + port}}) == 200);
}

TEST_CASE("requests from other sites cannot change anything") {
    Fixture fx;
    const std::string set = fx.with_token("/api/set");
    const std::string body = R"({"name":"a","value":5})";
    CHECK(fx.post(set, body, "application/json", {{"Origin", "http://evil.example"}}) == 403);
    CHECK(fx.post(set, body, "application/json",
                  {{"Origin", fmt::format("http://127.0.0.1:{}", fx.port + 1)}}) == 403);
    CHECK(fx.post(set, body, "application/json", {{"Sec-Fetch-Site", "cross-site"}}) == 403);
    CHECK(fx.post(set, body, "application/json", {{"Sec-Fetch-Site", "same-site"}}) == 403);
    // A form or a "simple" request (no preflight) is not JSON.
    CHECK(fx.post(set, body, "text/plain") == 415);
    CHECK(fx.post(set, "name=a&value=5", "application/x-www-form-urlencoded") == 415);
    auto c = fx.client();
    auto put = c.Put(set.c_str(), body, "application/json");
    REQUIRE(put);
    CHECK(put->status == 405);
    auto options = c.Options(set.c_str());
    REQUIRE(options);
    CHECK(options->status == 405);
    CHECK(options->get_header_value("Access-Control-Allow-Origin").empty());
    // None of it reached the session.
    CHECK_FALSE(readable(fx.view->wakeup_fd()));
    CHECK(fx.post(set, body, "application/json",
                  {{"Origin", fmt::format("http://127.0.0.1:{}", fx.port)},
                   {"Sec-Fetch-Site", "same-origin"}}) == 202);
    CHECK(readable(fx.view->wakeup_fd()));
}

TEST_CASE("requests are bounded: body size, waiting jobs, open streams") {
    Fixture fx;
    const std::string set = fx.with_token("/api/set");
    CHECK(fx.post(set, R"({"name":"a","value":5,"pad":")" + std::string(5000, 'x') + "\"}") == 413);
    CHECK(fx.post(set, "not json") == 400);
    CHECK(fx.post(set, "[1,2]") == 400);
    CHECK(fx.post(set, R"({"name":"a","value":"5"})") == 400);
    CHECK(fx.post(set, R"({"name":"a","value":1e999})") == 400);
    CHECK(fx.post(fx.with_token("/api/options"), R"({"format":"png"})") == 400);
    CHECK(fx.post(fx.with_token("/api/options"), R"({"max_nodes":0})") == 400);
    CHECK(fx.post(fx.with_token("/api/options"), R"({"depth":-1})") == 400);
    int queued = 0, busy = 0;
    for (std::size_t i = 0; i < Channel::max_jobs + 3; ++i) {
        const int status = fx.post(set, R"({"name":"a","value":5})");
        queued += status == 202;
        busy += status == 503;
    }
    CHECK(queued == static_cast<int>(Channel::max_jobs));
    CHECK(busy == 3);
    // Event streams: at most max_streams at once.
    std::atomic<int> opened{0}, refused{0};
    std::atomic<bool> done{false};
    std::vector<std::thread> pages;
    for (std::size_t i = 0; i < Channel::max_streams + 2; ++i)
        pages.emplace_back([&] {
            httplib::Client c("127.0.0.1", fx.port);
            c.set_read_timeout(20, 0);
            auto r = c.Get(
                fx.with_token("/events").c_str(),
                [&](const httplib::Response& res) {
                    if (res.status == 200) ++opened;
                    if (res.status == 503) ++refused;
                    return res.status == 200;
                },
                [&](const char*, std::size_t) { return !done; });
            (void)r;
        });
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (opened + refused < static_cast<int>(Channel::max_streams + 2) &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    CHECK(opened == static_cast<int>(Channel::max_streams));
    CHECK(refused == 2);
    done = true;
    fx.view->stop(10s);  // ends the streams
    for (auto& t : pages)
        t.join();
}

TEST_CASE("the page's work runs on the session's thread, when the front end says") {
    Fixture fx;
    const auto main_thread = std::this_thread::get_id();
    std::atomic<bool> elsewhere{false};
    fx.session.set_progress_hook([&] {
        if (std::this_thread::get_id() != main_thread) elsewhere = true;
    });
    // The view's own hook is replaced above; the statements still run on this thread.
    CHECK(fx.post(fx.with_token("/api/set"), R"({"name":"a","value":3})") == 202);
    std::this_thread::sleep_for(50ms);
    CHECK(fx.session.graph().data(*fx.session.lookup("a")) == 2.0);  // not yet: nobody ran it
    REQUIRE(readable(fx.view->wakeup_fd()));
    const int before = fx.host.calls;
    fx.view->run_pending();
    CHECK(fx.session.graph().data(*fx.session.lookup("a")) == 3.0);
    CHECK(fx.host.calls == before + 1);  // the REPL was asked to make room first
    CHECK(fx.out.str().find("view> :set a 3\na: 2 → 3\n") != std::string::npos);
    CHECK_FALSE(elsewhere);
}

TEST_CASE("frames follow the session, and the stepper ends with :backward's gradients") {
    Fixture fx;
    nlohmann::json f = fx.wait_frame([](const nlohmann::json& g) { return g.contains("svg"); });
    CHECK(f["name"] == "L");
    CHECK(f["follow"] == true);
    const std::string svg = f["svg"];
    CHECK(svg.starts_with("<svg"));
    CHECK(svg.find("data &#45;8.0000") != std::string::npos);
    CHECK(svg.find("grad 6.0000") != std::string::npos);
    // The inspector's words are :trace's.
    const auto& e = f["nodes"][std::to_string(*fx.session.lookup("e"))];
    CHECK(e["formula"] == "a * b");
    CHECK(e["inputs"][0]["step"] == "a.grad += b.data * e.grad = -3 * -2 = 6");
    CHECK(e["inputs"][0]["local"] == "b.data");
    CHECK(e["inputs"][0]["local_value"] == "-3");
    // The stepper's pass is :trace's, line for line, and leaves the session alone.
    std::vector<std::string> lines;
    for (const auto& s : f["backward"]["steps"])
        lines.push_back(s["line"]);
    fx.out.str("");
    REQUIRE(fx.session.run("<test>", ":trace L"));
    std::istringstream trace(fx.out.str());
    std::string line;
    std::getline(trace, line);
    CHECK(line == "L.grad = 1");
    for (const std::string& expected : lines) {
        std::getline(trace, line);
        CHECK(line == expected);
    }
    // Its last running gradient of each node is the node's gradient after :backward.
    std::map<std::string, std::string> last;
    for (const auto& s : f["backward"]["steps"])
        last[std::to_string(s["to"].get<int>())] = s["grad"];
    for (const auto& [id, grad] : last)
        CHECK(grad == fmt::format("{:.4f}", fx.session.graph().grad(
                                                static_cast<mgrad::NodeId>(std::stoul(id)))));

    // A statement that changes the picture: a new frame, without the page asking.
    const auto seq = f["seq"].get<int>();
    REQUIRE(fx.session.run("<test>", ":set a 3\n:backward L"));
    f = fx.wait_frame(
        [&](const nlohmann::json& g) { return g["seq"].get<int>() > seq && g.contains("svg"); });
    CHECK(fx.data_of(f, "a") == "3");
    CHECK(fx.data_of(f, "L") == "-2");
    // A statement that does not change it: no new frame.
    const auto seq2 = f["seq"].get<int>();
    REQUIRE(fx.session.run("<test>", "L"));
    fx.view->idle();
    std::this_thread::sleep_for(100ms);
    CHECK(fx.frame()["seq"].get<int>() == seq2);
}

TEST_CASE("nothing a page sends runs a statement of its own or writes a file") {
    Fixture fx;
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / fmt::format("mgrad-view-{}", ::getpid());
    fs::create_directories(dir);
    const fs::path file = dir / "x.mg";
    const std::string set = fx.with_token("/api/set");
    for (const std::string& name : std::vector<std::string>{
             ":save " + file.string(), "a :save " + file.string(), "a; :save " + file.string(),
             "a\n:save " + file.string(), "a\":save"}) {
        CAPTURE(name);
        CHECK(fx.post(set, nlohmann::json{{"name", name}, {"value", 1}}.dump()) == 400);
        CHECK(fx.post(fx.with_token("/api/show"), nlohmann::json{{"name", name}}.dump()) == 400);
    }
    CHECK(fx.post(fx.with_token("/api/run"), R"({"text":":save x"})") == 404);
    CHECK(fx.get(fx.with_token("/api/run?text=:save")) == 404);
    // A computed value or an unknown name: refused by the session's thread, nothing run.
    CHECK(fx.post(set, R"({"name":"L","value":1})") == 202);
    CHECK(fx.post(set, R"({"name":"nope","value":1})") == 202);
    const std::size_t statements = fx.session.transcript().statements;
    nlohmann::json f = fx.wait_frame([](const nlohmann::json& g) {
        return g.contains("notice") && g["notice"]["number"].get<int>() == 2;
    });
    CHECK(f["notice"]["error"] == true);
    CHECK(fx.session.transcript().statements == statements);
    CHECK(fx.session.graph().data(*fx.session.lookup("L")) == -8.0);
    CHECK(fs::is_empty(dir));
    fs::remove_all(dir);
}

TEST_CASE("options and names come from the page as :draw's words") {
    Fixture fx;
    CHECK(fx.post(fx.with_token("/api/options"),
                  R"({"depth":1,"hide_constants":true,"tb":true})") == 202);
    nlohmann::json f =
        fx.wait_frame([](const nlohmann::json& g) { return g["options"]["depth"] == 1; });
    CHECK(f["options"]["hide_constants"] == true);
    CHECK(f["options"]["tb"] == true);
    CHECK(f["nodes"].size() == 3);  // d, f, L
    CHECK(fx.post(fx.with_token("/api/show"), R"({"name":"e"})") == 202);
    f = fx.wait_frame([](const nlohmann::json& g) { return g.value("name", "") == "e"; });
    CHECK(f["follow"] == false);
    CHECK(f["pinned"] == "e");
    // Over the cap: a message that says what would fit, and no layout.
    CHECK(fx.post(fx.with_token("/api/show"), R"({"name":null})") == 202);
    CHECK(fx.post(fx.with_token("/api/options"), R"({"max_nodes":2})") == 202);
    f = fx.wait_frame([](const nlohmann::json& g) { return g["options"]["max_nodes"] == 2; });
    CHECK(f["message"]["kind"] == "too_big");
    CHECK(f["message"]["text"].get<std::string>().find("depth=") != std::string::npos);
    // What would fit comes as data too: the page offers these words, it reads no message.
    REQUIRE(f["message"].contains("fixes"));
    CHECK(f["message"]["fixes"].front().get<std::string>().starts_with("depth="));
    CHECK(f["message"]["fixes"].back().get<std::string>().starts_with("max-nodes="));
    // The options' ranges for the page's controls are the draw options' own.
    bool depth_listed = false;
    for (const auto& spec : f["option_specs"])
        if (spec["key"] == "depth")
            depth_listed = spec["kind"] == "whole" && spec["low"] == 0.0 && spec["high"] == 1e9;
    CHECK(depth_listed);
    CHECK_FALSE(f.contains("svg"));
    // :view NAME OPTIONS, as the terminal sends it.
    fx.view->show("d", {"depth=1"});
    f = fx.wait_frame([](const nlohmann::json& g) { return g.value("name", "") == "d"; });
    CHECK(f["options"]["depth"] == 1);
    CHECK_THROWS_AS(fx.view->show("nope", {}), mgrad::Error);
    CHECK_THROWS_AS(fx.view->show(std::nullopt, {"format=png"}), mgrad::Error);
}

TEST_CASE("the server listens on 127.0.0.1 only") {
    Fixture fx;
    // /proc/net/tcp: local address as hex IP:port; 0100007F is 127.0.0.1, state 0A is LISTEN.
    std::ifstream tcp("/proc/net/tcp");
    std::string line;
    std::set<std::string> listening;
    const std::string port = fmt::format("{:04X}", fx.port);
    while (std::getline(tcp, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (state == "0A" && local.ends_with(":" + port)) listening.insert(local);
    }
    CHECK(listening == std::set<std::string>{"0100007F:" + port});
    std::ifstream tcp6("/proc/net/tcp6");
    while (std::getline(tcp6, line))
        CHECK(line.find(":" + port + " 00000000000000000000000000000000:0000 0A") ==
              std::string::npos);
}

TEST_CASE("a second view cannot take a port a view listens on") {
    Fixture fx;
    TestHost host;
    mgrad::view::ViewOptions options;
    options.port = static_cast<std::uint16_t>(fx.port);
    CHECK_THROWS_WITH_AS(mgrad_view_entry()->start(fx.session, host, options),
                         doctest::Contains("cannot listen on 127.0.0.1"), mgrad::Error);
}

namespace {

/// A raw TCP connection to the view, for requests no HTTP client would send.
class RawClient {
  public:
    explicit RawClient(int port) : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(m_fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0);
    }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;
    ~RawClient() { ::close(m_fd); }

    /// Sends all of `text`; false when the server closed the connection first.
    bool send(std::string_view text) {
        while (!text.empty()) {
            const ssize_t n = ::send(m_fd, text.data(), text.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            text.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }
    /// What the server sends until it closes, or until `timeout`.
    std::string read_all(std::chrono::milliseconds timeout) {
        std::string got;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{m_fd, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
            char buffer[4096];
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            got.append(buffer, static_cast<std::size_t>(n));
        }
        return got;
    }

  private:
    int m_fd;
};

}  // namespace

TEST_CASE("a header flood is cut off at the head's limit, before the token is checked") {
    Fixture fx;
    RawClient flood(fx.port);
    REQUIRE(flood.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    const std::string line = "X-1: " + std::string(4000, 'v') + "\r\n";
    std::size_t sent = 0;
    // The server reads at most its limit and closes; before, it read (and kept) every line.
    while (sent < (std::size_t{64} << 20) && flood.send(line))
        sent += line.size();
    CHECK(sent < (std::size_t{8} << 20));
    const std::string answer = flood.read_all(2s);
    CHECK(answer.starts_with("HTTP/1.1 431 "));
    CHECK(answer.find("at most 16384 bytes") != std::string::npos);
}

TEST_CASE("clients without the token hold no worker: the page is answered meanwhile") {
    Fixture fx;
    // More stalled clients than the server has workers, each halfway through its headers.
    std::vector<std::unique_ptr<RawClient>> stalled;
    for (int i = 0; i < 40; ++i) {
        stalled.push_back(std::make_unique<RawClient>(fx.port));
        REQUIRE(stalled.back()->send("GET / HTTP/1.1\r\nX-Slow: 1\r\n"));
    }
    std::this_thread::sleep_for(100ms);
    const auto start = std::chrono::steady_clock::now();
    CHECK(fx.get(fx.with_token("/")) == 200);
    CHECK(fx.get(fx.with_token("/app.js")) == 200);
    CHECK(std::chrono::steady_clock::now() - start < 1s);
    // And a stalled client gets 408 once its time is up.
    const std::string answer = stalled.front()->read_all(5s);
    CHECK(answer.starts_with("HTTP/1.1 408 "));
}

TEST_CASE("the gate refuses what the library would read another way") {
    Fixture fx;
    const std::string host = fmt::format("Host: 127.0.0.1:{}\r\n", fx.port);
    auto answer = [&](const std::string& text) {
        RawClient c(fx.port);
        (void)c.send(text);
        const std::string got = c.read_all(5s);
        return got.substr(0, got.find("\r\n"));
    };
    const std::string get = "GET " + fx.with_token("/api/frame") + " HTTP/1.1\r\n";
    CHECK(answer(get + host + "\r\n").starts_with("HTTP/1.1 20"));
    CHECK(answer(get + host + host + "\r\n") == "HTTP/1.1 400 Bad Request");
    CHECK(answer(get + host + "Transfer-Encoding: chunked\r\n\r\n") ==
          "HTTP/1.1 411 Length Required");
    CHECK(answer("GET /api/frame HTTP/1.1\r\n" + host + "\r\n") == "HTTP/1.1 403 Forbidden");
    // Only one request a connection: a second one on it is never answered.
    RawClient c(fx.port);
    REQUIRE(c.send(get + host + "\r\n" + get + host + "\r\n"));
    const std::string got = c.read_all(5s);
    CHECK(got.find("HTTP/1.1 ") == 0);
    CHECK(got.find("HTTP/1.1 ", 1) == std::string::npos);
}
