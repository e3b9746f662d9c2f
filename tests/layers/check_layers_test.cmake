# Shows that cmake/check_layers.cmake can fail: on a small tree with includes across layers it
# must exit non-zero naming each offending file:line and its rule, and pass the same tree once
# those includes are gone.
#   cmake -DCHECKER=<cmake/check_layers.cmake> -DWORK_DIR=<scratch folder> -P check_layers_test.cmake
cmake_minimum_required(VERSION 3.25)
set(tree ${WORK_DIR}/layers_tree)
file(REMOVE_RECURSE ${tree})

# Allowed: own layer, lower layers, OpenSSL's hashes in the domain, CAF in the actors.
file(WRITE ${tree}/core/ok.cpp "#include \"core/ok.hpp\"\n#include <openssl/evp.h>\n#include <vector>\n")
file(WRITE ${tree}/http/ok.cpp "#include \"core/ok.hpp\"\n#include \"ports/backend.hpp\"\n#include <boost/beast/http.hpp>\n")
file(WRITE ${tree}/actors/ok.cpp "#include <caf/all.hpp>\n#include \"storage/database.hpp\"\n#include \"llm/llm_client.hpp\"\n")
file(WRITE ${tree}/app/ok.cpp "#include \"actors/app.hpp\"\n#include \"http/server.hpp\"\n")

# Offences: the domain reaching for storage and pqxx, http for the actors and CAF, storage for
# http, bench for storage.
file(WRITE ${tree}/core/bad.cpp
     "// pure, supposedly\n#include \"core/ok.hpp\"\n#include \"storage/database.hpp\"\n  #  include <pqxx/pqxx>\n")
file(WRITE ${tree}/http/bad.hpp "#pragma once\n#include \"actors/app.hpp\"\n#include <caf/fwd.hpp>\n")
file(WRITE ${tree}/storage/bad.cpp "#include \"http/router.hpp\"\n")
file(WRITE ${tree}/bench/bad.cpp "#include <string>\n\n#include \"storage/database.hpp\"\n")

function(run_checker out_rc out_text)
  execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${tree} -P ${CHECKER}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${out_rc} ${rc} PARENT_SCOPE)
  set(${out_text} "${out}${err}" PARENT_SCOPE)
endfunction()

run_checker(rc text)
message("${text}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the checker passed a tree with includes across layers")
endif()
foreach(expected
    "core/bad.cpp:3: error: #include \"storage/database.hpp\": layer 'domain' may include only domain; not 'storage'"
    "core/bad.cpp:4: error: #  include <pqxx/pqxx>: layer 'domain' may include the frameworks: none; not pqxx"
    "http/bad.hpp:2: error: #include \"actors/app.hpp\": layer 'http' may include only http, domain, ports; not 'actors'"
    "http/bad.hpp:3: error: #include <caf/fwd.hpp>: layer 'http' may include the frameworks: beast, tls; not caf"
    "storage/bad.cpp:1: error: #include \"http/router.hpp\": layer 'storage' may include only storage, domain; not 'http'"
    "bench/bad.cpp:3: error: #include \"storage/database.hpp\": layer 'bench' may include only bench, domain; not 'storage'"
    "6 include(s) cross a layer")
  string(FIND "${text}" "${expected}" at)
  if(at LESS 0)
    message(FATAL_ERROR "the checker's report lacks: ${expected}")
  endif()
endforeach()
if(text MATCHES "ok\\.(cpp|hpp):")
  message(FATAL_ERROR "the checker reported an allowed include")
endif()

file(REMOVE ${tree}/core/bad.cpp ${tree}/http/bad.hpp ${tree}/storage/bad.cpp ${tree}/bench/bad.cpp)
run_checker(rc text)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the checker failed a tree that keeps to the layers:\n${text}")
endif()
file(REMOVE_RECURSE ${tree})
message(STATUS "check_layers rejects each crossing include and passes the rest")
