# MLflow tracking server for the import-mlflow tests (tests/mlflow): installed in its own virtualenv (it must not
# share regtui's dependency pins), SQLite backend, a local artifact root served through the artifact proxy
# (--serve-artifacts), on 127.0.0.1, seeded through MLflow's own client by .ci/servers/mlflow_seed.py.
# Exports REGTUI_TEST_MLFLOW_URL (and REGTUI_TEST_MLFLOW_PYTHON, the MLflow virtualenv's python).
# Sourced by .ci/run, which provides at_exit. By hand: `source .ci/servers/mlflow.sh` in a bash shell, then
# `mlflow_stop` when done; REGTUI_MLFLOW_VENV names an existing MLflow virtualenv to reuse instead of installing.

MLFLOW_DIR="$(mktemp -d)"
MLFLOW_VENV="${REGTUI_MLFLOW_VENV:-$MLFLOW_DIR/venv}"
MLFLOW_PID=""

# Stop a process and every process below it, children first (the server runs its workers as children).
mlflow_kill_tree() {
  local child
  for child in $(pgrep -P "$1" || true); do
    mlflow_kill_tree "$child"
  done
  kill "$1" 2>/dev/null || true
}

# Stop the server and remove its data.
mlflow_stop() {
  if [ -n "$MLFLOW_PID" ]; then
    mlflow_kill_tree "$MLFLOW_PID"
    wait "$MLFLOW_PID" 2>/dev/null || true
  fi
  rm -rf "$MLFLOW_DIR"
}

if declare -F at_exit >/dev/null; then
  at_exit mlflow_stop
fi

if [ ! -x "$MLFLOW_VENV/bin/mlflow" ]; then
  python3 -m venv "$MLFLOW_VENV"
  "$MLFLOW_VENV/bin/python" -m pip install -q mlflow
fi
MLFLOW_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false: no background job runner (eight worker processes the tests never use).
MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false "$MLFLOW_VENV/bin/mlflow" server --host 127.0.0.1 --port "$MLFLOW_PORT" --workers 1 \
  --backend-store-uri "sqlite:///$MLFLOW_DIR/mlflow.db" --artifacts-destination "$MLFLOW_DIR/artifacts" \
  --serve-artifacts >"$MLFLOW_DIR/server.log" 2>&1 &
MLFLOW_PID=$!
for _ in $(seq 1 120); do
  python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
    "http://127.0.0.1:$MLFLOW_PORT/health" 2>/dev/null && break
  kill -0 "$MLFLOW_PID" 2>/dev/null || break
  sleep 1
done
if ! python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
  "http://127.0.0.1:$MLFLOW_PORT/health" 2>/dev/null; then
  echo "MLflow server did not start; log tail:" >&2
  tail -n 40 "$MLFLOW_DIR/server.log" >&2 || true
  return 1 2>/dev/null || exit 1
fi
"$MLFLOW_VENV/bin/python" "$(dirname "${BASH_SOURCE[0]}")/mlflow_seed.py" \
  "http://127.0.0.1:$MLFLOW_PORT" >"$MLFLOW_DIR/seed.log" 2>&1 || {
  echo "seeding MLflow failed:" >&2
  tail -n 40 "$MLFLOW_DIR/seed.log" >&2
  return 1 2>/dev/null || exit 1
}
export REGTUI_TEST_MLFLOW_URL="http://127.0.0.1:$MLFLOW_PORT"
export REGTUI_TEST_MLFLOW_PYTHON="$MLFLOW_VENV/bin/python"
echo "MLflow $("$MLFLOW_VENV/bin/mlflow" --version 2>/dev/null | awk '{print $NF}'): REGTUI_TEST_MLFLOW_URL=$REGTUI_TEST_MLFLOW_URL"
