# Installs mgrad into a scratch prefix with `cmake --install`, then builds and runs a consumer
# project against it as a user of the package would (consumer.cmake: find_package, shared and
# static, and pkg-config).
file(REMOVE_RECURSE "${WORK_DIR}")
set(PREFIX "${WORK_DIR}/prefix")
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()
include(${CMAKE_CURRENT_LIST_DIR}/consumer.cmake)

run(${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/mgrad" -G "${GENERATOR}"
    -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DMGRAD_BUILD_TESTS=OFF -DMGRAD_BUILD_CLI=OFF
    -DMGRAD_PYTHON=OFF
    -DCMAKE_INSTALL_PREFIX=${PREFIX} -DCMAKE_INSTALL_LIBDIR=lib)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/mgrad" -j 2)
run(${CMAKE_COMMAND} --install "${WORK_DIR}/mgrad")
set(LIBDIR "${PREFIX}/lib")
consume()
