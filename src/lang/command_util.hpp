// Helpers shared by the commands' implementations (commands.cpp, explore.cpp): argument checks
// and aligned tables. Internal to the library.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/graph.hpp"
#include "mgrad/parser.hpp"

namespace mgrad {

class Session;

namespace detail {

/// Columns two blanks apart, padded by display width (UTF-8 aware); 'l' left, 'r' right.
std::string render_table(const std::vector<std::vector<std::string>>& rows, std::string_view align);

/// A missing argument is reported under the command itself (the caller adds that span); an
/// extra one under the first word too many.
void expect_args(std::span<const Word> args, std::size_t min, std::size_t max,
                 std::string_view usage);

/// The node a word names, or an Error under the word that suggests similar names.
NodeId node_arg(Session& session, const Word& w);

}  // namespace detail
}  // namespace mgrad
