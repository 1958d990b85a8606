// The command line described for shell completion: `mgrad --completion-spec` prints every
// option of mgrad and of its subcommands, read from the CLI11 definitions themselves, with what
// each takes (nothing, any value, a word of a set, a file with given extensions, a directory,
// a list of words such as --draw-options'). src/cli/completion/mgrad (bash) completes from it,
// so the shell offers exactly what the program accepts.
#pragma once

#include <CLI/CLI.hpp>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mgrad::cli {

/// The option takes one of `words` (and is checked against them: CLI::IsMember).
CLI::Option* with_choices(CLI::Option* option, std::vector<std::string> words);
/// The option takes a file; completion offers those with one of `extensions` (none: any).
CLI::Option* with_files(CLI::Option* option, std::vector<std::string> extensions);
/// The option takes a directory.
CLI::Option* with_directory(CLI::Option* option);
/// The option takes a quoted list of these words (`--draw-options "tb depth=3"`).
CLI::Option* with_words(CLI::Option* option, std::vector<std::string> words);

/// One line per option of `app` (and, under their own paths, of its subcommands):
/// "PATH<TAB>NAMES<TAB>KIND<TAB>WORDS", NAMES comma-separated, KIND one of flag, value,
/// choice, file, directory, words; and "PATH<TAB><TAB>subcommands<TAB>NAMES" for the
/// subcommands.
void describe_app(std::ostream& out, std::string_view path, const CLI::App& app);

}  // namespace mgrad::cli
