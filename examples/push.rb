# Pushes product image records to `sluice serve` and goes on: sluice downloads them
# asynchronously, under the provider's connection cap. Ruby's standard library only.
#
#   SLUICE_URL=http://127.0.0.1:8080 SLUICE_TOKEN=... ruby push.rb products.jsonl
#
# products.jsonl holds one record per line, e.g. {"gtin": "4006381333931",
# "image_url": "https://images.partner.example/4006381333931.jpg"}. Records go in batches
# of 1,000 as JSON lines; sluice takes a batch whole or not at all (400 lists the bad
# lines), and posting the same record again is harmless (enqueue is idempotent).
require "json"
require "net/http"
require "uri"

base = URI(ENV.fetch("SLUICE_URL", "http://127.0.0.1:8080"))
token = ENV["SLUICE_TOKEN"]
jobs = URI.join(base, "/api/jobs?url_field=image_url&id_field=gtin")

Net::HTTP.start(jobs.host, jobs.port, use_ssl: jobs.scheme == "https") do |http|
  ARGF.each_line.each_slice(1000).with_index do |lines, batch|
    request = Net::HTTP::Post.new(jobs, "Content-Type" => "application/x-ndjson")
    request["Authorization"] = "Bearer #{token}" if token
    request.body = lines.join
    response = http.request(request)
    answer = JSON.parse(response.body)
    unless response.is_a?(Net::HTTPSuccess)
      warn "batch #{batch + 1}: #{response.code} #{answer.dig("error", "code")}: " \
           "#{answer.dig("error", "message")}"
      (answer["problems"] || []).each do |p|
        warn "  line #{batch * 1000 + p["line"]}: #{p["reason"]}"
      end
      exit 1
    end
    puts "batch #{batch + 1}: #{answer["accepted"]} accepted (#{answer["inserted"]} new, " \
         "#{answer["unchanged"]} unchanged, #{answer["requeued"]} re-queued)"
  end
end

# How far along is it? GET /api/status.
status = Net::HTTP.get_response(URI.join(base, "/api/status"),
                                token ? { "Authorization" => "Bearer #{token}" } : {})
jobs_now = JSON.parse(status.body)["jobs"]
puts "queue: #{jobs_now["queued"]} queued, #{jobs_now["done"]} done, #{jobs_now["dead"]} dead"
