# Sourced by .ci/run: moto's standalone S3 server on 127.0.0.1 for the object-store tests (REGTUI_TEST_S3_ENDPOINT).
# moto[server] is in the test extra, so it runs from the CI virtualenv; its stop is registered with at_exit.
MOTO_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
MOTO_LOG="$(mktemp)"
"$VENV_DIR/bin/python" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!
at_exit "kill $MOTO_PID; rm -f $MOTO_LOG"
for _ in $(seq 1 60); do
  (exec 3<>"/dev/tcp/127.0.0.1/$MOTO_PORT") 2>/dev/null && break
  sleep 0.5
done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$MOTO_PORT") 2>/dev/null; then
  echo "moto server did not start; log tail:" >&2
  tail -n 20 "$MOTO_LOG" >&2
  exit 1
fi
export REGTUI_TEST_S3_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
echo "REGTUI_TEST_S3_ENDPOINT=$REGTUI_TEST_S3_ENDPOINT"
