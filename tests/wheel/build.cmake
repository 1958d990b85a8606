# `python3 -m build --no-isolation` into WORK_DIR/dist: the sdist, then the wheel built from it
# (unpacked under WORK_DIR/tmp, which is removed after).
file(REMOVE_RECURSE ${WORK_DIR}/dist ${WORK_DIR}/tmp)
file(MAKE_DIRECTORY ${WORK_DIR}/tmp)
if(NOT DEFINED ENV{CMAKE_BUILD_PARALLEL_LEVEL})
  set(ENV{CMAKE_BUILD_PARALLEL_LEVEL} 2)
endif()
set(ENV{TMPDIR} ${WORK_DIR}/tmp)
# The compiler and warnings of the build that runs the test (CXX_COMPILER, WERROR).
execute_process(COMMAND ${PYTHON} -m build --no-isolation --outdir ${WORK_DIR}/dist
                        -Ccmake.define.CMAKE_CXX_COMPILER=${CXX_COMPILER}
                        -Ccmake.define.MGRAD_WERROR=${WERROR} ${SOURCE_DIR}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "python -m build failed (${rc})")
endif()
file(GLOB made ${WORK_DIR}/dist/*)
message(STATUS "made ${made}")
