# SONATA report files (recorded state variables) written with parallel HDF5 by 1, 2 and 4
# ranks, compared with h5_equal to one written by one rank alone. Included from
# tests/mpi/CMakeLists.txt; the test has its own main, which initialises MPI.
if(GANGLION_MPI)
  add_executable(test_report_file_mpi ${CMAKE_CURRENT_LIST_DIR}/test_report_file_mpi.cpp)
  target_link_libraries(test_report_file_mpi PRIVATE ganglion_mpi_test_main ganglion::io ganglion::comm ganglion::core
    GTest::gtest ganglion_warnings)
  target_compile_definitions(test_report_file_mpi PRIVATE
    GANGLION_BINARY_DIR="${PROJECT_BINARY_DIR}" GANGLION_H5_EQUAL="$<TARGET_FILE:h5_equal>")
  add_dependencies(test_report_file_mpi h5_equal)
  foreach(n 1 2 4)
    add_test(NAME test_report_file_mpi_np${n}
      COMMAND ${GANGLION_MPIEXEC} ${GANGLION_MPIEXEC_FLAGS} -n ${n}
              $<TARGET_FILE:test_report_file_mpi>)
    set_tests_properties(test_report_file_mpi_np${n} PROPERTIES
      ENVIRONMENT "${GANGLION_TEST_ENV}" TIMEOUT 120 LABELS mpi PROCESSORS ${n})
  endforeach()
endif()
