# SONATA spike files written with parallel HDF5 by 1, 2 and 4 ranks. Included from
# tests/mpi/CMakeLists.txt; the test has its own main, which initialises MPI.
if(GANGLION_MPI)
  add_executable(test_spike_file_mpi ${CMAKE_CURRENT_LIST_DIR}/test_spike_file_mpi.cpp)
  target_link_libraries(test_spike_file_mpi PRIVATE ganglion_mpi_test_main ganglion::io ganglion::comm ganglion::core
    GTest::gtest ganglion_warnings)
  target_compile_definitions(test_spike_file_mpi PRIVATE
    GANGLION_BINARY_DIR="${PROJECT_BINARY_DIR}")
  foreach(n 1 2 4)
    add_test(NAME test_spike_file_mpi_np${n}
      COMMAND ${GANGLION_MPIEXEC} ${GANGLION_MPIEXEC_FLAGS} -n ${n}
              $<TARGET_FILE:test_spike_file_mpi>)
    set_tests_properties(test_spike_file_mpi_np${n} PROPERTIES
      ENVIRONMENT "${GANGLION_TEST_ENV}" TIMEOUT 120 LABELS mpi PROCESSORS ${n})
  endforeach()
endif()
