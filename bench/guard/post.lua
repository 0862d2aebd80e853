-- wrk script: POST a schema-valid order with the bearer token in $GUARD_TOKEN.
wrk.method = "POST"
wrk.body = '{"item":"ABC-1234","qty":2}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("GUARD_TOKEN")
