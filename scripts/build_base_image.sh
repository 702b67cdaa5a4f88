#!/usr/bin/env bash
# Build the images' base from Debian's own packages, for a machine that reaches Debian's and PyPI's
# registries but no container registry (so python:3.11-slim cannot be pulled):
#
#   scripts/build_base_image.sh [TAG]          # default tag: marquee-base:bookworm
#   MARQUEE_BASE_IMAGE=marquee-base:bookworm docker-compose up --build
#
# Debian bookworm's Python 3.11 with venv and headers, g++ (annoy compiles in the pipeline's
# image), and the host's certificate authorities: package downloads inside a build go out through
# the host's network, so they must trust what the host trusts.
set -euo pipefail
tag="${1:-marquee-base:bookworm}"
command -v mmdebstrap >/dev/null || { echo "needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 2; }
command -v docker >/dev/null || { echo "needs docker" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mmdebstrap --variant=apt --quiet \
    --include=python3,python3-venv,python3-dev,python-is-python3,ca-certificates,g++ \
    --customize-hook='cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null || true' \
    --customize-hook='chroot "$1" update-ca-certificates >/dev/null' \
    --customize-hook='cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/ca-certificates.crt"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    bookworm "$work/rootfs.tar"
docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["python3"]' \
    "$work/rootfs.tar" "$tag"
echo "built $tag"
