// Atomic file replacement — how mgrad writes every file a user keeps (`:save`, `:draw`, the
// REPL history).
//
// The new contents go to a hidden temporary file in the same directory (`.NAME.XXXXXX`), which
// is flushed to disk and then renamed over the target. rename() within one directory is atomic
// on POSIX file systems, so at every moment the target is either the old file or the complete
// new one: a full disk, a write error, an exception or a crash halfway leaves the old file as it
// was (and no temporary behind, except after a crash). The file keeps the permissions of the
// file it replaces; a new file gets 0644. A symbolic link is followed and stays a link.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace mgrad {

/// Replaces `file` with `bytes`. Throws mgrad::Error ("cannot write 'FILE': reason") and
/// leaves `file` untouched on any failure.
void write_file_atomically(const std::filesystem::path& file, std::string_view bytes);

/// Replaces `file` with what `produce` hands to the sink it is given, piece by piece (for
/// contents too large to hold in memory at once). An exception from `produce` leaves `file` as
/// it was and is passed on.
void write_file_atomically(
    const std::filesystem::path& file,
    const std::function<void(const std::function<void(std::string_view)>& sink)>& produce);

/// For writers that insist on opening a path themselves (a C library's save function):
/// `write(temp_path)` fills the temporary file and returns false on failure; then it replaces
/// `file` as above. Throws mgrad::Error when the writer fails or throws, leaving `file` as it was.
void replace_file_atomically(const std::filesystem::path& file,
                             const std::function<bool(const std::string& temp_path)>& write);

}  // namespace mgrad
