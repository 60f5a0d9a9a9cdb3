-- wrk script: PUT lock requests with a control token (MEETING_CONTROL_TOKEN).
wrk.method = "PUT"
wrk.path = "/v1/mmc/control/conferences/lock?conferenceID=914083136"
wrk.body = '{"isLock": 1}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Conference-Authorization"] = os.getenv("MEETING_CONTROL_TOKEN")
