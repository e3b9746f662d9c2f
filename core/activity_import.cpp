// activity_import: line splitting, keys, time order, user resolution and chunking of an import.
#include "core/activity_import.hpp"

#include <algorithm>
#include <map>
#include <openssl/sha.h>
#include <unordered_map>

#include "core/activity.hpp"
#include "core/json_writer.hpp"
#include "core/password_hash.hpp"
#include "core/timestamp.hpp"

namespace foresight {

namespace {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

/// Appends a length-prefixed field, so that no two different lines give the same bytes.
void put_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out.push_back(':');
  out.append(field.data(), field.size());
}

bool visible_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e)
      return false;
  return !s.empty();
}

} // namespace

void import_report::reject(std::int64_t line, std::string code, std::string message,
                           std::string field) {
  ++rejected;
  errors.push_back({line, std::move(code), std::move(message), std::move(field)});
}

void import_report::finish() {
  std::stable_sort(errors.begin(), errors.end(),
                   [](const import_line_error& a, const import_line_error& b) {
                     return a.line < b.line;
                   });
  if (errors.size() > max_import_errors)
    errors.resize(max_import_errors);
}

std::string import_report_json(const import_report& r) {
  json_writer w;
  w.begin_object()
    .key("imported").value(r.imported)
    .key("duplicates").value(r.duplicates)
    .key("rejected").value(r.rejected)
    .key("lines").value(r.lines)
    .key("errors").begin_array();
  for (auto& e : r.errors) {
    w.begin_object().key("line").value(e.line).key("error").begin_object();
    w.key("code").value(e.code).key("message").value(e.message);
    if (!e.field.empty())
      w.key("field").value(e.field);
    w.end_object().end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string import_key(const activity_row& row, const import_line_extras& extras) {
  if (!extras.key.empty())
    return "import:" + extras.key;
  if (!extras.id.empty()) {
    if (extras.id.size() <= 90 && visible_ascii(extras.id))
      return "import:id:" + extras.id;
    return "import:id#" + sha256_hex(extras.id);
  }
  std::string canonical;
  put_field(canonical, row.user_id);
  put_field(canonical, row.activity_type);
  put_field(canonical, row.created_at);
  put_field(canonical, row.has_query_text ? "t" + row.query_text : std::string("-"));
  put_field(canonical, row.has_suggestion_clicked ? "t" + row.suggestion_clicked
                                                  : std::string("-"));
  put_field(canonical, std::to_string(row.feedback_rating));
  return "import:h:" + sha256_hex(canonical);
}

std::vector<import_line> parse_import(std::string_view body, std::size_t max_text_bytes,
                                      import_report& report) {
  std::vector<import_line> out;
  std::int64_t number = 0;
  for (std::size_t pos = 0; pos < body.size();) {
    auto end = body.find('\n', pos);
    if (end == std::string_view::npos)
      end = body.size();
    auto text = body.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!text.empty() && text.back() == '\r')
      text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos)
      continue; // blank
    ++report.lines;
    import_line l;
    l.line = number;
    auto err = parse_import_line(text, max_text_bytes, l.row, l.extras);
    if (err) {
      bool malformed = err.code == error_code::bad_request || err.field.empty();
      report.reject(number, malformed ? "malformed" : "invalid",
                    malformed ? "not a JSON object: " + err.message : err.message,
                    err.field);
      continue;
    }
    parse_iso8601_ms(l.row.created_at, l.at_ms); // normalised by the parser: cannot fail
    l.row.idempotency_key = import_key(l.row, l.extras);
    out.push_back(std::move(l));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const import_line& a, const import_line& b) { return a.at_ms < b.at_ms; });
  return out;
}

import_run::import_run(std::vector<import_line> lines, import_report report)
  : lines_(std::move(lines)),
    rates_(lines_.size(), -1),
    ids_(lines_.size(), 0),
    skip_(lines_.size(), false),
    report_(std::move(report)) {
  // nop
}

void import_run::resolve_users(const find_user_fn& find) {
  std::unordered_map<std::string, std::pair<bool, user_profile>> users;
  // Query lines by (user, source id), and each user's latest query so far, in time order.
  std::map<std::pair<std::string, std::string>, std::size_t> query_by_source;
  std::unordered_map<std::string, std::size_t> latest_query;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    auto& l = lines_[i];
    auto [it, fresh] = users.try_emplace(l.row.user_id);
    if (fresh)
      it->second.first = find(l.row.user_id, it->second.second);
    if (!it->second.first) {
      skip_[i] = true;
      report_.reject(l.line, "unknown_user", "no user '" + l.row.user_id + "'", "user_id");
      continue;
    }
    auto profile = it->second.second; // a copy: the line may bring its own role
    if (!l.extras.metadata_role.empty())
      profile.role = l.extras.metadata_role;
    l.row.role = profile.role;
    l.row.metadata_json = enrich_metadata(l.row.metadata_json, profile);
    if (l.row.activity_type == "feedback") {
      if (!l.extras.rated_source_id.empty()) {
        auto q = query_by_source.find({l.row.user_id, l.extras.rated_source_id});
        if (q != query_by_source.end())
          rates_[i] = static_cast<std::int64_t>(q->second);
      } else if (auto q = latest_query.find(l.row.user_id); q != latest_query.end()) {
        rates_[i] = static_cast<std::int64_t>(q->second);
      }
    } else if (l.row.activity_type == "query") {
      latest_query[l.row.user_id] = i;
      if (!l.extras.id.empty())
        query_by_source.emplace(std::make_pair(l.row.user_id, l.extras.id), i);
    }
  }
}

activity_batch import_run::next_chunk(std::size_t max_rows) {
  activity_batch batch;
  chunk_.clear();
  max_rows = std::max<std::size_t>(max_rows, 1);
  while (next_ < lines_.size() && chunk_.size() < max_rows) {
    auto i = next_;
    if (skip_[i]) {
      ++next_;
      continue;
    }
    auto rated = rates_[i];
    if (rated >= 0) {
      auto j = static_cast<std::size_t>(rated);
      if (std::find(chunk_.begin(), chunk_.end(), j) != chunk_.end())
        break; // its query's id is known once this chunk is stored
      if (ids_[j] > 0) {
        auto& row = lines_[i].row;
        row.rated_activity_id = ids_[j];
        row.metadata_json = with_member(row.metadata_json, "activity_id", ids_[j]);
      }
    }
    chunk_.push_back(i);
    batch.rows.push_back(lines_[i].row);
    ++next_;
  }
  return batch;
}

void import_run::stored(const std::vector<logged_activity>& receipts) {
  for (std::size_t k = 0; k < chunk_.size(); ++k) {
    auto i = chunk_[k];
    if (k >= receipts.size()) {
      report_.reject(lines_[i].line, "not_stored", "the database gave no receipt for this line");
      continue;
    }
    if (!receipts[k].not_stored.empty()) {
      report_.reject(lines_[i].line, "not_stored", receipts[k].not_stored);
      continue;
    }
    ids_[i] = receipts[k].id;
    if (receipts[k].replayed)
      ++report_.duplicates;
    else
      ++report_.imported;
  }
  chunk_.clear();
}

void import_run::failed(const api_error& err) {
  for (auto i : chunk_)
    report_.reject(lines_[i].line, "not_stored", "not stored: " + err.message);
  chunk_.clear();
}

import_report import_run::take_report() {
  report_.finish();
  return std::move(report_);
}

} // namespace foresight
