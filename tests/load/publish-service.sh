# Sourced by run.sh and memory.sh (from the repository root): publishes the service as deploy/Dockerfile
# ships it — ReadyToRun (precompiled, so start-up does not wait for the JIT) for this machine's
# architecture, framework-dependent — and builds the benchmarks that write the bodies. SKIP_BUILD=1
# reuses the last build. Sets service_dir. $1: the caller's name for error messages.
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "$1: no .NET runtime identifier for $(uname -m)" >&2; exit 2 ;;
esac
service_dir=src/CarTCds.Service/bin/Release/net10.0/$rid/publish
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  dotnet publish src/CarTCds.Service -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -p:UseAppHost=false \
    -o "$service_dir" -v quiet -nologo >/dev/null
  dotnet build tests/CarTCds.Benchmarks -c Release -v quiet -nologo >/dev/null
fi
