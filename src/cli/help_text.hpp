// Help for the terminal: its width, and CLI11's help wrapped to it. Shared by mgrad and its
// subcommands, so that every --help reads the same way.
#pragma once

#include <cstddef>
#include <string>

namespace mgrad::cli {

/// The terminal's width for wrapping help: the terminal's own, else $COLUMNS, else 80.
std::size_t terminal_width();

/// CLI11's help with each line that is too long wrapped at blanks; the description of an
/// option or example goes on under itself, other indented lines under their first word.
std::string wrap_help(const std::string& help, std::size_t width);

}  // namespace mgrad::cli
