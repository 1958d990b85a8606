# Builds the .deb with cpack, unpacks it with `dpkg -x` into a scratch root and uses it from
# there: `mgrad -c 1` runs, `man -w mgrad` finds the page, the completion is where bash-completion
# looks, the README's links resolve inside share/doc/mgrad, the package depends on the libraries
# mgrad links (dpkg-shlibdeps), and a find_package / pkg-config consumer builds against it.
# Reads: BUILD_DIR, SOURCE_DIR, WORK_DIR, GENERATOR, BUILD_TYPE, CXX, PKG_CONFIG, CPACK.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/consumer.cmake)

run(${CPACK} -G DEB -B "${WORK_DIR}/deb" --config "${BUILD_DIR}/CPackConfig.cmake")
file(GLOB debs "${WORK_DIR}/deb/mgrad_*.deb")
list(LENGTH debs count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected one mgrad_*.deb in ${WORK_DIR}/deb, found: ${debs}")
endif()

execute_process(COMMAND dpkg-deb --field ${debs} Depends OUTPUT_VARIABLE depends)
message(STATUS "Depends: ${depends}")
foreach(library libfmt9 libgvc6 libplplot17 libedit2 libc6)
  if(NOT depends MATCHES "${library}")
    message(FATAL_ERROR "the package's Depends lacks ${library}: ${depends}")
  endif()
endforeach()

set(root "${WORK_DIR}/root")
run(dpkg -x ${debs} "${root}")
set(PREFIX "${root}/usr")

execute_process(COMMAND "${PREFIX}/bin/mgrad" -c "1" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "1\n")
  message(FATAL_ERROR "mgrad -c 1 from the package printed '${out}' (${rc})")
endif()

set(ENV{MANPATH} "${PREFIX}/share/man")
execute_process(COMMAND man -w mgrad OUTPUT_VARIABLE page RESULT_VARIABLE rc
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0 OR NOT page MATCHES "^${PREFIX}/share/man/man1/mgrad\\.1")
  message(FATAL_ERROR "man -w mgrad: '${page}' (${rc})")
endif()

if(NOT EXISTS "${PREFIX}/share/bash-completion/completions/mgrad")
  message(FATAL_ERROR "no bash completion in ${PREFIX}/share/bash-completion/completions")
endif()

# The README's relative links, inside share/doc/mgrad.
set(doc "${PREFIX}/share/doc/mgrad")
file(READ "${doc}/README.md" readme)
# Square brackets nest inside CMake list items (a ';' between them splits nothing): mark the
# links, then drop every bracket before splitting.
string(REPLACE "](" "@LINK@(" readme "${readme}")
string(REPLACE "[" "" readme "${readme}")
string(REPLACE "]" "" readme "${readme}")
string(REGEX MATCHALL "@LINK@\\([^)#:]+[)#]" links "${readme}")
list(LENGTH links count)
if(count LESS 5)
  message(FATAL_ERROR "found only ${count} links in the installed README")
endif()
foreach(link IN LISTS links)
  string(REGEX REPLACE "^@LINK@\\(([^)#]+)[)#]$" "\\1" target "${link}")
  if(NOT EXISTS "${doc}/${target}")
    message(FATAL_ERROR "the README links ${target}, which is not in ${doc}")
  endif()
endforeach()

# The libraries: find_package (shared and static) and pkg-config against the unpacked /usr.
file(GLOB pc "${PREFIX}/lib*/pkgconfig/mgrad.pc" "${PREFIX}/lib/*/pkgconfig/mgrad.pc")
get_filename_component(LIBDIR "${pc}" DIRECTORY)
get_filename_component(LIBDIR "${LIBDIR}" DIRECTORY)
consume()
