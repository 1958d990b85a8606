# Installs mgrad (the build the suite tests) into a scratch prefix, then builds and runs a
# consumer project against it as a user of the package would (consumer.cmake: find_package,
# shared and static, and pkg-config).
file(REMOVE_RECURSE "${WORK_DIR}")
set(PREFIX "${WORK_DIR}/prefix")
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()
include(${CMAKE_CURRENT_LIST_DIR}/consumer.cmake)

# The build under test is installed as it is (building the library again would double the
# suite's compile time for nothing new); its library directory is the one it was configured with.
load_cache("${BUILD_DIR}" READ_WITH_PREFIX build_ CMAKE_INSTALL_LIBDIR)
if(NOT build_CMAKE_INSTALL_LIBDIR)
  set(build_CMAKE_INSTALL_LIBDIR lib)
endif()
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${PREFIX}")
set(LIBDIR "${PREFIX}/${build_CMAKE_INSTALL_LIBDIR}")
consume()
