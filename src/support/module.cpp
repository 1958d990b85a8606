#include "mgrad/support/module.hpp"

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#if !defined(__EMSCRIPTEN__)
#include <dlfcn.h>
#endif

namespace mgrad {

#if defined(__EMSCRIPTEN__)

void* find_module_symbol(const char* file_name, const char*, std::string& why) {
    why = std::string(file_name) + " cannot be loaded in the browser";
    return nullptr;
}

#else

namespace {

namespace fs = std::filesystem;

/// The directories a module may be in, most specific first.
std::vector<fs::path> module_dirs() {
    std::vector<fs::path> dirs;
    auto add = [&](const fs::path& dir) {
        if (dir.empty()) return;
        for (const fs::path& d : dirs)
            if (d == dir) return;
        dirs.push_back(dir);
    };
    // The object this code is in: libmgrad.so, the Python extension, or the executable.
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&find_module_symbol), &info) != 0 &&
        info.dli_fname != nullptr) {
        std::error_code ec;
        const fs::path self = fs::canonical(info.dli_fname, ec);
        if (!ec) {
            add(self.parent_path());
            add(self.parent_path() / "mgrad");
            add((self.parent_path() / MGRAD_MODULE_DIR_FROM_BIN).lexically_normal());
        }
    }
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        add(exe.parent_path());
        add((exe.parent_path() / MGRAD_MODULE_DIR_FROM_BIN).lexically_normal());
    }
    return dirs;
}

}  // namespace

void* find_module_symbol(const char* file_name, const char* symbol, std::string& why) {
    static std::mutex lock;
    std::lock_guard<std::mutex> guard(lock);
    std::string looked;
    for (const fs::path& dir : module_dirs()) {
        const fs::path place = dir / file_name;
        std::error_code ec;
        if (!fs::is_regular_file(place, ec)) {
            looked += (looked.empty() ? "" : ", ") + dir.string();
            continue;
        }
        // RTLD_LOCAL: the module's libraries stay out of the program's namespace; RTLD_NOW: a
        // missing library fails here, with the loader's message, not in the middle of a call.
        void* handle = ::dlopen(place.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            const char* message = ::dlerror();
            why = message != nullptr ? message : "cannot load " + place.string();
            return nullptr;
        }
        void* address = ::dlsym(handle, symbol);
        if (address == nullptr) why = place.string() + " has no " + symbol;
        return address;
    }
    why = std::string("there is no ") + file_name + " in " + looked;
    return nullptr;
}

#endif

}  // namespace mgrad
