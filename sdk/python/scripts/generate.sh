#!/usr/bin/env bash
# Regenerate src/openbank/_generated from the platform's OpenAPI description with
# openapi-python-client (pinned in the `codegen`/`dev` extras of pyproject.toml).
#
#   sdk/python/scripts/generate.sh [path/to/openapi.yaml]   (default: <repo>/openapi/openapi.yaml)
#
# The generated package is bound to the runtime's httpx.Client by OpenBank.generated.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
spec="${1:-$here/../../openapi/openapi.yaml}"
bin="$(dirname "$(command -v python)")"
if [ -x "$here/.venv/bin/openapi-python-client" ]; then bin="$here/.venv/bin"; fi
export PATH="$bin:$PATH"  # the generator's post-hooks run `ruff`
exec openapi-python-client generate \
  --path "$spec" \
  --meta none \
  --output-path "$here/src/openbank/_generated" \
  --overwrite
