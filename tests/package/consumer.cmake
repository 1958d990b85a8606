# consume(): builds and runs the consumer (tests/package/consumer) against an installed mgrad in PREFIX,
# three ways: find_package with the shared library (the default), find_package with
# MGRAD_USE_STATIC_LIBS, and a plain compiler line from `pkg-config --cflags --libs mgrad`.
# Used by run.cmake (cmake --install) and deb.cmake (the unpacked .deb).
# Reads: SOURCE_DIR, WORK_DIR, PREFIX, LIBDIR (the prefix's library directory), GENERATOR,
# BUILD_TYPE, CXX, PKG_CONFIG.

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " line "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${line}")
  endif()
endfunction()

# needs_libmgrad(program yes|no): whether the program loads libmgrad.so.
function(needs_libmgrad program expected)
  execute_process(COMMAND readelf -d ${program} OUTPUT_VARIABLE dynamic RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "readelf -d ${program} failed")
  endif()
  if(dynamic MATCHES "NEEDED[^\n]*libmgrad\\.so")
    set(found yes)
  else()
    set(found no)
  endif()
  if(NOT found STREQUAL expected)
    message(FATAL_ERROR "${program}: expected libmgrad.so needed: ${expected}, found: ${found}")
  endif()
endfunction()

function(consume)
  foreach(kind shared static)
    set(dir "${WORK_DIR}/consumer-${kind}")
    set(extra "")
    if(kind STREQUAL "static")
      set(extra -DMGRAD_USE_STATIC_LIBS=ON)
    endif()
    run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/package/consumer" -B "${dir}" -G "${GENERATOR}"
        -DCMAKE_BUILD_TYPE=${BUILD_TYPE} "-DCMAKE_PREFIX_PATH=${PREFIX}" ${extra})
    run(${CMAKE_COMMAND} --build "${dir}")
    run("${dir}/app")
    if(kind STREQUAL "shared")
      needs_libmgrad("${dir}/app" yes)
    else()
      needs_libmgrad("${dir}/app" no)
    endif()
  endforeach()

  # pkg-config, from the prefix's mgrad.pc only (not a system one).
  set(ENV{PKG_CONFIG_PATH} "${LIBDIR}/pkgconfig")
  set(ENV{PKG_CONFIG_LIBDIR} "${LIBDIR}/pkgconfig")
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs mgrad OUTPUT_VARIABLE flags
                  OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT flags MATCHES "-lmgrad")
    message(FATAL_ERROR "pkg-config --cflags --libs mgrad: '${flags}' (${rc})")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  set(app "${WORK_DIR}/consumer-pkg-config/app")
  file(MAKE_DIRECTORY "${WORK_DIR}/consumer-pkg-config")
  run(${CXX} -std=c++20 -O1 "${SOURCE_DIR}/tests/package/consumer/app.cpp" ${flags}
      "-Wl,-rpath,${LIBDIR}" -o "${app}")
  needs_libmgrad("${app}" yes)
  run("${app}")
endfunction()
