#!/usr/bin/env bash
# Build the workshop image with repo2docker from the repository's environment.yml.
#   deploy/build-image.sh ghcr.io/my-org/servekit-workshop [--push]
set -euo pipefail
cd "$(dirname "$0")/.."
image="${1:?usage: deploy/build-image.sh IMAGE [--push]}"
version="$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
args=(--no-run --user-id 1000 --user-name jovyan --image-name "$image:$version")
if [ "${2:-}" = "--push" ]; then args+=(--push); fi
jupyter-repo2docker "${args[@]}" .
echo "Built $image:$version; set singleuser.image in deploy/z2jh/values.yaml to it."
