// Atomic file replacement — how mgrad writes every file a user keeps (`:save`, `:draw`,
// `:plot`, `:export`, `:trace` frames, `mgrad train`'s plots, the REPL history).
//
// The new contents go to a hidden temporary file in the same directory (`.NAME.mgrad-XXXXXX`),
// which is flushed to disk and then renamed over the target. rename() within one directory is
// atomic on POSIX file systems, so at every moment the target is either the old file or the
// complete new one: a full disk, a write error, an exception or a crash halfway leaves the old
// file as it was. Every error (ENOSPC, EIO, EFBIG, a failed fsync or close) is an mgrad::Error.
// A process killed halfway leaves its temporary file behind; the next write to the same target
// removes it (a temporary is locked while its writer lives, so a live one is never touched).
// The file keeps the permissions of the file it replaces; a new file gets 0644. A symbolic
// link is followed and stays a link. Only regular files are replaced: a directory, a device
// (/dev/full) or a pipe is refused, so writing never blocks and never breaks the system. While
// a script runs, only a file inside the places it may write to is written (write_rule.hpp).
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

#include "mgrad/support/export.hpp"

namespace mgrad {

/// Replaces `file` with `bytes`. Throws mgrad::Error ("cannot write 'FILE': reason") and
/// leaves `file` untouched on any failure.
MGRAD_API void write_file_atomically(const std::filesystem::path& file, std::string_view bytes);

/// Throws the mgrad::Error that write_file_atomically would raise for `file` before writing a
/// byte — not a file name, a directory, not a regular file, no such directory — so that a
/// command can refuse before it spends time (or changes anything) on what it would write.
/// Writes nothing.
MGRAD_API void check_writable(const std::filesystem::path& file);

/// Makes the directory `dir` and its missing parents (for `:trace`'s frames), once the calling
/// thread's write rule allows files inside it. Throws mgrad::Error ("cannot make the directory
/// 'DIR': reason"), also when a file has that name.
MGRAD_API void make_directories(const std::filesystem::path& dir);

/// Replaces `file` with what `produce` hands to the sink it is given, piece by piece (for
/// contents too large to hold in memory at once). An exception from `produce` leaves `file` as
/// it was and is passed on.
MGRAD_API void write_file_atomically(
    const std::filesystem::path& file,
    const std::function<void(const std::function<void(std::string_view)>& sink)>& produce);

}  // namespace mgrad
