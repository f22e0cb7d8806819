# Writes OUT, a C++ header holding every DIR/*.lua file as a raw string literal named
# kRedisLua_<file name>, so the Redis scripts (the queue's, the gate's) stay readable Lua in
# the source tree. Run as: cmake -DDIR=... -DOUT=... -P embed_lua.cmake
file(GLOB scripts "${DIR}/*.lua")
list(SORT scripts)
set(text "// Generated from ${DIR}/*.lua by cmake/embed_lua.cmake. Do not edit.\n")
string(APPEND text "#pragma once\n\nnamespace sluice::lua {\n\n")
foreach(script ${scripts})
  get_filename_component(name "${script}" NAME_WE)
  file(READ "${script}" body)
  string(FIND "${body}" ")sluice_lua\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${script} contains the raw string delimiter )sluice_lua\"")
  endif()
  string(APPEND text "inline constexpr const char kRedisLua_${name}[] = R\"sluice_lua(${body})sluice_lua\";\n\n")
endforeach()
string(APPEND text "}  // namespace sluice::lua\n")
# Rewrite only on change, so the sources that include it are not rebuilt for nothing.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUT}" "${text}")
endif()
