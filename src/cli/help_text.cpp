#include "help_text.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include <mgrad/language/output.hpp>

namespace mgrad::cli {

// The terminal's width for wrapping help: the terminal's own, else $COLUMNS, else 80.
std::size_t terminal_width() {
    winsize size{};
    if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
        size.ws_col > 0)
        return size.ws_col;
    if (const char* columns = std::getenv("COLUMNS"); columns && *columns) {
        const long n = std::strtol(columns, nullptr, 10);
        if (n > 0 && n < 10000) return static_cast<std::size_t>(n);
    }
    return 80;
}

// CLI11's help with each line that is too long wrapped at blanks; the description of an
// option or example goes on under itself, other indented lines under their first word.
std::string wrap_help(const std::string& help, std::size_t width) {
    std::string out;
    for (std::size_t pos = 0; pos < help.size();) {
        std::size_t nl = help.find('\n', pos);
        if (nl == std::string::npos) nl = help.size();
        const std::string_view line = std::string_view(help).substr(pos, nl - pos);
        std::size_t hang = 0;
        if (line.starts_with("  ")) {
            // A description starts after the first gap of two blanks or more.
            const std::size_t first = line.find_first_not_of(' ');
            hang = first == std::string_view::npos ? 0 : first;
            if (const std::size_t gap = line.find("  ", hang); gap != std::string_view::npos) {
                const std::size_t description = line.find_first_not_of(' ', gap);
                if (description != std::string_view::npos) hang = description;
            }
            // Too deep a hanging indent leaves no room for words.
            if (hang + 20 > width) hang = first == std::string_view::npos ? 0 : first;
        }
        out += wrap_text(line, width, hang);
        if (nl < help.size()) out += '\n';
        pos = nl + 1;
    }
    return out;
}

}  // namespace mgrad::cli
