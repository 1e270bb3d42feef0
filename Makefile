# The two commands of the README:
#   make demo   installs missing Debian packages, builds (Release), runs the
#               Vogels-Abbott network on 2 MPI ranks, writes spikes + raster
#   make test   builds and runs the whole test suite (CTest)
# Other targets: deps, build, bench, format, clean.

BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
DEMO_OUT ?= out/vogels_abbott

.PHONY: demo deps build test bench format clean

demo: deps build
	tools/mpirun.sh 2 $(BUILD)/io/ganglion run examples/vogels_abbott.json -o $(DEMO_OUT)
	/usr/bin/python3 tools/raster.py $(DEMO_OUT)/spikes.h5 -o $(DEMO_OUT)/raster.png \
	  --title "Vogels-Abbott network, 2 MPI ranks"
	@echo "spikes: $(DEMO_OUT)/spikes.h5   raster: $(DEMO_OUT)/raster.png   summary: $(DEMO_OUT)/summary.json"

deps:
	tools/install_deps.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The Slurm job scripts of jobs/ on a throw-away one-node Slurm cluster
# (installs slurm-wlm and munge when missing; about 3 minutes, up to 8 on
# a busy machine).
.PHONY: test-slurm
test-slurm: build
	tests/slurm/run_slurm_test.sh --ganglion $(BUILD)/io/ganglion \
	  --spikes-equal $(BUILD)/tests/mpi/spikes_equal

bench: build
	bench/networks/vogels_abbott.sh --ganglion $(BUILD)/io/ganglion

format:
	find core models comm io bench tests -name '*.[ch]pp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) out
