# `cmake --install` puts the package where Debian's python3 looks for that prefix: installs the
# python component of this build under a scratch DESTDIR with the prefix /usr/local, checks
# that /usr/local/<dir> is on /usr/bin/python3's sys.path, and imports the installed copy.
# The component cli (the executable and its modules) too, which `python -m mgrad` runs.
file(REMOVE_RECURSE "${WORK_DIR}")
foreach(component python cli)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env DESTDIR=${WORK_DIR}
            ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix /usr/local --component ${component}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install --component ${component} failed (${rc})")
  endif()
endforeach()
execute_process(
  COMMAND ${PYTHON} ${CMAKE_CURRENT_LIST_DIR}/install_check.py /usr/local/${INSTALL_DIR}
          ${WORK_DIR}/usr/local/${INSTALL_DIR}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the installed package does not work (${rc})")
endif()
