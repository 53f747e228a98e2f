-- wrk script for bench/hall_load.py: POST /api/tickets over a mix of business types;
-- prints one JSON line of figures. env: BENCH_TOKEN (the device token)
local types = {"pay_bill", "bill_inquiry", "invoice", "new_connection_residential", "name_transfer",
               "tariff_change", "meter_issue", "outage_inquiry", "general_inquiry", "ev_charger"}
local threads = {}
sent, created = 0, 0  -- globals: done() reads them from each thread

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end

function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, '{"business_type": "' .. types[sent % #types + 1] .. '"}')
end

function response(status, headers, body)
  if status == 201 then created = created + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("created") end
  local e = summary.errors
  io.write(string.format('{"created": %d, "requests": %d, "duration_s": %.3f, "errors": %d, ' ..
    '"p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f}\n',
    total, summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
