// Generaliser throughput on one core over a realistic mix of questions, beside a reference
// generaliser built the way the original implementation was (a chain of std::regex replacements),
// measured in the same process. Prints queries/s for both, the ratio, and a checksum of the
// outputs so the work cannot be optimised away.
#include <chrono>
#include <cstdio>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "core/generaliser.hpp"

using namespace foresight;

namespace {

const std::vector<std::string> mix = {
  "Top 10 stocks by volume", "Show me profit for Q1 2024", "Compare revenue across regions",
  "Average price by product category", "Show me quarterly profits from last 5 years",
  "Top 5 customers by revenue this quarter", "Revenue by region for last 30 days",
  "What was AAPL volume on 2024-03-01?", "Show me profit margin since January",
  "How many orders were shipped to 'New York' last week", "avg order value per customer YTD",
  "Compare revenue across regions for Acme Corp", "profit trend over the last 12 months",
  "bottom 3 products by margin in Europe", "total sales by channel for March 2024",
  "revenue vs profit by quarter", "which regions had the highest growth this year",
  "show me churn by customer segment", "top 20 sales reps by bookings Q3 2023",
  "average deal size per region since 2021", "revenue for the previous quarter",
  "monthly active users over time", "compare margin across product categories YTD",
  "list customers with revenue above 1,000,000", "profit on 03/15/2024",
  "units sold by store for the past 7 days", "revenue in sept 2022 vs sept 2023",
  "top 10 products by units sold in Berlin", "show me inventory levels by warehouse",
  "what is the average basket size by weekday", "count of orders by status",
  "returns rate by product category last quarter", "cost per acquisition by campaign",
  "Show me revenue for MSFT and GOOG this year", "share of revenue by region in 2023",
  "median delivery time per carrier", "growth in subscribers month to date",
  "top 5 campaigns by conversion rate", "revenue where customer is Jane Doe",
  "profit by region and product category", "How much did we spend on marketing in Q2",
  "highest margin products this month", "revenue per employee by department",
  "compare NPS across regions for the last 6 months", "daily revenue for March 1st 2024",
  "weekly signups since 2020", "open tickets by priority", "top 15 accounts by ARR",
  "revenue forecast for next quarter", "orders shipped late by warehouse last week",
  "Average price by product category in Germany", "show me profit for the third quarter",
  "traffic by source over the last 30 days", "top 10 stocks by volume on 2024-02-29",
  "conversion by landing page YTD", "revenue by region", "profit margin trend",
  "refunds by reason for the past 90 days", "average handle time per agent",
  "compare revenue 2023 vs 2022",
};

/// The reference: one regex pass per placeholder kind, as the original implementation did.
std::string regex_reference(const std::string& q) {
  static const std::vector<std::pair<std::regex, std::string>> rules = {
    {std::regex(R"(\b\d{4}-\d{2}-\d{2}\b)"), "{date}"},
    {std::regex(R"(\b\d{1,2}/\d{1,2}/\d{2,4}\b)"), "{date}"},
    {std::regex(R"(\b[Qq][1-4]\b)"), "{quarter}"},
    {std::regex(R"(\b(19|20)\d{2}\b)"), "{year}"},
    {std::regex(R"(\b(January|February|March|April|May|June|July|August|September|October|November|December)\b)",
                std::regex::icase),
     "{month}"},
    {std::regex(R"(\b(last|past)\s+\d+\s+(days|weeks|months|years)\b)", std::regex::icase),
     "{timeframe}"},
    {std::regex(R"(\b\d+(\.\d+)?\b)"), "{N}"},
  };
  std::string out = q;
  for (auto& [re, rep] : rules)
    out = std::regex_replace(out, re, rep);
  return out;
}

/// Runs `f` over the mix for about `seconds`; returns queries per second.
double measure(const std::function<std::size_t(const std::string&)>& f, double seconds,
               std::size_t& checksum) {
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  std::size_t n = 0;
  while (std::chrono::duration<double>(clock::now() - start).count() < seconds)
    for (auto& q : mix) {
      checksum += f(q);
      ++n;
    }
  return double(n) / std::chrono::duration<double>(clock::now() - start).count();
}

} // namespace

int main() {
  connection_catalog c;
  c.metrics = {{"revenue", "Revenue", "", ""}, {"profit", "Profit", "", ""},
               {"profit_margin", "Profit margin", "", ""}, {"volume", "Volume", "", ""}};
  c.dimensions = {{"region", "Region", ""}, {"product_category", "Product category", ""}};
  c.entities = {{"stock", "Stocks"}, {"product", "Products"}, {"customer", "Customers"}};
  catalog_index catalog(c);
  std::size_t checksum = 0;
  double ours = measure(
    [&](const std::string& q) { return generalise(q, catalog).template_text.size(); }, 2.0,
    checksum);
  double reference =
    measure([](const std::string& q) { return regex_reference(q).size(); }, 2.0, checksum);
  std::printf("generalize: %.0f queries/s (one core, %zu-query mix, demo catalog)\n", ours,
              mix.size());
  std::printf("regex reference: %.0f queries/s\n", reference);
  std::printf("ratio: %.1fx\n", ours / reference);
  std::printf("checksum: %zu\n", checksum);
  return ours >= 500000 ? 0 : 1;
}
