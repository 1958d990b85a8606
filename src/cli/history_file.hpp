// The REPL's history file, kept safe: lines typed in this session are merged into it.
//
// libedit's own write_history() rewrites the whole file from the session's memory and ignores
// write errors, so a full disk truncated the file and two REPLs at once lost the lines of the
// one that saved first. Instead, each save takes a lock on the file's directory, reads what is
// on disk now (another session may have added lines), appends the lines this session has not
// saved yet, keeps the newest `max_lines`, and replaces the file with write_file_atomically:
// every write is checked, and on failure the old file stays and the unsaved lines are kept for
// the next try. The format is libedit's, so read_history() loads the file.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mgrad::cli {

class HistoryFile {
  public:
    explicit HistoryFile(std::string path, std::size_t max_lines = 1000);

    /// Remembers a line typed in this session, then saves. Throws mgrad::Error when the file
    /// cannot be read or written; the line is kept and saved with the next one.
    void add(std::string line);
    /// Merges the unsaved lines into the file (see above). Throws mgrad::Error on failure.
    void save();

    [[nodiscard]] const std::string& path() const noexcept { return m_path; }
    /// Lines typed but not yet in the file (after a failed save).
    [[nodiscard]] std::size_t unsaved() const noexcept { return m_pending.size(); }

  private:
    std::string m_path;
    std::size_t m_max_lines;
    std::vector<std::string> m_pending;
};

}  // namespace mgrad::cli
