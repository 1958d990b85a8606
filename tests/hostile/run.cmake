# Inputs too big to keep in the repository, made on the fly and run through mgrad; stderr and the
# exit status must be exactly tests/hostile/NAME.err and NAME.status (as for golden transcripts).
#
#   cmake -DMGRAD=path/to/mgrad -DNAME=parens -DSOURCE_DIR=tests/hostile -DWORK_DIR=dir
#         [-DUPDATE=ON] -P run.cmake
#
#   parens      a million '(' (the nesting limit, without exhausting the stack)
#   long        a 2 MiB statement (the statement length limit)
#   nodes       a script whose graph outgrows the default --max-nodes
#   numbers     number literals far out of range, and a 100 000-digit one
cmake_minimum_required(VERSION 3.25)

set(work "${WORK_DIR}/${NAME}")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}")
set(script "${work}/${NAME}.mg")

# string(REPEAT) makes the big inputs in C++, not in a CMake loop.
if(NAME STREQUAL "parens")
  string(REPEAT "(" 1000000 text)
  file(WRITE "${script}" "a = 1\nx = ${text}\na\n")
elseif(NAME STREQUAL "long")
  string(REPEAT "+1" 1048576 text)
  file(WRITE "${script}" "a = 1\nx = 1${text}\na\n")
elseif(NAME STREQUAL "nodes")
  # Each line adds 16 nodes: 70 000 lines pass the default cap of 1 000 000 at line 62 500.
  string(REPEAT "x = x + x + x + x + x + x + x + x + x + x + x + x + x + x + x + x + 1\n" 70000
         lines)
  file(WRITE "${script}" "x = 1\n${lines}:vars\n")
elseif(NAME STREQUAL "numbers")
  string(REPEAT "9" 100000 digits)
  string(REPEAT "0" 100000 zeros)
  file(WRITE "${script}"
       "a = 1e308\nb = 1e309\nc = ${digits}\nd = 0.${zeros}1\ne = 4.9e-324\nf = 2.4e-324\n"
       "g = 0.${zeros}1e100010\nh = 1e99999999999999999999999\ni = 1e-99999999999999999999999\n"
       "j = 0e99999999999999999999999\nk = ${digits}e-100000\n:vars\n")
else()
  message(FATAL_ERROR "unknown hostile input '${NAME}'")
endif()

set(ENV{XDG_STATE_HOME} "${work}/state")
set(ENV{LC_ALL} "C.UTF-8")
# The node cap stops the script at its first error; the others go on to show every message.
set(keep_going --keep-going)
if(NAME STREQUAL "nodes")
  set(keep_going "")
endif()
execute_process(COMMAND "${MGRAD}" ${keep_going} "${NAME}.mg"
                WORKING_DIRECTORY "${work}"
                INPUT_FILE /dev/null
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status
                TIMEOUT 60)
string(APPEND err "status ${status}\n")

if(UPDATE)
  file(WRITE "${SOURCE_DIR}/${NAME}.out" "${out}")
  file(WRITE "${SOURCE_DIR}/${NAME}.err" "${err}")
  message(STATUS "updated ${NAME}.out, ${NAME}.err")
  return()
endif()

set(failed OFF)
foreach(what out err)
  file(READ "${SOURCE_DIR}/${NAME}.${what}" expected)
  if(NOT ${what} STREQUAL expected)
    file(WRITE "${work}/actual.${what}" "${${what}}")
    execute_process(COMMAND diff -u "${SOURCE_DIR}/${NAME}.${what}" "${work}/actual.${what}"
                    OUTPUT_VARIABLE diff)
    message("${NAME}.${what} differs:\n${diff}")
    set(failed ON)
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "hostile input '${NAME}' failed; -DUPDATE=ON rewrites the expected files")
endif()
