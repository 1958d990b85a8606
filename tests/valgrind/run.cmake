# Runs a REPL session and the renderer under valgrind's memcheck: any memory error, or a leak
# that is not Graphviz's own (graphviz.supp), fails the test.
#
#   cmake -DVALGRIND=valgrind -DMGRAD=mgrad -DRENDER_DEMO=mgrad-render-demo
#         -DSOURCE_DIR=tests/valgrind -DWORK_DIR=dir -P run.cmake
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(valgrind "${VALGRIND}" -q --error-exitcode=99 --leak-check=full
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --num-callers=40
    "--suppressions=${SOURCE_DIR}/graphviz.supp")
set(ENV{XDG_STATE_HOME} "${WORK_DIR}/state")

# The REPL loop (-i) reading the session from standard input.
execute_process(COMMAND ${valgrind} "${MGRAD}" -i
                WORKING_DIRECTORY "${WORK_DIR}"
                INPUT_FILE "${SOURCE_DIR}/session.mg"
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
if(status EQUAL 99 OR err MATCHES "==[0-9]+==")
  message(FATAL_ERROR "valgrind found errors in the REPL session:\n${err}")
endif()
if(NOT out MATCHES "saved [0-9]+ statements")
  message(FATAL_ERROR "the REPL session did not run to the end:\n${out}\n${err}")
endif()

# Rendering through Graphviz: PNG, SVG, PDF, DOT and JSON.
execute_process(COMMAND ${valgrind} "${RENDER_DEMO}" "${WORK_DIR}"
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR err MATCHES "==[0-9]+==")
  message(FATAL_ERROR "valgrind found errors while rendering (status ${status}):\n${err}")
endif()
foreach(file lecture.png lecture.svg lecture.pdf lecture.dot lecture.json)
  if(NOT EXISTS "${WORK_DIR}/${file}")
    message(FATAL_ERROR "the renderer did not write ${file}")
  endif()
endforeach()
