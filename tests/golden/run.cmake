# Runs one golden transcript: mgrad on tests/golden/NAME.mg (or with the arguments in
# NAME.args), then compares stdout with NAME.out, stderr with NAME.err and the exit status with
# NAME.status (0 when the file is absent), byte for byte. NAME.env sets environment variables.
#
#   cmake -DMGRAD=path/to/mgrad -DNAME=basics -DSOURCE_DIR=tests/golden -DWORK_DIR=dir
#         [-DUPDATE=ON] -P run.cmake
#
# The test runs in a fresh copy of tests/golden under WORK_DIR, so scripts may :save and :load
# files next to themselves. Without NAME.args the script is also fed through standard input:
# stdout must be the same, and stderr the same once `<stdin>` reads NAME.mg.
# With UPDATE=ON the expected files are rewritten from the actual output (review the diff!).
cmake_minimum_required(VERSION 3.25)

set(work "${WORK_DIR}/${NAME}")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}")
file(GLOB inputs "${SOURCE_DIR}/*.mg" "${SOURCE_DIR}/*.txt" "${SOURCE_DIR}/sub")
file(COPY ${inputs} DESTINATION "${work}")

set(args "${NAME}.mg")
set(uses_args OFF)
if(EXISTS "${SOURCE_DIR}/${NAME}.args")
  file(STRINGS "${SOURCE_DIR}/${NAME}.args" args)
  set(uses_args ON)
endif()
set(expected_status 0)
if(EXISTS "${SOURCE_DIR}/${NAME}.status")
  file(STRINGS "${SOURCE_DIR}/${NAME}.status" expected_status)
endif()

# Keep the environment of the test from leaking in (history files, locale, terminal width,
# colour); NAME.env sets variables of its own, one VAR=value a line.
set(ENV{XDG_STATE_HOME} "${work}/state")
set(ENV{LC_ALL} "C.UTF-8")
unset(ENV{COLUMNS})
unset(ENV{NO_COLOR})
if(EXISTS "${SOURCE_DIR}/${NAME}.env")
  file(STRINGS "${SOURCE_DIR}/${NAME}.env" env_lines)
  foreach(line IN LISTS env_lines)
    string(FIND "${line}" "=" eq)
    string(SUBSTRING "${line}" 0 ${eq} var)
    math(EXPR value_begin "${eq} + 1")
    string(SUBSTRING "${line}" ${value_begin} -1 value)
    set(ENV{${var}} "${value}")
  endforeach()
endif()
execute_process(COMMAND "${MGRAD}" ${args}
                WORKING_DIRECTORY "${work}"
                INPUT_FILE /dev/null
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)

if(UPDATE)
  file(WRITE "${SOURCE_DIR}/${NAME}.out" "${out}")
  file(WRITE "${SOURCE_DIR}/${NAME}.err" "${err}")
  if(status EQUAL 0)
    file(REMOVE "${SOURCE_DIR}/${NAME}.status")
  else()
    file(WRITE "${SOURCE_DIR}/${NAME}.status" "${status}\n")
  endif()
  message(STATUS "updated ${NAME}.out, ${NAME}.err (status ${status})")
  return()
endif()

set(failed OFF)
function(compare what actual expected_file)
  set(expected "")
  if(EXISTS "${expected_file}")
    file(READ "${expected_file}" expected)
  endif()
  if(NOT actual STREQUAL expected)
    file(WRITE "${work}/actual.${what}" "${actual}")
    execute_process(COMMAND diff -u "${expected_file}" "${work}/actual.${what}"
                    OUTPUT_VARIABLE diff)
    message("${NAME}: ${what} differs from ${expected_file}:\n${diff}")
    set(failed ON PARENT_SCOPE)
  endif()
endfunction()

compare(stdout "${out}" "${SOURCE_DIR}/${NAME}.out")
compare(stderr "${err}" "${SOURCE_DIR}/${NAME}.err")
if(NOT status STREQUAL expected_status)
  message("${NAME}: exit status ${status}, expected ${expected_status}")
  set(failed ON)
endif()

if(NOT uses_args)
  # The same script through a pipe prints the same as the file form.
  execute_process(COMMAND "${MGRAD}"
                  WORKING_DIRECTORY "${work}"
                  INPUT_FILE "${work}/${NAME}.mg"
                  OUTPUT_VARIABLE pipe_out ERROR_VARIABLE pipe_err RESULT_VARIABLE pipe_status)
  # Only the source name may differ (and with it the width of a table column).
  foreach(v pipe_out pipe_err out err)
    string(REPLACE "<stdin>" "${NAME}.mg" norm_${v} "${${v}}")
    string(REGEX REPLACE " +" " " norm_${v} "${norm_${v}}")
  endforeach()
  if(NOT norm_pipe_out STREQUAL norm_out OR NOT norm_pipe_err STREQUAL norm_err
     OR NOT pipe_status STREQUAL status)
    message("${NAME}: reading the script from standard input gives different output:\n"
            "--- stdout ---\n${pipe_out}--- stderr ---\n${pipe_err}--- status ${pipe_status}")
    set(failed ON)
  endif()
endif()

if(failed)
  message(FATAL_ERROR "${NAME}: golden transcript does not match")
endif()
