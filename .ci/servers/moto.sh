# Sourced by .ci/run: moto's standalone S3 server on 127.0.0.1 for the object-store tests (REGTUI_TEST_S3_ENDPOINT).
# moto[server] is in the test extra, so it runs from the CI virtualenv; its stop is registered with at_exit.
MOTO_PORT="$(free_port)"
MOTO_LOG="$(mktemp)"
"$VENV_DIR/bin/python" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!
at_exit "kill $MOTO_PID; rm -f $MOTO_LOG"
wait_for_port "$MOTO_PORT" "moto server" "$MOTO_LOG"
export REGTUI_TEST_S3_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
echo "REGTUI_TEST_S3_ENDPOINT=$REGTUI_TEST_S3_ENDPOINT"
