// Runs read_jobs over a string and keeps what it produced.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "input/read_jobs.h"

namespace sluice::testing {

struct ReadOutcome {
  Status status;
  std::vector<JobInput> jobs;
  std::vector<InputProblem> problems;

  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    for (const auto& j : jobs) out.push_back(j.id);
    return out;
  }
  std::vector<size_t> problem_lines() const {
    std::vector<size_t> out;
    for (const auto& p : problems) out.push_back(p.line);
    return out;
  }
};

inline ReadOutcome read(const std::string& text, InputOptions options = {},
                        const std::string& source = "in") {
  std::istringstream in(text);
  ReadOutcome out;
  out.status = read_jobs(
      in, source, options, [&](JobInput&& j) { out.jobs.push_back(std::move(j)); },
      [&](const InputProblem& p) { out.problems.push_back(p); });
  return out;
}

inline InputOptions with(InputOptions::Format format, std::string url_field = "url",
                         std::string id_field = "") {
  InputOptions o;
  o.format = format;
  o.url_field = std::move(url_field);
  o.id_field = std::move(id_field);
  return o;
}

}  // namespace sluice::testing
