#!/usr/bin/env bash
# Build the images' bases from Debian's own packages, for a machine that reaches Debian's and PyPI's
# registries but no container registry (so python:3.11-slim cannot be pulled):
#
#   scripts/build_base_image.sh            # marquee-build:bookworm and marquee-base:bookworm
#   MARQUEE_BUILD_IMAGE=marquee-build:bookworm MARQUEE_BASE_IMAGE=marquee-base:bookworm \
#       docker-compose up --build
#
# The build image: Debian bookworm's Python 3.11 with venv and headers, and g++ (annoy compiles in
# the pipeline's and the recommender's images). The runtime image: Python 3.11 and what the
# compiled wheels load (libstdc++), nothing to compile with. Both trust the host's certificate
# authorities: package downloads inside a build go out through the host's network.
set -euo pipefail
command -v mmdebstrap >/dev/null || { echo "needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 2; }
command -v docker >/dev/null || { echo "needs docker" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build() {  # build TAG PACKAGES
    mmdebstrap --variant=apt --quiet --include="$2" \
        --customize-hook='cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null || true' \
        --customize-hook='chroot "$1" update-ca-certificates >/dev/null' \
        --customize-hook='cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/ca-certificates.crt"' \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/usr/share/doc/* "$1"/usr/share/man/*' \
        bookworm "$work/rootfs.tar"
    docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
        --change 'CMD ["python3"]' \
        "$work/rootfs.tar" "$1" >/dev/null
    rm -f "$work/rootfs.tar"
    echo "built $1"
}

build marquee-build:bookworm python3,python3-venv,python3-dev,python-is-python3,ca-certificates,g++,passwd
build marquee-base:bookworm python3,python-is-python3,ca-certificates,libstdc++6,passwd
