-- wrk script for bench:serve: every request asks for one of the paths in the file named by W3G_PATHS (one a
-- line), picked at random, with the bearer token in W3G_TOKEN; at the end one JSON line with the figures the
-- benchmark reports (latencies in ms).
local paths = {}
for line in io.lines(os.getenv("W3G_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local headers = { ["authorization"] = "Bearer " .. os.getenv("W3G_TOKEN") }

request = function()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
