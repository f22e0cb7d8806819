// JSONL: one JSON object per line, read by nlohmann::json's SAX parser without exceptions
// (the whole line is validated; only the URL and id fields are kept).
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

// One top-level field's value as the SAX parser saw it: what a record needs of its URL and
// id fields, without building the document (a DOM of every line was half of enqueue's
// parsing time). Nested values are checked for syntax and dropped.
struct FieldValue {
  enum class Kind { absent, string, integer, fraction, boolean, null, array, object };
  Kind kind = Kind::absent;
  std::string text;  // the string; an integer's digits; a fraction's text as written

  // "a string", "an array", "null", ... (as a_type says it of a DOM value)
  const char* a_type() const {
    switch (kind) {
      case Kind::string:
        return "a string";
      case Kind::integer:
      case Kind::fraction:
        return "a number";
      case Kind::boolean:
        return "a boolean";
      case Kind::null:
        return "null";
      case Kind::array:
        return "an array";
      case Kind::object:
        return "an object";
      case Kind::absent:
        break;
    }
    return "nothing";
  }
};

// Validates a whole line and keeps the values of two top-level fields (the same name twice
// is fine: the URL can be the id). As with the DOM, a repeated key's last value wins.
class FieldsSax final : public nlohmann::json_sax<json> {
 public:
  FieldsSax(const std::string& url_field, const std::string& id_field)
      : url_field_(url_field), id_field_(id_field) {}

  FieldValue url, id;
  FieldValue root;  // kind of the top-level value (object expected)

  bool null() override { return value(FieldValue::Kind::null, {}); }
  bool boolean(bool) override { return value(FieldValue::Kind::boolean, {}); }
  bool number_integer(number_integer_t v) override {
    return value(FieldValue::Kind::integer, std::to_string(v));
  }
  bool number_unsigned(number_unsigned_t v) override {
    return value(FieldValue::Kind::integer, std::to_string(v));
  }
  bool number_float(number_float_t, const string_t& text) override {
    return value(FieldValue::Kind::fraction, text);
  }
  bool string(string_t& v) override { return value(FieldValue::Kind::string, std::move(v)); }
  bool binary(binary_t&) override { return value(FieldValue::Kind::null, {}); }  // not in JSON
  bool start_object(std::size_t) override { return open(FieldValue::Kind::object); }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      to_url_ = k == url_field_;
      to_id_ = k == id_field_;
    }
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override { return open(FieldValue::Kind::array); }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool value(FieldValue::Kind kind, std::string text) {
    if (depth_ == 0) {
      root.kind = kind;
    } else if (depth_ == 1) {
      take(kind, std::move(text));
    }
    return true;
  }
  bool open(FieldValue::Kind kind) {
    value(kind, {});
    ++depth_;
    return true;
  }
  void take(FieldValue::Kind kind, std::string text) {
    if (to_url_ && to_id_) {
      url = FieldValue{kind, text};
      id = FieldValue{kind, std::move(text)};
    } else if (to_url_) {
      url = FieldValue{kind, std::move(text)};
    } else if (to_id_) {
      id = FieldValue{kind, std::move(text)};
    }
    to_url_ = to_id_ = false;
  }

  const std::string& url_field_;
  const std::string& id_field_;
  int depth_ = 0;
  bool to_url_ = false, to_id_ = false;
};

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
    FieldsSax sax(options_.url_field, id_field_);
    if (!json::sax_parse(line, &sax)) return problem(json_error(line));
    if (sax.root.kind != FieldValue::Kind::object) {
      return problem(std::string("expected a JSON object, found ") + sax.root.a_type());
    }
    const FieldValue& url = sax.url;
    if (url.kind == FieldValue::Kind::absent) {
      return problem("missing field " + in_quotes(options_.url_field));
    }
    if (url.kind != FieldValue::Kind::string) {
      return problem("field " + in_quotes(options_.url_field) + " is " + url.a_type() +
                     ", not a string");
    }
    if (url.text.empty()) return problem("empty URL in field " + in_quotes(options_.url_field));
    std::optional<std::string> id;
    if (id_named_ || sax.id.kind != FieldValue::Kind::absent) {
      auto r = id_text(sax.id);
      if (!r.ok()) return r.error();
      id = std::move(*r);
    }
    auto job = make_job(std::move(sax.url.text), std::move(id));
    if (!job.ok()) return job.error();
    return std::optional<JobInput>(std::move(*job));
  }

 private:
  // The id field as text: a string as is, an integer (a GTIN, say) as its digits.
  Result<std::string> id_text(FieldValue& v) const {
    const std::string& name = id_field_;
    if (v.kind == FieldValue::Kind::absent) return problem("missing field " + in_quotes(name));
    if (v.kind == FieldValue::Kind::fraction) {
      return problem("field " + in_quotes(name) + " is a number with a fraction or exponent (" +
                     printable(v.text, 40) + "), not an integer id; quote it as a string" +
                     default_hint());
    }
    if (v.kind != FieldValue::Kind::string && v.kind != FieldValue::Kind::integer) {
      return problem("field " + in_quotes(name) + " is " + v.a_type() +
                     ", not a string or an integer" + default_hint());
    }
    std::string id = std::move(v.text);
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
