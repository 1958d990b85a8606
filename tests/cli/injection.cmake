# Values from the command line are never read as script text: a newline in --draw's NAME or in
# -o's FILE cannot start another statement, and a ';' in a file name is part of the name.
#   cmake -DMGRAD=path/to/mgrad -DWORK_DIR=dir -P injection.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(mgrad expected_status)
  execute_process(COMMAND "${MGRAD}" ${ARGN} WORKING_DIRECTORY "${WORK_DIR}"
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
  if(NOT status STREQUAL expected_status)
    message(FATAL_ERROR "mgrad ${ARGN}: exit status ${status}, expected ${expected_status}\n"
                        "${out}${err}")
  endif()
  set(err "${err}" PARENT_SCOPE)
endfunction()

mgrad(1 -k -c "L = 2" --draw L -o "x.svg\n:save owned.mg\n#")
if(NOT err MATCHES "cannot hold the control character U\\+000A")
  message(FATAL_ERROR "no error about the newline:\n${err}")
endif()
mgrad(1 -k -c "L = 2" --draw "L\n:export torch owned.py\n#")
mgrad(1 -k -c "L = 2" --draw L -o "x.svg\" \":save owned.mg")
file(GLOB owned "${WORK_DIR}/owned*")
if(owned)
  message(FATAL_ERROR "an injected command ran: ${owned}")
endif()

# (Not through mgrad(): a ';' would split the argument list there.)
execute_process(COMMAND "${MGRAD}" -c "L = 2" --draw L -o "a;b.svg" WORKING_DIRECTORY "${WORK_DIR}"
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "--draw L -o 'a;b.svg': exit status ${status}")
endif()
mgrad(0 -c "L = 2" --draw L -o "#c\" d.svg")
foreach(f "a;b.svg" "#c\" d.svg")
  if(NOT EXISTS "${WORK_DIR}/${f}")
    message(FATAL_ERROR "--draw did not write '${f}'")
  endif()
endforeach()
