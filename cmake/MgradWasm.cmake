# The WebAssembly build (preset wasm, emscripten): {fmt} and nlohmann-json come from the
# system's headers, used header-only. Their folders are linked into the build tree one by one,
# because putting /usr/include itself on emscripten's include path would mix the system's C
# library headers with emscripten's own.
function(mgrad_wasm_header_library target folder)
  set(root ${PROJECT_BINARY_DIR}/wasm-include/${target})
  if(NOT EXISTS /usr/include/${folder})
    message(FATAL_ERROR "the WebAssembly build needs /usr/include/${folder} (Debian: see scripts/deps.sh)")
  endif()
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK /usr/include/${folder} ${root}/${folder} SYMBOLIC)
  add_library(mgrad_wasm_${target} INTERFACE)
  # As a system folder: warnings inside these headers are theirs, not mgrad's.
  target_include_directories(mgrad_wasm_${target} SYSTEM INTERFACE ${root})
endfunction()

mgrad_wasm_header_library(fmt fmt)
target_compile_definitions(mgrad_wasm_fmt INTERFACE FMT_HEADER_ONLY)
add_library(fmt::fmt ALIAS mgrad_wasm_fmt)
mgrad_wasm_header_library(json nlohmann)
add_library(nlohmann_json::nlohmann_json ALIAS mgrad_wasm_json)

# C++ exceptions are off by default in emscripten: mgrad reports every error with one.
add_compile_options(-fexceptions)
add_link_options(-fexceptions)

# What cannot exist in a browser.
set(MGRAD_GRAPHVIZ OFF)
set(MGRAD_PLPLOT OFF)
set(MGRAD_PYTHON OFF)
set(MGRAD_BUILD_CLI OFF)
set(MGRAD_BUILD_TESTS OFF)
set(MGRAD_SHARED OFF)
set(MGRAD_INSTALL OFF)

# Debian's emscripten runs its JavaScript helpers with the system's node, which finds their
# modules (acorn) only in Debian's node folder: every link gets NODE_PATH, however the build is
# started (the presets set it too).
find_path(MGRAD_NODE_MODULES acorn PATHS /usr/share/nodejs /usr/lib/nodejs NO_DEFAULT_PATH
          NO_CMAKE_FIND_ROOT_PATH)
if(NOT MGRAD_NODE_MODULES)
  message(FATAL_ERROR "emscripten needs node's acorn module (Debian: node-acorn, with emscripten)")
endif()
set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=${MGRAD_NODE_MODULES})
