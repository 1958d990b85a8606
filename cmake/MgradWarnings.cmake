# mgrad_set_warnings(target): the project's warning flags, and the sanitizer flags when asked.
function(mgrad_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  if(MGRAD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(MGRAD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# ThreadSanitizer (preset tsan): the live view's server, layout thread and session thread.
if(MGRAD_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

# Faster builds where the tools are here: ccache (a rebuild of unchanged files is a cache hit,
# also across the presets' build directories and worktrees with CCACHE_BASEDIR) and lld, which
# links the large test programs several times faster than ld.bfd.
find_program(MGRAD_CCACHE_PROGRAM ccache)
option(MGRAD_CCACHE "Compile through ccache when it is installed" ON)
if(MGRAD_CCACHE AND MGRAD_CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${MGRAD_CCACHE_PROGRAM})
  # Without a base_dir ccache keys on absolute paths, so the same sources compiled elsewhere (the
  # wheel's build in its unpacked sdist, tests/wheel; another checkout) all miss: the source
  # tree is then the base, and paths below it count relative to the build directory.
  if(NOT DEFINED ENV{CCACHE_BASEDIR})
    execute_process(COMMAND ${MGRAD_CCACHE_PROGRAM} --get-config base_dir
                    OUTPUT_VARIABLE mgrad_ccache_base OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(mgrad_ccache_base STREQUAL "")
      set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env
          CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} ${MGRAD_CCACHE_PROGRAM})
    endif()
  endif()
endif()
find_program(MGRAD_LLD_PROGRAM ld.lld)
option(MGRAD_LLD "Link with lld when it is installed" ON)
if(MGRAD_LLD AND MGRAD_LLD_PROGRAM AND NOT EMSCRIPTEN)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld mgrad_has_lld)
  if(mgrad_has_lld)
    add_link_options(-fuse-ld=lld)
  endif()
endif()
