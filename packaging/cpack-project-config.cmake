# Read by cpack (CPACK_PROJECT_CONFIG_FILE). The Debian package is only right
# when the build was configured for Debian's layout: prefix /usr, so that the
# plugin goes to /usr/lib/<multiarch>/ beside mosquitto_dynamic_security.so.
if(CPACK_GENERATOR STREQUAL "DEB")
  if(NOT CPACK_EB_INSTALL_PREFIX STREQUAL "/usr"
     OR NOT CPACK_EB_PLUGIN_PATH MATCHES "^/usr/lib/[^/]+-[^/]+/mosquitto_energy_bridge\\.so$")
    message(FATAL_ERROR
      "energy-bridge: the Debian package needs a build configured with -DCMAKE_INSTALL_PREFIX=/usr "
      "(plugin path would be '${CPACK_EB_PLUGIN_PATH}', prefix '${CPACK_EB_INSTALL_PREFIX}')")
  endif()
endif()
