-- wrk script: POST /api/reports, every body distinct (no duplicates), token from HUDNA_TOKEN.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HUDNA_TOKEN")
wrk.headers["Content-Type"] = "application/json"
local towns = {"كفرنبل", "معرة النعمان", "سراقب", "خان شيخون", "أريحا", "جسر الشغور", "اللطامنة", "كفرزيتا", "دوما", "حرستا", "الرستن", "تلبيسة", "نوى", "طفس"}
local months = {"كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول"}
local counter = 0
tid = 0
setup = function(thread)
  thread:set("tid", tid)
  tid = tid + 1
end
request = function()
  counter = counter + 1
  local town = towns[(counter % #towns) + 1]
  local month = months[(math.floor(counter / #towns) % #months) + 1]
  local day = (math.floor(counter / (#towns * #months)) % 27) + 1
  local body = string.format(
    '{"text":"قصفت قوات النظام بالمدفعية بلدة %s يوم %d %s 2018، ما أدى إلى مقتل %d مدنيين. (تقرير رقم %s-%d)","source":"bench-%d","published":"2018-12-31"}',
    town, day, month, (counter % 5) + 1, tostring(tid), counter, counter % 3)
  return wrk.format(nil, "/api/reports", nil, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"non_2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
