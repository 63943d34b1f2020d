#!/usr/bin/env bash
# Installs the cfn-lint pinned in build-tools/requirements-cfn-lint.txt into its own
# virtual environment, .tmp/cfn-lint, unless that exact version is there already, and
# prints its version. Tasks run .tmp/cfn-lint/bin/cfn-lint, never whichever cfn-lint
# the machine has.
#
#   bash build-tools/ensure-cfn-lint.sh            # the pinned version
#   bash build-tools/ensure-cfn-lint.sh --upgrade  # the newest release; rewrites the pin
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=build-tools/requirements-cfn-lint.txt
venv=.tmp/cfn-lint
pinned=$(sed -n 's/^cfn-lint==\([0-9.]*\)$/\1/p' "$requirements")
if [[ -z "$pinned" ]]; then
  echo "ensure-cfn-lint: no 'cfn-lint==X.Y.Z' line in $requirements" >&2
  exit 1
fi

installed() { "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("cfn-lint"))' 2>/dev/null || true; }

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
if [[ "${1:-}" == "--upgrade" ]]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade cfn-lint
  newest=$(installed)
  sed -i "s/^cfn-lint==.*/cfn-lint==${newest}/" "$requirements"
  echo "cfn-lint pin: ${pinned} -> ${newest} ($requirements)"
elif [[ "$(installed)" != "$pinned" ]]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
fi
"$venv/bin/cfn-lint" --version
