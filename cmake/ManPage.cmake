# Makes the man page mgrad.1 from the program's own help, so the page cannot drift from it:
# help2man reads `mgrad --help` and `mgrad --version`; the section on `mgrad train` is
# `mgrad help train` as it prints it; docs/man/mgrad.h2m adds NAME, EXIT STATUS, FILES, SEE ALSO.
# cmake -DHELP2MAN=… -DMGRAD=… -DINCLUDE=docs/man/mgrad.h2m -DOUTPUT=…/mgrad.1 -P ManPage.cmake
execute_process(COMMAND ${MGRAD} help train OUTPUT_VARIABLE train RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR train STREQUAL "")
  message(FATAL_ERROR "${MGRAD} help train failed (${rc})")
endif()
# The text as roff, kept as printed (no fill): backslashes escaped, no line read as a request.
string(REPLACE "\\" "\\e" train "${train}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" train "${train}")
set(train_include "${OUTPUT}.train.h2m")
file(WRITE "${train_include}" "[MGRAD TRAIN]\n.nf\n${train}.fi\n")
execute_process(
  COMMAND ${HELP2MAN} --no-info --section=1
          "--include=${INCLUDE}" "--include=${train_include}" "--output=${OUTPUT}.new" ${MGRAD}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc})")
endif()
file(RENAME "${OUTPUT}.new" "${OUTPUT}")
