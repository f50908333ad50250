# cmake --install: the command, the libraries with their headers and a CMake package
# (find_package(pianokpm), imported targets pianokpm::<stage>), the shipped models, and the
# Python module (src/CMakeLists.txt). cpack: a .deb of the same.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PIANOKPM_DATA_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/pianokpm)  # core/install_paths.h looks here
set(PIANOKPM_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/pianokpm)

set(pianokpm_libraries)
foreach(stage core io signal anatomy model data synth ot pose_model pose predict analysis report render remote live parallel train eval)
  if(TARGET pianokpm_${stage})
    list(APPEND pianokpm_libraries pianokpm_${stage})
    set_target_properties(pianokpm_${stage} PROPERTIES EXPORT_NAME ${stage})
  endif()
endforeach()
install(TARGETS pianokpm RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${pianokpm_libraries} EXPORT pianokpmTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}/pianokpm)
install(DIRECTORY src/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pianokpm FILES_MATCHING PATTERN "*.h"
        PATTERN python EXCLUDE PATTERN cli EXCLUDE)
install(EXPORT pianokpmTargets NAMESPACE pianokpm:: DESTINATION ${PIANOKPM_CMAKE_INSTALL_DIR})

# What the config must find again for the targets' interfaces.
set(pianokpm_with_opencv FALSE)
if(TARGET pianokpm_pose)
  set(pianokpm_with_opencv TRUE)
endif()
# (src/ found them in its own scope; their traces are the targets' definitions.)
get_target_property(parallel_definitions pianokpm_parallel COMPILE_DEFINITIONS)
get_target_property(report_definitions pianokpm_report INTERFACE_COMPILE_DEFINITIONS)
set(pianokpm_with_mpi FALSE)
set(pianokpm_with_openssl FALSE)
if(parallel_definitions MATCHES "PIANOKPM_HAVE_MPI")
  set(pianokpm_with_mpi TRUE)
endif()
set(pianokpm_pkgconfig_modules)
if(report_definitions MATCHES "PIANOKPM_HAVE_CAIRO")
  list(APPEND pianokpm_pkgconfig_modules CAIRO=cairo)
endif()
if(TARGET pianokpm_remote)
  list(APPEND pianokpm_pkgconfig_modules HTTPLIB=cpp-httplib SQLITE3=sqlite3 SODIUM=libsodium)
  set(pianokpm_with_openssl TRUE)
endif()
if(TARGET pianokpm_live)
  list(APPEND pianokpm_pkgconfig_modules HTTPLIB=cpp-httplib LIBLO=liblo)
  get_target_property(live_definitions pianokpm_live INTERFACE_COMPILE_DEFINITIONS)
  if(live_definitions MATCHES "PIANOKPM_HAVE_RTMIDI")
    list(APPEND pianokpm_pkgconfig_modules RTMIDI=rtmidi)
  endif()
endif()
configure_package_config_file(cmake/pianokpmConfig.cmake.in ${CMAKE_BINARY_DIR}/pianokpmConfig.cmake
                              INSTALL_DESTINATION ${PIANOKPM_CMAKE_INSTALL_DIR} PATH_VARS PIANOKPM_DATA_INSTALL_DIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/pianokpmConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/pianokpmConfig.cmake ${CMAKE_BINARY_DIR}/pianokpmConfigVersion.cmake
        DESTINATION ${PIANOKPM_CMAKE_INSTALL_DIR})

install(DIRECTORY assets/models/ DESTINATION ${PIANOKPM_DATA_INSTALL_DIR}/models)
install(DIRECTORY assets/demo/ DESTINATION ${PIANOKPM_DATA_INSTALL_DIR}/demo)
if(EXISTS ${PROJECT_SOURCE_DIR}/models/mediapipe)
  install(DIRECTORY models/mediapipe/ DESTINATION ${PIANOKPM_DATA_INSTALL_DIR}/mediapipe)
endif()

# The Python module as a wheel (build/dist/pianokpm-VERSION-TAG.whl) for `pip install`.
if(TARGET pianokpm_python)
  get_target_property(wheel_python pianokpm_python PIANOKPM_PYTHON)
  add_custom_target(python_wheel
    COMMAND ${wheel_python} ${PROJECT_SOURCE_DIR}/tools/make_wheel.py --module $<TARGET_FILE:pianokpm_python>
            --stub ${CMAKE_BINARY_DIR}/python/pianokpm.pyi --data ${PROJECT_SOURCE_DIR}/models/mediapipe=mediapipe
            --version ${PROJECT_VERSION} --out ${CMAKE_BINARY_DIR}/dist
    DEPENDS pianokpm_python VERBATIM)
endif()

# cpack -G DEB (in the build folder): pianokpm_VERSION_ARCH.deb installing into /usr, its
# dependencies found by dpkg-shlibdeps from the libraries the binaries link.
set(CPACK_PACKAGE_NAME pianokpm)
set(CPACK_PACKAGE_VENDOR "pianokpm")
set(CPACK_PACKAGE_CONTACT "pianokpm maintainers <pianokpm@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Hand-muscle EMG envelopes estimated from video, keypoints and keystrokes (PianoKPM Net)")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)  # the models are float arrays: xz gains little and takes minutes
set(CPACK_STRIP_FILES ON)
include(CPack)
