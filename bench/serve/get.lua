-- wrk script: GET /api/incidents with a zone and a time filter, token from HUDNA_TOKEN.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HUDNA_TOKEN")
local paths = {
  "/api/incidents?agreement=astana-2017&zone=idlib&since=2018-01-01&until=2018-03-31&limit=50",
  "/api/incidents?agreement=astana-2017&zone=eastern_ghouta&since=2017-09-01&until=2017-12-31&limit=50",
  "/api/incidents?agreement=astana-2017&zone=south&since=2018-02-01&until=2018-06-30&limit=50",
  "/api/incidents?agreement=astana-2017&zone=northern_homs&since=2017-07-01&until=2018-05-31&violations=1&limit=50",
}
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, paths[(n % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"non_2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
