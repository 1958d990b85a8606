# Makes the man page mgrad.1 from the program's own help, so the page cannot drift from it:
# help2man reads `mgrad --help` and `mgrad --version`; the section on `mgrad train` is
# `mgrad help train` as it prints it; docs/man/mgrad.h2m adds NAME, EXIT STATUS, FILES, SEE ALSO
# (which names the documents where this build installs them, DOCDIR). Characters beyond ASCII
# (… − · →) are read as UTF-8 and written as roff's \[uXXXX], which every man renders.
# cmake -DHELP2MAN=… -DPERL=… -DMGRAD=… -DINCLUDE=docs/man/mgrad.h2m -DDOCDIR=/usr/share/doc/mgrad
#       -DOUTPUT=…/mgrad.1 -P ManPage.cmake
cmake_policy(VERSION 3.25)  # "@DOCDIR@" is text, not a variable (CMP0053)
execute_process(COMMAND ${MGRAD} help train OUTPUT_VARIABLE train RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR train STREQUAL "")
  message(FATAL_ERROR "${MGRAD} help train failed (${rc})")
endif()
# The text as roff, kept as printed (no fill): backslashes escaped, no line read as a request.
string(REPLACE "\\" "\\e" train "${train}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" train "${train}")
file(READ "${INCLUDE}" sections)
string(REPLACE "@DOCDIR@" "${DOCDIR}" sections "${sections}")
set(sections_include "${OUTPUT}.sections.h2m")
file(WRITE "${sections_include}" "${sections}")
set(train_include "${OUTPUT}.train.h2m")
file(WRITE "${train_include}" "[MGRAD TRAIN]\n.nf\n${train}.fi\n")
execute_process(
  COMMAND ${HELP2MAN} --no-info --section=1 --locale=C.UTF-8
          "--include=${sections_include}" "--include=${train_include}" "--output=${OUTPUT}.utf8"
          ${MGRAD}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc})")
endif()
execute_process(
  COMMAND ${PERL} -CSD -pe "s/([^\\x00-\\x7f])/sprintf('\\\\[u%04X]', ord(\$1))/ge"
  INPUT_FILE "${OUTPUT}.utf8" OUTPUT_FILE "${OUTPUT}.new" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "perl failed (${rc})")
endif()
file(RENAME "${OUTPUT}.new" "${OUTPUT}")
