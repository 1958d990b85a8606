# Runs one example script with --echo from the repository root and checks it succeeds; when
# examples/NAME.out exists, stdout must match it byte for byte and stderr must be empty.
# With WORK_DIR, it runs there instead (an empty directory), so the files an example writes
# (pictures from :draw, :plot, ...) stay out of the source tree.
cmake_minimum_required(VERSION 3.25)
get_filename_component(root "${SCRIPT}" DIRECTORY)
get_filename_component(root "${root}" DIRECTORY)
file(RELATIVE_PATH rel "${root}" "${SCRIPT}")
set(cwd "${root}")
if(WORK_DIR)
  file(REMOVE_RECURSE "${WORK_DIR}")
  file(MAKE_DIRECTORY "${WORK_DIR}")
  set(cwd "${WORK_DIR}")
  set(rel "${SCRIPT}")
endif()
execute_process(COMMAND "${MGRAD}" --echo "${rel}" WORKING_DIRECTORY "${cwd}"
                INPUT_FILE /dev/null
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${rel} exited with ${status}:\n${err}")
endif()
if(EXISTS "${EXPECTED}")
  file(READ "${EXPECTED}" expected)
  if(NOT out STREQUAL expected OR NOT err STREQUAL "")
    get_filename_component(name "${SCRIPT}" NAME_WE)
    set(actual "${CMAKE_CURRENT_BINARY_DIR}/example-${name}.actual")
    file(WRITE "${actual}" "${out}")
    execute_process(COMMAND diff -u "${EXPECTED}" "${actual}" OUTPUT_VARIABLE diff)
    message(FATAL_ERROR "${rel}: output differs from ${EXPECTED}:\n${diff}\nstderr:\n${err}")
  endif()
endif()
