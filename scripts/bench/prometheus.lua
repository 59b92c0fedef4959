-- wrk script: POSTs the remote write body in the file $PAYLOAD (snappy + protobuf), as
-- Prometheus does, as user admin (basic auth).
local file = assert(io.open(os.getenv("PAYLOAD"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/x-protobuf"
wrk.headers["Content-Encoding"] = "snappy"
wrk.headers["X-Prometheus-Remote-Write-Version"] = "0.1.0"
wrk.headers["Authorization"] = "basic YWRtaW46"
