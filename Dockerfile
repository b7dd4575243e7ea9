# Dockerfile: alignbench on a clean Debian 12 in one command, for people who would rather not
# install its packages on their machine. The image installs the packages (scripts/deps.sh test),
# builds in Release, runs the tests, installs into /usr/local, and by default runs the default
# suite into /results (docs/install.md):
#   docker build -t alignbench .
#   docker run --rm -v "$PWD/results:/results" alignbench
# AB_TESTS chooses the tests run while building: release (the Release ctest suite, the default),
# all (./run-tests.sh: also fuzzing, ASan+UBSan and TSan, about 6 minutes more) or none.
# Build from a clone (its .git is copied: the tests and the results' context use it), not from a
# `git worktree`, whose .git is a pointer to a folder outside the build context.
FROM debian:12

SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src

# The packages first, so that changing the sources does not reinstall them.
COPY scripts/deps.sh scripts/deps.sh
RUN scripts/deps.sh test && rm -rf /var/lib/apt/lists/*

COPY . .
RUN scripts/build.sh build && cmake --install build --prefix /usr/local

ARG AB_TESTS=release
RUN case "$AB_TESTS" in \
      release) ctest --test-dir build -j "$(nproc)" --output-on-failure ;; \
      all) ./run-tests.sh ;; \
      none) ;; \
      *) echo "AB_TESTS must be release, all or none" >&2; exit 2 ;; \
    esac

VOLUME /results
WORKDIR /results
CMD ["alignbench", "run", "--out", "/results"]
