#!/usr/bin/env bash
# Builds the Python, Java and Go bindings with jsii-pacmak from the current source and
# runs the consumer app of each language (test/consumers/<language>) against them.
#
#   bash build-tools/consumers.sh [python|java|go ...]    (default: all three)
#
# A failure names the language and the step. Each step prints its duration.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TMP="$ROOT/.tmp"
mkdir -p "$TMP"

run() {
  local language="$1" step="$2"; shift 2
  local start=$SECONDS
  echo "--- ${language}: ${step}"
  if ! "$@"; then
    echo "CONSUMER FAILED: ${language}, step '${step}' (after $((SECONDS - start)) s)" >&2
    exit 1
  fi
  echo "--- ${language}: ${step}: ok ($((SECONDS - start)) s)"
}

python_install() {
  rm -rf "$TMP/venv-python"
  python3 -m venv "$TMP/venv-python" &&
    "$TMP/venv-python/bin/pip" install --quiet --disable-pip-version-check \
      -r test/consumers/python/requirements.txt dist/python/cdk_cross_region_failover-*.whl
}
python_test() {
  (cd test/consumers/python && "$TMP/venv-python/bin/python" -m pytest -p no:cacheprovider -v)
}

java_install() {
  # Maven keeps a release version it has seen in the local repository; drop it so the
  # jar just built is the one resolved.
  rm -rf "${HOME}/.m2/repository/io/github/cdkcrossregionfailover"
  (cd test/consumers/java && mvn -B -q dependency:resolve dependency:resolve-plugins)
}
java_test() {
  (cd test/consumers/java && mvn -B test)
}

go_install() {
  (cd test/consumers/go && go mod download && go mod verify)
}
go_test() {
  (cd test/consumers/go && go vet ./... && go test -count=1 -v ./...)
}

languages=("$@")
[ ${#languages[@]} -gt 0 ] || languages=(python java go)
for language in "${languages[@]}"; do
  case "$language" in
    python | java | go) ;;
    *) echo "unknown language '$language': use python, java or go" >&2; exit 2 ;;
  esac
  total=$SECONDS
  run "$language" "build the binding (jsii-pacmak --target $language)" npx projen "package:$language"
  run "$language" "install the binding and aws-cdk-lib" "${language}_install"
  run "$language" "synthesize and assert (test/consumers/$language)" "${language}_test"
  echo "=== consumer ${language}: passed in $((SECONDS - total)) s"
done
