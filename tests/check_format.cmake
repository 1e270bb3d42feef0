# Fails when any C++ file of the project is not formatted as .clang-format says.
file(GLOB_RECURSE files
  ${SOURCE_DIR}/core/*.[ch]pp ${SOURCE_DIR}/models/*.[ch]pp ${SOURCE_DIR}/comm/*.[ch]pp
  ${SOURCE_DIR}/io/*.[ch]pp ${SOURCE_DIR}/bench/*.[ch]pp ${SOURCE_DIR}/tests/*.[ch]pp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${files} RESULT_VARIABLE rc
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format: these files need formatting (run clang-format -i):\n${err}")
endif()
list(LENGTH files n)
message(STATUS "clang-format: ${n} files formatted")
