# The layers of Foresight, in one table: which folders make up each layer, its library, which
# other layers it may include and link, and which frameworks' headers it may include. Every
# target has the project root as include directory, so only this table (checked on every build by
# cmake/check_layers.cmake, and against the targets' links by foresight_check_layer_links) keeps
# an include from crossing a layer. docs/architecture.md ("Layers") explains it.
#
#   layer    folders   library            may use layers                      frameworks
#   domain   core      foresight_domain   -                                   -
#   ports    ports     foresight_ports    domain                              -
#   storage  storage   foresight_storage  domain                              pqxx
#   llm      llm       foresight_llm      domain                              beast tls
#   http     http      foresight_http     domain ports                        beast tls
#   actors   actors    foresight_actors   domain ports storage llm            caf tls (*)
#   app      app       (foresightd)       every layer                         -
#   bench    bench     (benchmarks)       domain                              -
#   tests    tests     (test programs)    every layer                         every one
#
# (*) tls only for actors/tls_error_queue.cpp's fix to CAF's TLS sessions.
# A layer may always include its own headers. Headers of no listed framework (the standard
# library, POSIX, simdjson, OpenSSL's hashes and HMAC) are free for all.

set(FORESIGHT_LAYERS domain ports storage llm http actors app bench tests)

set(LAYER_domain_DIRS core)
set(LAYER_domain_TARGET foresight_domain)
set(LAYER_domain_USES "")
set(LAYER_domain_FRAMEWORKS "")

set(LAYER_ports_DIRS ports)
set(LAYER_ports_TARGET foresight_ports)
set(LAYER_ports_USES domain)
set(LAYER_ports_FRAMEWORKS "")

set(LAYER_storage_DIRS storage)
set(LAYER_storage_TARGET foresight_storage)
set(LAYER_storage_USES domain)
set(LAYER_storage_FRAMEWORKS pqxx)

set(LAYER_llm_DIRS llm)
set(LAYER_llm_TARGET foresight_llm)
set(LAYER_llm_USES domain)
set(LAYER_llm_FRAMEWORKS beast tls)

set(LAYER_http_DIRS http)
set(LAYER_http_TARGET foresight_http)
set(LAYER_http_USES domain ports)
set(LAYER_http_FRAMEWORKS beast tls)

set(LAYER_actors_DIRS actors)
set(LAYER_actors_TARGET foresight_actors)
set(LAYER_actors_USES domain ports storage llm)
set(LAYER_actors_FRAMEWORKS caf tls)

# The composition root: it wires the libraries together and uses no framework itself.
set(LAYER_app_DIRS app)
set(LAYER_app_USES domain ports storage llm http actors)
set(LAYER_app_FRAMEWORKS "")

set(LAYER_bench_DIRS bench)
set(LAYER_bench_USES domain)
set(LAYER_bench_FRAMEWORKS "")

# Tests reach into whatever they test; which library each test program links is the finer rule.
set(LAYER_tests_DIRS tests)
set(LAYER_tests_USES domain ports storage llm http actors app)
set(LAYER_tests_FRAMEWORKS caf pqxx beast tls)

# The frameworks a layer must name to include them: header prefixes after `#include <`.
set(FORESIGHT_FRAMEWORKS caf pqxx beast tls)
set(FRAMEWORK_caf_HEADERS caf/)
set(FRAMEWORK_pqxx_HEADERS pqxx/ libpq-fe.h)
set(FRAMEWORK_beast_HEADERS boost/beast boost/asio)
set(FRAMEWORK_tls_HEADERS openssl/ssl.h openssl/x509)

# LAYER_OF_<folder>: the layer a top-level folder belongs to.
foreach(_layer IN LISTS FORESIGHT_LAYERS)
  foreach(_dir IN LISTS LAYER_${_layer}_DIRS)
    set(LAYER_OF_${_dir} ${_layer})
  endforeach()
endforeach()

# At configure time: each layer library links only foresight_* libraries of the layers it may
# use, so a call across the rule fails to link in every program that links that library alone.
function(foresight_check_layer_links)
  foreach(layer IN LISTS FORESIGHT_LAYERS)
    set(target ${LAYER_${layer}_TARGET})
    if(NOT target OR NOT TARGET ${target})
      continue()
    endif()
    set(allowed "")
    foreach(used IN LISTS LAYER_${layer}_USES)
      list(APPEND allowed ${LAYER_${used}_TARGET})
    endforeach()
    get_target_property(type ${target} TYPE)
    set(links "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(links ${target} LINK_LIBRARIES)
    endif()
    get_target_property(interface_links ${target} INTERFACE_LINK_LIBRARIES)
    string(REPLACE ";" ", " uses "${LAYER_${layer}_USES}")
    if(NOT uses)
      set(uses "none")
    endif()
    foreach(lib IN LISTS links interface_links)
      if(lib MATCHES "^foresight_" AND NOT lib IN_LIST allowed)
        message(FATAL_ERROR "${target} links ${lib}, but layer '${layer}' may use only these "
                            "layers: ${uses} (cmake/layers.cmake)")
      endif()
    endforeach()
  endforeach()
endfunction()
