// Prompt construction and reply parsing for LLM suggestions.
#include "llm/llm_prompt.hpp"

#include <simdjson.h>

#include "core/json_writer.hpp"

namespace foresight {

llm_prompt build_suggestion_prompt(const suggestion_context& ctx) {
  llm_prompt p;
  p.system =
    "You suggest short natural-language questions a business user could ask an analytics "
    "assistant about one database. Use only the metrics, dimensions and entities listed; never "
    "mention an excluded metric. Each question is under 15 words. Answer with a JSON object "
    "{\"suggestions\":[{\"text\":string,\"type\":string,\"description\":string}]} where type is "
    "one of complete, metric, dimension, filter, comparison, ranking, trend, aggregation; "
    "\"complete\" continues the user's partial question. No other text.";
  // The user message is itself JSON: unambiguous to the model and safe against odd names.
  json_writer w;
  auto& prefs = ctx.preferences();
  w.begin_object();
  w.key("connection").value(ctx.catalog().name.empty() ? ctx.catalog().id : ctx.catalog().name);
  w.key("metrics").begin_array();
  for (auto& m : ctx.metrics()) {
    w.begin_object().key("name").value(m.phrase);
    for (auto& cm : ctx.catalog().metrics)
      if (cm.name == m.name && !cm.description.empty())
        w.key("description").value(cm.description);
    w.end_object();
  }
  w.end_array();
  w.key("dimensions").begin_array();
  for (auto& d : ctx.dimensions())
    w.value(d.phrase);
  w.end_array();
  w.key("entities").begin_array();
  for (auto& e : ctx.entities())
    w.value(e.phrase);
  w.end_array();
  w.key("excluded_metrics").value(prefs.excluded_metrics);
  w.key("preferred_metrics").value(prefs.preferred_metrics);
  w.key("preferred_dimensions").value(prefs.preferred_dimensions);
  w.key("preferred_query_types").value(prefs.preferred_query_types);
  w.key("allow_multi_step_questions").value(prefs.show_advanced_queries);
  w.key("user_patterns").value(template_texts(ctx.patterns().user, 10));
  w.key("role_patterns").value(template_texts(ctx.patterns().role, 10));
  w.key("partial_query").value(ctx.partial());
  w.key("count").value(ctx.count());
  w.end_object();
  p.user = w.take();
  return p;
}

bool parse_llm_suggestions(std::string_view content, std::vector<suggestion>& out) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(content.data(), content.size()).get(doc))
    return false;
  simdjson::dom::array items;
  if (doc["suggestions"].get(items))
    return false;
  for (auto item : items) {
    std::string_view text, type, description;
    if (item["text"].get(text))
      continue;
    suggestion s;
    s.text.assign(text);
    if (!item["type"].get(type))
      s.type.assign(type);
    if (!item["description"].get(description))
      s.description.assign(description);
    out.push_back(std::move(s));
  }
  return true;
}

} // namespace foresight
