#include "server/metrics_text.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

ServerSnapshot sample() {
  ServerSnapshot s;
  s.queue.all = {5, 2, 10, 3};
  s.queue.by_host["img.test:80"] = {5, 2, 10, 3};
  s.queue.dead_by_reason["http_404"] = 3;
  s.oldest_ready_age_seconds = 1.5;
  HostGateState g;
  g.cap = 20;
  g.effective_cap = 10;
  g.in_flight = 7;
  g.open_connections = 8;
  g.max_in_flight = 20;
  g.max_open_connections = 20;
  g.circuit = CircuitState::half_open;
  g.circuits_opened = 1;
  s.gate["img.test:80"] = g;
  HostRunCounters& h = s.run.hosts["img.test:80"];
  h.outcomes = {{"ok", 10}, {"http_404", 3}};
  h.duration.observe(0.003);
  h.duration.observe(0.2);
  h.duration.observe(500);  // beyond the last bound: only in +Inf
  h.bytes_fetched = 4096;
  h.bytes_stored = 2048;
  s.run.retries["timeout"] = 4;
  s.run.dead["http_404"] = 3;
  return s;
}

TEST(MetricsTextTest, RendersEveryFamily) {
  std::string text = render_metrics(sample());
  EXPECT_TRUE(has_line(text, "# TYPE sluice_jobs gauge"));
  EXPECT_TRUE(has_line(text, "sluice_jobs{state=\"queued\"} 5"));
  EXPECT_TRUE(has_line(text, "sluice_jobs{state=\"dead\"} 3"));
  EXPECT_TRUE(has_line(text, "sluice_host_jobs{host=\"img.test:80\",state=\"done\"} 10"));
  EXPECT_TRUE(has_line(text, "sluice_dead_letters{reason=\"http_404\"} 3"));
  EXPECT_TRUE(has_line(text, "sluice_oldest_ready_job_age_seconds 1.5"));
  EXPECT_TRUE(has_line(text, "# TYPE sluice_fetches_total counter"));
  EXPECT_TRUE(has_line(text, "sluice_fetches_total{host=\"img.test:80\",outcome=\"ok\"} 10"));
  EXPECT_TRUE(has_line(text, "sluice_retries_total{reason=\"timeout\"} 4"));
  EXPECT_TRUE(has_line(text, "sluice_in_flight_requests{host=\"img.test:80\"} 7"));
  EXPECT_TRUE(has_line(text, "sluice_in_flight_requests_max{host=\"img.test:80\"} 20"));
  EXPECT_TRUE(has_line(text, "sluice_open_connections{host=\"img.test:80\"} 8"));
  EXPECT_TRUE(has_line(text, "sluice_connection_cap{host=\"img.test:80\"} 20"));
  EXPECT_TRUE(has_line(text, "sluice_effective_connection_cap{host=\"img.test:80\"} 10"));
  EXPECT_TRUE(has_line(text, "sluice_circuit_state{host=\"img.test:80\",state=\"half_open\"} 1"));
  EXPECT_TRUE(has_line(text, "sluice_circuit_state{host=\"img.test:80\",state=\"closed\"} 0"));
  EXPECT_TRUE(has_line(text, "sluice_stored_bytes_total{host=\"img.test:80\"} 2048"));
  EXPECT_TRUE(has_line(text, "sluice_stopping 0"));
}

TEST(MetricsTextTest, HistogramIsCumulativeWithInf) {
  std::string text = render_metrics(sample());
  const std::string b = "sluice_fetch_duration_seconds_bucket{host=\"img.test:80\",le=";
  EXPECT_TRUE(has_line(text, b + "\"0.005\"} 1"));
  EXPECT_TRUE(has_line(text, b + "\"0.1\"} 1"));
  EXPECT_TRUE(has_line(text, b + "\"0.25\"} 2"));
  EXPECT_TRUE(has_line(text, b + "\"120\"} 2"));
  EXPECT_TRUE(has_line(text, b + "\"+Inf\"} 3"));
  EXPECT_TRUE(has_line(text, "sluice_fetch_duration_seconds_count{host=\"img.test:80\"} 3"));
  EXPECT_TRUE(has_line(text, "sluice_fetch_duration_seconds_sum{host=\"img.test:80\"} 500.203"));
}

TEST(MetricsTextTest, EveryFamilyHasHelpAndTypeOnce) {
  std::string text = render_metrics(sample());
  size_t helps = 0, types = 0;
  for (size_t at = 0; (at = text.find("# HELP ", at)) != std::string::npos; ++at) ++helps;
  for (size_t at = 0; (at = text.find("# TYPE ", at)) != std::string::npos; ++at) ++types;
  EXPECT_EQ(helps, types);
  EXPECT_GE(types, 20u);
  EXPECT_EQ(text.back(), '\n');
}

TEST(MetricsTextTest, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  ServerSnapshot s;
  s.queue.by_host["we\"ird\n:80"] = {1, 0, 0, 0};
  std::string text = render_metrics(s);
  EXPECT_TRUE(has_line(text, "sluice_host_jobs{host=\"we\\\"ird\\n:80\",state=\"queued\"} 1"));
}

TEST(MetricsTextTest, NothingReadyIsZeroAge) {
  ServerSnapshot s;
  s.stopping = true;
  std::string text = render_metrics(s);
  EXPECT_TRUE(has_line(text, "sluice_oldest_ready_job_age_seconds 0"));
  EXPECT_TRUE(has_line(text, "sluice_stopping 1"));
}

}  // namespace
}  // namespace sluice
