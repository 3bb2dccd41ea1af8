#!/usr/bin/env bash
# Regenerate src/openbank/_generated from the platform's OpenAPI description.
# Thin wrapper around the repository's sdk/generate.py (which also generates the
# TypeScript types); run `make sdk` from the repository root for both SDKs.
#
#   sdk/python/scripts/generate.sh [path/to/openapi.yaml]   (default: <repo>/openapi/openapi.yaml)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
spec="${1:-$here/../../openapi/openapi.yaml}"
python="${PYTHON:-python3}"
if [ -x "$here/../../.venv/bin/python" ]; then python="$here/../../.venv/bin/python"; fi
exec "$python" "$here/../generate.py" --only python --spec "$spec"
