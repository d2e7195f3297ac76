# Sourced by .ci/run: Azurite (Azure Blob emulator, npm package `azurite`) on 127.0.0.1 for the Azure artifact tests.
# Installed with npm into a temporary folder, started on a free port, stopped through at_exit; exports
# REGTUI_TEST_AZURITE_CONNECTION (the connection string of Azurite's well-known development account).
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "node and npm are needed for Azurite (the Azure tests fail under CI without it)" >&2
  return 0
fi
AZURITE_DIR="$(mktemp -d)"
at_exit "rm -rf $AZURITE_DIR"
if ! npm install --prefix "$AZURITE_DIR" --no-audit --no-fund --silent azurite@3 >"$AZURITE_DIR/npm.log" 2>&1; then
  echo "npm install azurite failed; log tail:" >&2
  tail -n 20 "$AZURITE_DIR/npm.log" >&2
  return 0
fi
AZURITE_PORT="$(free_port)"
"$AZURITE_DIR/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$AZURITE_PORT" \
  --location "$AZURITE_DIR/data" --skipApiVersionCheck --loose --disableTelemetry >"$AZURITE_DIR/azurite.log" 2>&1 &
AZURITE_PID=$!
at_exit "kill $AZURITE_PID"
wait_for_port "$AZURITE_PORT" Azurite "$AZURITE_DIR/azurite.log"
# Azurite's fixed, publicly documented development account (no real credential)
AZURITE_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE_BLOBS="http://127.0.0.1:$AZURITE_PORT/devstoreaccount1"
AZURITE_ACCOUNT="AccountName=devstoreaccount1;AccountKey=$AZURITE_KEY"
export REGTUI_TEST_AZURITE_CONNECTION="DefaultEndpointsProtocol=http;$AZURITE_ACCOUNT;BlobEndpoint=$AZURITE_BLOBS;"
echo "Azurite blob endpoint: http://127.0.0.1:$AZURITE_PORT/devstoreaccount1"
