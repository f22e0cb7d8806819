// JSONL: one JSON object per line, parsed by nlohmann::json without exceptions.
#include <cstring>
#include <nlohmann/json.hpp>

#include "input/line_reader.h"
#include "input/record_parser.h"
#include "util/text.h"

namespace sluice {
namespace {

using nlohmann::json;

// A SAX handler that builds nothing and keeps the parser's error message: how a bad
// line's reason is found without exceptions.
class ErrorOnlySax final : public nlohmann::json_sax<json> {
 public:
  std::string message;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    message = ex.what();
    return false;
  }
};

// "[json.exception.parse_error.101] parse error at line 1, column 5: x" -> "column 5: x"
std::string json_error(std::string_view line) {
  ErrorOnlySax sax;
  json::sax_parse(line, &sax);
  std::string m = sax.message.empty() ? "not valid JSON" : sax.message;
  for (const char* prefix : {"at line 1, ", "] "}) {
    size_t at = m.find(prefix);
    if (at != std::string::npos) {
      m.erase(0, at + std::strlen(prefix));
      break;
    }
  }
  return "invalid JSON: " + printable(m);  // its "last read" token can be long
}

Error problem(std::string reason) { return make_error(Reason::bad_input, std::move(reason)); }

// A field name from a flag, in a message.
std::string in_quotes(const std::string& field) { return "\"" + printable(field, 64) + "\""; }

// "a string", "an array", "null", ...
std::string a_type(const json& v) {
  if (v.is_null()) return "null";
  std::string name = v.type_name();
  return (name == "array" || name == "object" ? "an " : "a ") + name;
}

class JsonlParser final : public LineRecordParser {
 public:
  JsonlParser(const InputOptions& options, const RecordSink& sink)
      : LineRecordParser(sink),
        options_(options),
        id_field_(options.id_field.empty() ? InputOptions::kDefaultIdField : options.id_field),
        id_named_(!options.id_field.empty()) {}

 protected:
  Result<std::optional<JobInput>> parse(std::string_view line) override {
    if (is_blank(line)) return std::optional<JobInput>();
    json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return problem(json_error(line));
    if (!doc.is_object()) {
      return problem("expected a JSON object, found " + a_type(doc));
    }
    auto url = doc.find(options_.url_field);
    if (url == doc.end()) return problem("missing field " + in_quotes(options_.url_field));
    if (!url->is_string()) {
      return problem("field " + in_quotes(options_.url_field) + " is " + a_type(*url) +
                     ", not a string");
    }
    if (url->get_ref<const std::string&>().empty()) {
      return problem("empty URL in field " + in_quotes(options_.url_field));
    }
    std::optional<std::string> id;
    if (id_named_ || doc.contains(id_field_)) {
      auto r = id_text(doc);
      if (!r.ok()) return r.error();
      id = std::move(*r);
    }
    auto job = make_job(url->get<std::string>(), std::move(id));
    if (!job.ok()) return job.error();
    return std::optional<JobInput>(std::move(*job));
  }

 private:
  // The id field as text: a string as is, an integer (a GTIN, say) as its digits.
  Result<std::string> id_text(const json& doc) const {
    const std::string& name = id_field_;
    auto it = doc.find(name);
    if (it == doc.end()) return problem("missing field " + in_quotes(name));
    std::string id;
    if (it->is_string()) {
      id = it->get<std::string>();
    } else if (it->is_number_integer()) {
      id = it->dump();
    } else if (it->is_number_float()) {
      return problem("field " + in_quotes(name) + " is a number with a fraction or exponent (" +
                     printable(it->dump(), 40) + "), not an integer id; quote it as a string" +
                     default_hint());
    } else {
      return problem("field " + in_quotes(name) + " is " + a_type(*it) +
                     ", not a string or an integer" + default_hint());
    }
    if (id.empty()) return problem("empty id in field " + in_quotes(name) + default_hint());
    return id;
  }

  // Said when the id came from the default field, which the user may not know about.
  std::string default_hint() const {
    if (id_named_) return "";
    return " (ids come from a record's \"" + std::string(InputOptions::kDefaultIdField) +
           "\" field when it has one; --id-field names another field, or the URL's field to "
           "key jobs by URL)";
  }

  InputOptions options_;
  std::string id_field_;
  bool id_named_;
};

}  // namespace

std::unique_ptr<RecordParser> make_jsonl_parser(const InputOptions& options,
                                                const RecordSink& sink) {
  return std::make_unique<JsonlParser>(options, sink);
}

}  // namespace sluice
