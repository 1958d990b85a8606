// SessionView — the view's side on the session's thread: it reads the session, describes the
// picture, hands it to the layout thread, and runs the work pages post.
#include <pthread.h>
#include <signal.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "channel.hpp"
#include "layout_thread.hpp"
#include "mgrad/commands/page_frame.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/render/render.hpp"
#include "mgrad/support/number.hpp"
#include "mgrad/version.hpp"
#include "mgrad/view/view.hpp"
#include "server.hpp"
#include "token.hpp"

namespace mgrad::view::detail {

namespace {

using Clock = std::chrono::steady_clock;

/// The session's progress hook publishes at most this often (10 frames a second).
constexpr auto frame_interval = std::chrono::milliseconds(100);

/// Blocks every signal on the calling thread while it lives, so that threads started meanwhile
/// inherit the mask: Ctrl-C must reach the session's thread (the REPL's poll), never a server
/// worker, and a write to a page that has gone fails with EPIPE instead of raising SIGPIPE.
class BlockSignals {
  public:
    BlockSignals() {
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &m_old);
    }
    BlockSignals(const BlockSignals&) = delete;
    BlockSignals& operator=(const BlockSignals&) = delete;
    ~BlockSignals() { pthread_sigmask(SIG_SETMASK, &m_old, nullptr); }

  private:
    sigset_t m_old{};
};

class SessionView final : public View {
  public:
    SessionView(Session& session, Host& host, const ViewOptions& options)
        : m_session(session),
          m_host(host),
          m_token(make_token()),
          m_frames(session,
                   "No names yet. Type a formula in the terminal, e.g.  L = (a*b + c) * f") {
        m_channel = std::make_shared<Channel>();
        {
            BlockSignals blocked;
            m_layout = std::make_unique<LayoutThread>(m_channel);
            m_server = std::make_unique<Server>(m_channel, m_token, options.port);
        }
        m_url = fmt::format("http://127.0.0.1:{}/?token={}", m_server->port(), m_token);
        m_session.set_progress_hook([this] { changed(); });
        publish();
    }

    ~SessionView() override { (void)stop(std::chrono::hours(24)); }

    std::string url() const override { return m_url; }
    int wakeup_fd() const override { return m_channel->wakeup_fd(); }

    void run_pending() override {
        for (Job& job : m_channel->take_jobs()) {
            try {
                run(job);
            } catch (const Error& e) {
                notice(e.what(), true);
            }
        }
        idle();
    }

    void idle() override {
        if (m_dirty) publish();
    }

    void show(const std::optional<std::string>& name,
              const std::vector<std::string>& option_words) override {
        m_frames.show(name, option_words);
        m_dirty = true;
        publish();
    }

    bool stop(std::chrono::milliseconds wait) override {
        if (m_stopped) return m_layout_done;
        m_stopped = true;
        m_session.set_progress_hook({});
        m_channel->stop();
        m_server.reset();
        m_layout_done = m_layout->stop(wait);
        return m_layout_done;
    }

  private:
    /// The progress hook: after each statement and each :minimize step.
    void changed() {
        m_dirty = true;
        if (Clock::now() - m_last_publish >= frame_interval) publish();
    }

    void run(const Job& job) {
        switch (job.kind) {
            case Job::Kind::Set: {
                // Only a bound leaf, by a name the server checked is an identifier: the text run
                // below is `:set NAME NUMBER` and nothing else.
                const auto id = m_session.lookup(job.name);
                if (!id) throw Error(fmt::format("'{}' is not bound", job.name));
                if (m_session.graph().op(*id) != Op::Leaf)
                    throw Error(fmt::format("'{}' is not an input: only inputs (leaves) can be set",
                                            job.name));
                const std::string command =
                    fmt::format(":set {} {}", job.name, format_number(job.value));
                m_host.before_output();
                m_session.output().text(fmt::format("view> {}\n", command));
                // The page is not the user at the keyboard: it writes as a script would (and
                // `:set` writes nothing).
                const bool ok = m_session.run("<view>", command, 1, Author::Script);
                notice(ok ? fmt::format("{} set to {}", job.name, format_number(job.value))
                          : fmt::format("{} failed (the terminal says why)", command),
                       !ok);
                break;
            }
            case Job::Kind::Show:
                show(job.name.empty() ? std::nullopt : std::optional<std::string>(job.name), {});
                break;
            case Job::Kind::Options:
                m_frames.set_options(job.words);
                m_dirty = true;
                break;
        }
    }

    void notice(std::string text, bool error) {
        m_notice = {{"number", ++m_notices}, {"text", std::move(text)}, {"error", error}};
        m_dirty = true;
    }

    void publish() {
        m_last_publish = Clock::now();
        m_dirty = false;
        try {
            compose();
        } catch (const std::exception& e) {
            // The hook runs inside statements: nothing may escape into them.
            nlohmann::json fields{{"message", {{"kind", "error"}, {"text", e.what()}}}};
            m_layout->submit(std::nullopt, std::move(fields));
        }
    }

    void compose() {
        const auto started = Clock::now();
        PageFrame frame = m_frames.compose();
        nlohmann::json fields = nlohmann::json::parse(frame.json);
        fields["version"] = std::string(version_string);
        if (!m_notice.is_null()) fields["notice"] = m_notice;
        // The same picture and the same words as last time: nothing to send.
        std::string text = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (text == m_last_fields && frame.drawing == m_last_drawing) return;
        m_last_fields = std::move(text);
        m_last_drawing = frame.drawing;
        fields["seq"] = ++m_frames_sent;
        // For the benchmark (bench/view_bench.py): when the frame was made, and how long that took.
        fields["made_at_ms"] = std::chrono::duration<double, std::milli>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
        fields["compose_ms"] =
            std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        m_layout->submit(std::move(frame.drawing), std::move(fields));
    }

    Session& m_session;
    Host& m_host;
    std::string m_token;
    std::string m_url;
    std::shared_ptr<Channel> m_channel;
    std::unique_ptr<LayoutThread> m_layout;
    std::unique_ptr<Server> m_server;

    PageFrames m_frames;
    bool m_dirty = false;
    Clock::time_point m_last_publish{};
    std::string m_last_fields;
    std::optional<Drawing> m_last_drawing;
    nlohmann::json m_notice;
    std::uint64_t m_notices = 0;
    std::uint64_t m_frames_sent = 0;
    bool m_stopped = false;
    bool m_layout_done = true;
};

std::unique_ptr<View> start(Session& session, Host& host, const ViewOptions& options) {
    return std::make_unique<SessionView>(session, host, options);
}

const Entry entry{view_abi, version_string.data(), &start};

}  // namespace

}  // namespace mgrad::view::detail

extern "C" const mgrad::view::Entry* mgrad_view_entry() { return &mgrad::view::detail::entry; }
