-- wrk script: POSTs the body in $BODY as JSON, as user admin (basic auth).
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "basic YWRtaW46"
