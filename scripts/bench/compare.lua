-- wrk script for scripts/bench/compare.sh: the same requests for Rondone and Gnocchi,
-- as user admin (basic auth). MODE picks the workload:
--
--   batch   POST /v1/batch/metrics/measures, BATCH_METRICS metrics × POINTS measures
--   single  POST /v1/metric/<id>/measures, POINTS measures
--   read    GET  /v1/metric/<id>/measures?granularity=60&start=READ_START&stop=READ_STOP
--   aggregates  POST /v1/aggregates?… with the operations in the file AGGREGATES_BODY
--
-- Metric ids come from the file IDS (one per line), taken in turn. Every measure a run
-- posts has its own time stamp: request r (numbered across threads: counter × THREADS +
-- thread) fills slots r × BATCH_METRICS … of the ids in turn, and slot s of metric
-- s mod n gets the time stamps START + ⌊s / n⌋ × POINTS + 0 … POINTS − 1 (seconds), so
-- each metric receives distinct, increasing time stamps however the threads interleave.
-- done() prints one line `WRK requests=… duration_us=… status_errors=… …` for the script.

local mode = os.getenv("MODE") or "batch"
local threads = tonumber(os.getenv("THREADS") or "2")
local batch_metrics = tonumber(os.getenv("BATCH_METRICS") or "10")
local points = tonumber(os.getenv("POINTS") or "100")
local start = tonumber(os.getenv("START") or "1767225600")

local ids = {}
for line in io.lines(os.getenv("IDS")) do
   if #line > 0 then ids[#ids + 1] = line end
end
local n = #ids

local headers = {
   ["Authorization"] = "basic YWRtaW46",
   ["Content-Type"] = "application/json",
}

local next_thread = 0
function setup(thread)
   thread:set("thread_index", next_thread)
   next_thread = next_thread + 1
end

local counter = 0
local aggregates_body, read_query

function init(args)
   thread_index = tonumber(thread_index or 0)
   if mode == "aggregates" then
      local file = assert(io.open(os.getenv("AGGREGATES_BODY"), "rb"))
      aggregates_body = file:read("*a")
      file:close()
   end
   if mode == "read" or mode == "aggregates" then
      read_query = "?granularity=60&start=" .. os.getenv("READ_START") .. "&stop=" .. os.getenv("READ_STOP")
   end
end

-- The measures of one slot: a JSON array of POINTS objects.
local function measures(slot)
   local base = start + math.floor(slot / n) * points
   local parts = {}
   for i = 0, points - 1 do
      local v = (slot * 7 + i * 13) % 10000
      parts[i + 1] = string.format('{"timestamp":%d,"value":%d.%02d}', base + i, math.floor(v / 100), v % 100)
   end
   return "[" .. table.concat(parts, ",") .. "]"
end

function request()
   local r = counter * threads + thread_index
   counter = counter + 1
   if mode == "batch" then
      local parts = {}
      for j = 0, batch_metrics - 1 do
         local slot = r * batch_metrics + j
         parts[j + 1] = '"' .. ids[slot % n + 1] .. '":' .. measures(slot)
      end
      return wrk.format("POST", "/v1/batch/metrics/measures", headers, "{" .. table.concat(parts, ",") .. "}")
   elseif mode == "single" then
      return wrk.format("POST", "/v1/metric/" .. ids[r % n + 1] .. "/measures", headers, measures(r))
   elseif mode == "read" then
      return wrk.format("GET", "/v1/metric/" .. ids[r % n + 1] .. "/measures" .. read_query, headers)
   else
      return wrk.format("POST", "/v1/aggregates" .. read_query, headers, aggregates_body)
   end
end

function done(summary, latency, requests)
   io.write(string.format(
      "WRK requests=%d duration_us=%d status_errors=%d timeouts=%d connect_errors=%d read_errors=%d write_errors=%d latency_mean_us=%d latency_p99_us=%d\n",
      summary.requests, summary.duration, summary.errors.status, summary.errors.timeout,
      summary.errors.connect, summary.errors.read, summary.errors.write,
      latency.mean, latency:percentile(99)))
end
