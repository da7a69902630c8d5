-- wrk script: POST the hook request body named by $LOAD_BODY as application/json (tests/load/run.sh).
local f = assert(io.open(os.getenv("LOAD_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

