#!/usr/bin/env python3
"""Synthetic activity logs for `./foresight eval` (bench/README.md, "Suggestion quality").

    python3 bench/workload.py --shape analytics|operations [--users N] [--weeks W]
                              [--seed S] [--start YYYY-MM-DD] > FILE.ndjson

Line 1 is the connection catalog ({"catalog": {...}}: the body of PUT /api/v1/connections/{id}
plus its connection_id); every further line is one activity in the body format of
POST /api/v1/activity/log plus user_id, role and created_at, in time order.

Two shapes, deliberately unlike each other, so that nothing is tuned to one log:

analytics   a sales/markets/finance warehouse; 200 analysts, traders, executives and finance
            people over 6 weeks (about 15,000 questions). Each user has 3-8 personal habits
            (template, metric, dimension, entity, filter value, timeframe and their own wording),
            some with a habitual follow-up; short sessions (1-8 questions) on working days;
            Monday reports, month-end finance; habits that drift after week 3; new joiners
            from week 4; about 15% one-off questions and 3% typos.
operations  a support and fulfilment operations database; 360 agents, team leads, ops managers,
            logistics planners and SREs over 6 weeks (about 11,000 questions): fewer questions
            per user, 1-3 personal habits, more shared role questions (shift hand-over checks),
            long exploratory sessions (3-15 questions) with strong drill-down chains, 24/7
            shifts including nights and weekends, incident bursts that many users ask about
            for a day or two, a team re-organisation in week 3.

Deterministic for a given seed (and Python 3's `random`). Standard library only.
"""
import argparse
import datetime as dt
import json
import math
import random
import sys
import zlib

# ------------------------------------------------------------------------------------------------
# Shared machinery


class Question:
    """One asked question: its text and the slot values it was built from (for follow-ups)."""

    __slots__ = ("text", "slots", "kind")

    def __init__(self, text, slots, kind):
        self.text = text
        self.slots = slots
        self.kind = kind  # habit, role, followup, oneoff


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def weighted(rng, items, weights):
    total = sum(weights)
    x = rng.random() * total
    for item, w in zip(items, weights):
        x -= w
        if x <= 0:
            return item
    return items[-1]


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def add_months(year, month, delta):
    m = year * 12 + (month - 1) + delta
    return m // 12, m % 12 + 1


def typo(rng, text):
    """One keyboard slip in a word of four letters or more: swap, drop or double a letter."""
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not idx:
        return text
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    elif kind == 1:
        w = w[:j] + w[j + 1:]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


class Domain:
    """Everything shape-specific: catalog, roles, vocabulary, templates, rhythm."""

    connection_id = ""
    catalog_name = ""
    metrics = []       # (name, display, description, aggregation, surface)
    dimensions = []    # (name, display, type, surface)
    entities = []      # (name, display, plural surface, singular surface)
    filters = {}       # dimension name -> (values, phrase format)
    roles = {}         # role -> dict(share, rate, metrics, dims, filters, entities, ...)
    generic = []       # (template, noun_phrase?)
    role_templates = {}
    followups = []     # templates using the previous question's slots
    oneoff_free = []   # free-form questions nobody repeats
    time_kinds = []    # timeframe kinds (see render_time)
    prefixes = []
    default_users = 200
    questions_per_user_week = 12.5
    session_continue = 0.5
    session_max = 8
    habit_count = (3, 8)
    opener_habit = 0.68
    opener_role = 0.12
    oneoff_share = 0.15
    typo_share = 0.03
    drift_share = 0.35
    joiner_share = 0.05
    chain_share = 0.45
    followup_share = 0.8
    role_standard = {}

    def catalog(self):
        return {
            "connection_id": self.connection_id,
            "name": self.catalog_name,
            "metrics": [{"name": n, "display_name": d, "description": desc, "aggregation": agg}
                        for n, d, desc, agg, _ in self.metrics],
            "dimensions": [{"name": n, "display_name": d, "type": t}
                           for n, d, t, _ in self.dimensions],
            "entities": [{"name": n, "display_name": d} for n, d, _, _ in self.entities],
        }


def surface(table, name, col):
    for row in table:
        if row[0] == name:
            return row[col]
    raise KeyError(name)


# ------------------------------------------------------------------------------------------------
# Shape 1: analytics (sales, markets, finance)


class Analytics(Domain):
    connection_id = "sales"
    catalog_name = "Sales, markets and finance warehouse"
    metrics = [
        ("revenue", "Revenue", "Gross revenue before returns", "sum", "revenue"),
        ("gross_profit", "Gross profit", "Revenue minus cost of goods sold", "sum", "gross profit"),
        ("gross_margin", "Gross margin", "Gross profit over revenue", "avg", "gross margin"),
        ("units_sold", "Units sold", "Units shipped to customers", "sum", "units sold"),
        ("orders", "Orders", "Number of orders placed", "count", "orders"),
        ("average_order_value", "Average order value", "Revenue per order", "avg",
         "average order value"),
        ("discount_rate", "Discount rate", "Discount over list price", "avg", "discount rate"),
        ("returns", "Returns", "Units returned", "sum", "returns"),
        ("customer_churn", "Customer churn", "Share of customers lost", "avg", "customer churn"),
        ("pnl", "P&L", "Profit and loss, marked to market", "sum", "P&L"),
        ("trading_volume", "Trading volume", "Shares and contracts traded", "sum",
         "trading volume"),
        ("volatility", "Volatility", "Annualised standard deviation of returns", "avg",
         "volatility"),
        ("exposure", "Exposure", "Net market exposure", "sum", "exposure"),
        ("bid_ask_spread", "Bid-ask spread", "Average quoted spread", "avg", "bid-ask spread"),
        ("operating_expenses", "Operating expenses", "Opex booked in the period", "sum",
         "operating expenses"),
        ("cash_flow", "Cash flow", "Operating cash flow", "sum", "cash flow"),
        ("ebitda", "EBITDA", "Earnings before interest, taxes, depreciation, amortisation",
         "sum", "EBITDA"),
        ("accounts_receivable", "Accounts receivable", "Open invoices", "sum",
         "accounts receivable"),
        ("budget_variance", "Budget variance", "Actual minus budget", "sum", "budget variance"),
        ("headcount", "Headcount", "Employees at period end", "count", "headcount"),
    ]
    dimensions = [
        ("region", "Region", "string", "region"),
        ("country", "Country", "string", "country"),
        ("product_category", "Product category", "string", "product category"),
        ("sales_channel", "Sales channel", "string", "sales channel"),
        ("customer_segment", "Customer segment", "string", "customer segment"),
        ("desk", "Desk", "string", "desk"),
        ("asset_class", "Asset class", "string", "asset class"),
        ("business_unit", "Business unit", "string", "business unit"),
        ("cost_center", "Cost center", "string", "cost center"),
        ("month", "Month", "time", "month"),
        ("quarter", "Quarter", "time", "quarter"),
        ("week", "Week", "time", "week"),
    ]
    entities = [
        ("products", "Products", "products", "product"),
        ("customers", "Customers", "customers", "customer"),
        ("stores", "Stores", "stores", "store"),
        ("stocks", "Stocks", "stocks", "stock"),
        ("traders", "Traders", "traders", "trader"),
        ("accounts", "Accounts", "accounts", "account"),
        ("suppliers", "Suppliers", "suppliers", "supplier"),
        ("sales_reps", "Sales reps", "sales reps", "sales rep"),
    ]
    filters = {
        "region": (["EMEA", "APAC", "North America", "LATAM"], ["in {v}", "for {v}"]),
        "country": (["Germany", "France", "the UK", "Japan", "Brazil", "Canada", "India"],
                    ["in {v}", "for {v}"]),
        "product_category": (["electronics", "apparel", "home goods", "groceries", "beauty",
                              "toys"], ["for {v}", "in {v}"]),
        "sales_channel": (["online", "retail", "wholesale", "partner"], ["for {v}", "in {v}"]),
        "customer_segment": (["SMB", "mid-market", "enterprise", "consumer"],
                             ["for {v} customers", "for {v}"]),
        "desk": (["equities", "rates", "FX", "commodities", "credit"],
                 ["for the {v} desk", "on the {v} desk"]),
        "asset_class": (["equities", "bonds", "options", "futures"], ["in {v}", "for {v}"]),
        "business_unit": (["Consumer", "Enterprise", "Services", "Wealth"],
                          ["for {v}", "in the {v} unit"]),
        "cost_center": (["Marketing", "R&D", "Sales", "IT", "Operations", "HR"],
                        ["for {v}", "in {v}"]),
        "ticker": (["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "JPM", "XOM", "SAP"], ["for {v}"]),
    }
    time_kinds = ["this quarter", "last quarter", "this month", "last month", "year to date",
                  "this week", "last week", "today", "yesterday", "last_n_days", "last_n_months",
                  "quarter_year", "month_year", "for_month", "in_year", "since_month", "week_n"]
    prefixes = ["", "", "", "show me ", "show ", "what's the ", "give me ", "can you show me ",
                "pull ", "i need "]
    roles = {
        "analyst": dict(
            share=0.40, rate=2.9,
            metrics=["revenue", "gross_profit", "gross_margin", "units_sold", "orders",
                     "average_order_value", "discount_rate", "returns", "customer_churn"],
            dims=["region", "country", "product_category", "sales_channel", "customer_segment",
                  "month", "week"],
            filters=["region", "country", "product_category", "sales_channel",
                     "customer_segment"],
            entities=["products", "customers", "stores", "suppliers", "sales_reps"],
            times=["this quarter", "last quarter", "this month", "last month", "last_n_days",
                   "quarter_year", "month_year", "last week", "year to date", "last_n_months"],
            hours=[(9, 3), (10, 3), (11, 2), (14, 3), (15, 2), (16, 2), (13, 1), (17, 1)],
            departments=["Sales Analytics", "Marketing Analytics", "Retail Insights"]),
        "trader": dict(
            share=0.25, rate=3.4,
            metrics=["pnl", "trading_volume", "volatility", "exposure", "bid_ask_spread"],
            dims=["desk", "asset_class", "region", "week"],
            filters=["desk", "asset_class", "ticker", "region"],
            entities=["stocks", "traders", "accounts"],
            times=["today", "yesterday", "this week", "last week", "last_n_days", "this month"],
            hours=[(7, 3), (8, 4), (9, 2), (12, 1), (15, 3), (16, 4), (17, 1)],
            departments=["Equities", "Rates", "Macro", "Commodities"]),
        "executive": dict(
            share=0.125, rate=1.3,
            metrics=["revenue", "gross_margin", "ebitda", "operating_expenses",
                     "customer_churn", "headcount", "cash_flow"],
            dims=["region", "business_unit", "customer_segment", "quarter"],
            filters=["region", "business_unit", "customer_segment"],
            entities=["customers", "products"],
            times=["this quarter", "last quarter", "year to date", "quarter_year", "this month",
                   "in_year"],
            hours=[(7, 2), (8, 3), (12, 1), (17, 2), (18, 2), (19, 1)],
            departments=["Executive Office", "Strategy"]),
        "finance": dict(
            share=0.225, rate=2.5,
            metrics=["operating_expenses", "cash_flow", "ebitda", "accounts_receivable",
                     "budget_variance", "revenue", "gross_margin", "headcount"],
            dims=["cost_center", "business_unit", "region", "month", "quarter"],
            filters=["cost_center", "business_unit", "region"],
            entities=["accounts", "suppliers", "customers"],
            times=["this month", "last month", "month_year", "for_month", "quarter_year",
                   "year to date", "last quarter", "since_month"],
            hours=[(9, 3), (10, 3), (11, 2), (14, 2), (15, 2), (16, 2), (18, 1)],
            departments=["FP&A", "Controlling", "Treasury", "Accounting"]),
    }
    # (template, noun phrase that takes a personal prefix)
    generic = [
        ("total {m} by {d} {t}", True),
        ("{m} by {d} {t}", True),
        ("{m} by {d} {f} {t}", True),
        ("top {n} {e} by {m} {t}", True),
        ("top {n} {e} by {m} {f}", True),
        ("bottom {n} {e} by {m} {t}", True),
        ("{m} trend {f} over the last {nm} months", True),
        ("monthly {m} {f} {t}", True),
        ("weekly {m} by {d}", True),
        ("average {m} per {e1} by {d} {t}", True),
        ("{m} and {m2} by {d} {t}", True),
        ("{m} breakdown by {d} and {d2} {t}", True),
        ("share of {m} by {d} {t}", True),
        ("{m} {f} {t} compared to last year", True),
        ("how did {m} change {f} {t}", False),
        ("which {e} had the highest {m} {t}", False),
        ("what was {m} {f} {t}", False),
        ("compare {m} between {fv} and {fv2} {t}", False),
        ("how many {e} had {m} above {n} {t}", False),
    ]
    role_templates = {
        "analyst": [
            ("{m} by {d} for {fv} vs last year", True),
            ("conversion of {m} by {d} {t}", True),
            ("which {e} drove the change in {m} {t}", False),
        ],
        "trader": [
            ("{m} for {tk} {t}", True),
            ("intraday {m} for {tk}", True),
            ("what is the {m} of {tk} over the last {nd} days", False),
            ("top {n} stocks by {m} {t}", True),
            ("{m} by desk {t}", True),
            ("compare {m} for {tk} vs {tk2} {t}", False),
            ("{m} {f} {t}", True),
        ],
        "executive": [
            ("{m} vs target by {d} {t}", True),
            ("how are we tracking on {m} {t}", False),
            ("summary of {m} and {m2} {t}", True),
            ("{m} growth year over year by {d}", True),
            ("where are we losing {m} {t}", False),
        ],
        "finance": [
            ("budget vs actual {m} by {d} {t}", True),
            ("{m} variance by {d} {t}", True),
            ("month-end {m} by {d}", True),
            ("{m} aging by {d}", True),
            ("which {e} are over budget {t}", False),
            ("forecast {m} for next quarter by {d}", True),
        ],
    }
    role_standard = {
        "analyst": [
            ("{m} by {d} {t}", dict(m="revenue", d="region", tkind="this month")),
            ("top {n} {e} by {m} {t}", dict(e="products", m="units_sold", tkind="last week")),
            ("{m} by {d} {t}", dict(m="orders", d="sales_channel", tkind="yesterday")),
        ],
        "trader": [
            ("{m} by desk {t}", dict(m="pnl", tkind="today")),
            ("top {n} stocks by {m} {t}", dict(m="trading_volume", tkind="today")),
            ("{m} by {d} {t}", dict(m="exposure", d="asset_class", tkind="today")),
        ],
        "executive": [
            ("{m} vs target by {d} {t}", dict(m="revenue", d="region", tkind="this quarter")),
            ("{m} by {d} for {t}", dict(m="ebitda", d="business_unit", tkind="quarter_year")),
        ],
        "finance": [
            ("{m} by {d} {t}", dict(m="operating_expenses", d="cost_center",
                                    tkind="month_year")),
            ("{m} {t}", dict(m="cash_flow", tkind="this month")),
            ("budget vs actual {m} by {d} {t}", dict(m="operating_expenses", d="cost_center",
                                                     tkind="last month")),
        ],
    }
    followups = [
        "break down {m} by {d2}",
        "now by {d2}",
        "same for {fv2}",
        "{m} trend for {fv} over the last {nm} months",
        "top {n} {e} by {m} in {fv}",
        "compare with {tprev}",
        "why did {m} drop in {fv} {t}",
        "show {m2} for the same period",
        "drill into {fv}",
        "only {fv2}",
        "and {m2}?",
        "{m} by {d} for {fv} {t}",
        "which {e} contributed most to {m} {t}",
    ]
    oneoff_free = [
        "which suppliers delivered late in the last {nw} weeks",
        "what's the correlation between discount rate and returns",
        "list customers who churned after the price increase",
        "forecast revenue for the holiday season",
        "how many stores opened in {year}",
        "show anomalies in orders yesterday",
        "which sales reps exceeded quota in {month}",
        "what drove the spike in returns last week",
        "map of revenue by country",
        "export all orders over ${n}k",
        "what is our market share in {country}",
        "who are the newest enterprise customers",
        "median basket size on weekends",
        "how did the {month} promotion perform",
        "revenue impact of the {country} price change",
        "which products were out of stock most often",
        "list all trades above {n} million today",
        "largest single-day loss this year",
        "cash runway at current burn",
        "headcount plan vs actual for engineering",
        "any unusual P&L moves overnight",
        "what is the tax rate applied to {country} invoices",
        "show invoices overdue by more than {n} days",
        "when did we last hit record orders",
    ]
    default_users = 200
    questions_per_user_week = 12.5
    session_continue = 0.42
    opener_habit = 0.74
    opener_role = 0.12
    chain_share = 0.6
    followup_share = 0.6


# ------------------------------------------------------------------------------------------------
# Shape 2: operations (support and fulfilment)


class Operations(Domain):
    connection_id = "ops"
    catalog_name = "Support and fulfilment operations"
    metrics = [
        ("tickets_opened", "Tickets opened", "New support tickets", "count", "tickets opened"),
        ("tickets_resolved", "Tickets resolved", "Tickets closed as resolved", "count",
         "tickets resolved"),
        ("backlog", "Backlog", "Open tickets at the time", "count", "backlog"),
        ("first_response_time", "First response time", "Minutes to the first reply", "avg",
         "first response time"),
        ("resolution_time", "Resolution time", "Hours from open to resolved", "avg",
         "resolution time"),
        ("csat", "CSAT", "Customer satisfaction score", "avg", "CSAT"),
        ("sla_breaches", "SLA breaches", "Tickets past their SLA", "count", "SLA breaches"),
        ("escalations", "Escalations", "Tickets escalated to tier two", "count", "escalations"),
        ("orders_shipped", "Orders shipped", "Orders handed to a carrier", "count",
         "orders shipped"),
        ("late_deliveries", "Late deliveries", "Deliveries past the promised date", "count",
         "late deliveries"),
        ("delivery_time", "Delivery time", "Days from order to delivery", "avg", "delivery time"),
        ("refund_amount", "Refund amount", "Refunds issued", "sum", "refund amount"),
        ("stockouts", "Stockouts", "SKUs out of stock", "count", "stockouts"),
        ("pick_rate", "Pick rate", "Order lines picked per hour", "avg", "pick rate"),
        ("incidents", "Incidents", "Production incidents", "count", "incidents"),
        ("uptime", "Uptime", "Share of minutes available", "avg", "uptime"),
        ("error_rate", "Error rate", "Failed requests over all requests", "avg", "error rate"),
        ("latency", "Latency", "Request latency, 95th percentile", "avg", "latency"),
    ]
    dimensions = [
        ("priority", "Priority", "string", "priority"),
        ("queue", "Queue", "string", "queue"),
        ("support_channel", "Support channel", "string", "channel"),
        ("team", "Team", "string", "team"),
        ("product_line", "Product line", "string", "product line"),
        ("warehouse", "Warehouse", "string", "warehouse"),
        ("carrier", "Carrier", "string", "carrier"),
        ("severity", "Severity", "string", "severity"),
        ("service", "Service", "string", "service"),
        ("shift", "Shift", "string", "shift"),
        ("hour", "Hour", "time", "hour"),
        ("day", "Day", "time", "day"),
    ]
    entities = [
        ("agents", "Agents", "agents", "agent"),
        ("tickets", "Tickets", "tickets", "ticket"),
        ("orders", "Orders", "orders", "order"),
        ("carriers", "Carriers", "carriers", "carrier"),
        ("warehouses", "Warehouses", "warehouses", "warehouse"),
        ("customers", "Customers", "customers", "customer"),
        ("incident_reports", "Incident reports", "incident reports", "incident report"),
        ("skus", "SKUs", "SKUs", "SKU"),
    ]
    filters = {
        "priority": (["P1", "P2", "P3"], ["for {v}", "{v} only"]),
        "queue": (["billing", "returns", "technical", "onboarding", "VIP"],
                  ["in the {v} queue", "for {v}"]),
        "support_channel": (["email", "chat", "phone", "social"], ["via {v}", "on {v}"]),
        "team": (["frontline", "specialists", "billing team", "night crew"], ["for the {v}"]),
        "product_line": (["smart home", "wearables", "audio", "accessories"], ["for {v}"]),
        "warehouse": (["Leipzig", "Reno", "Memphis", "Rotterdam", "Dallas"],
                      ["at {v}", "in {v}"]),
        "carrier": (["DHL", "UPS", "FedEx", "DPD", "USPS"], ["for {v}", "with {v}"]),
        "severity": (["SEV1", "SEV2", "SEV3"], ["for {v}"]),
        "service": (["checkout", "search", "payments", "inventory", "auth"], ["for {v}",
                                                                              "on {v}"]),
    }
    time_kinds = ["right now", "today", "in the last hour", "last_n_hours", "since midnight",
                  "this shift", "yesterday", "this week", "last_n_days", "over the weekend",
                  "since Monday", "on_date", "last week"]
    prefixes = ["", "", "", "", "show ", "how many ", "list ", "pull up "]
    roles = {
        "support_agent": dict(
            share=0.42, rate=0.75, shift=True,
            metrics=["backlog", "tickets_opened", "first_response_time", "sla_breaches",
                     "csat", "escalations"],
            dims=["priority", "queue", "support_channel", "hour"],
            filters=["priority", "queue", "support_channel"],
            entities=["tickets", "customers", "agents"],
            times=["right now", "today", "this shift", "in the last hour", "last_n_hours",
                   "since midnight"],
            departments=["Customer Support"]),
        "team_lead": dict(
            share=0.16, rate=1.0, shift=True,
            metrics=["backlog", "sla_breaches", "csat", "first_response_time",
                     "resolution_time", "tickets_resolved", "escalations"],
            dims=["team", "queue", "priority", "day", "hour"],
            filters=["team", "queue", "priority", "support_channel"],
            entities=["agents", "tickets"],
            times=["this shift", "today", "yesterday", "this week", "last_n_days",
                   "last week"],
            departments=["Customer Support"]),
        "ops_manager": dict(
            share=0.11, rate=1.1, shift=False,
            metrics=["csat", "resolution_time", "sla_breaches", "late_deliveries",
                     "refund_amount", "orders_shipped", "backlog", "incidents"],
            dims=["team", "product_line", "warehouse", "day", "queue"],
            filters=["product_line", "warehouse", "team", "queue"],
            entities=["warehouses", "agents", "customers"],
            times=["this week", "last week", "last_n_days", "yesterday", "since Monday",
                   "on_date"],
            departments=["Operations"]),
        "logistics": dict(
            share=0.20, rate=0.9, shift=False,
            metrics=["orders_shipped", "late_deliveries", "delivery_time", "stockouts",
                     "pick_rate", "refund_amount"],
            dims=["warehouse", "carrier", "product_line", "day", "hour"],
            filters=["warehouse", "carrier", "product_line"],
            entities=["orders", "carriers", "warehouses", "skus"],
            times=["today", "yesterday", "this week", "last_n_days", "since midnight",
                   "over the weekend", "on_date"],
            departments=["Fulfilment"]),
        "sre": dict(
            share=0.11, rate=0.9, shift=True,
            metrics=["error_rate", "latency", "uptime", "incidents"],
            dims=["service", "severity", "hour", "day"],
            filters=["service", "severity"],
            entities=["incident_reports"],
            times=["in the last hour", "last_n_hours", "right now", "today", "since midnight",
                   "last_n_days"],
            departments=["Platform"]),
    }
    generic = [
        ("{m} by {d} {t}", True),
        ("{m} {f} {t}", True),
        ("{m} by {d} {f} {t}", True),
        ("top {n} {e} by {m} {t}", True),
        ("{m} per {d} {t}", True),
        ("{m} trend {f} over the last {nd} days", True),
        ("is {m} {f} above normal {t}", False),
        ("which {e} have the most {m} {t}", False),
        ("how many {e} {f} {t}", False),
        ("{m} vs {m2} by {d} {t}", True),
    ]
    role_templates = {
        "support_agent": [
            ("my open tickets {f}", True),
            ("oldest unanswered tickets {f}", True),
            ("{m} in my queue {t}", True),
        ],
        "team_lead": [
            ("{m} by agent {t}", True),
            ("agents with the most {m} {t}", True),
            ("who is on {f} {t}", False),
        ],
        "ops_manager": [
            ("weekly {m} by {d}", True),
            ("{m} week over week by {d}", True),
            ("what drove {m} {t}", False),
        ],
        "logistics": [
            ("{m} by carrier {t}", True),
            ("orders at risk of missing the cutoff {f}", True),
            ("{m} {f} by hour {t}", True),
        ],
        "sre": [
            ("{m} for {fv} {t}", True),
            ("open incidents by {d}", True),
            ("{m} by service in the last {nmin} minutes", True),
        ],
    }
    # Shared hand-over questions: whole role asks them, same words (dashboards, runbooks).
    # Shared hand-over questions: the whole role asks them in the same words (dashboards,
    # runbooks), each with a drill-down the role tends to follow: (template, slots).
    role_standard = {
        "support_agent": [
            ("{m} by {d} {t}", dict(m="backlog", d="queue", tkind="right now")),
            ("{m} {f} {t}", dict(m="sla_breaches", fdim="priority", fv="P1", ffmt="for {v}",
                                 tkind="today")),
            ("{m} {t} by {d}", dict(m="tickets_opened", d="support_channel",
                                    tkind="in the last hour")),
            ("{m} by {d} {t}", dict(m="first_response_time", d="queue", tkind="this shift")),
        ],
        "team_lead": [
            ("{m} by {d} {t}", dict(m="sla_breaches", d="team", tkind="this shift")),
            ("{m} by {d} {t}", dict(m="backlog", d="priority", tkind="right now")),
            ("{m} by {d} {t}", dict(m="csat", d="team", tkind="yesterday")),
            ("{m} by {d} {t}", dict(m="escalations", d="queue", tkind="today")),
        ],
        "ops_manager": [
            ("{m} by {d} {t}", dict(m="csat", d="product_line", tkind="last week")),
            ("{m} by {d} {t}", dict(m="late_deliveries", d="warehouse", tkind="this week")),
            ("{m} by {d} {t}", dict(m="refund_amount", d="product_line", tkind="this week")),
        ],
        "logistics": [
            ("{m} by {d} {t}", dict(m="orders_shipped", d="warehouse", tkind="today")),
            ("{m} by {d} {t}", dict(m="late_deliveries", d="carrier", tkind="yesterday")),
            ("{m} by {d} {t}", dict(m="stockouts", d="warehouse", tkind="right now")),
            ("{m} by {d} {t}", dict(m="pick_rate", d="warehouse", tkind="since midnight")),
        ],
        "sre": [
            ("{m} by {d} {t}", dict(m="error_rate", d="service", tkind="in the last hour")),
            ("open incidents by {d}", dict(d="severity")),
            ("{m} by {d} {t}", dict(m="latency", d="service", tkind="right now")),
            ("{m} by {d} {t}", dict(m="uptime", d="service", tkind="this week")),
        ],
    }
    followups = [
        "now by {d2}",
        "only {fv2}",
        "which {e} have the most {m} {f}",
        "show {e} with {m} above {n} {f}",
        "same for yesterday",
        "compare with last week",
        "{m} by hour {t}",
        "drill into {fv}",
        "{m} trend for {fv} over the last {nd} days",
        "break that down by {d2}",
        "and {m2} {f}?",
        "list the {e} {f}",
        "how does that compare to {fv2}",
        "what about {fv2}",
        "{m} {f} {t} by {d2}",
    ]
    oneoff_free = [
        "which customers contacted us more than {n} times this week",
        "tickets mentioning refund and damaged",
        "how long does DPD take to Rotterdam on average",
        "agent with the longest handle time yesterday",
        "what changed in the checkout service deploy at {n}:00",
        "did the {month} promo increase returns",
        "list VIP tickets without an owner",
        "sku with the most stockouts since {month}",
        "how many orders were cancelled after shipping",
        "show tickets tagged outage in the last {nh} hours",
        "what's the average CSAT for chat on weekends",
        "which warehouse had a power cut",
        "how many new agents started this month",
        "top complaint reasons for wearables",
        "compare phone and chat handle time",
        "orders stuck in customs",
        "what is the carrier cost per parcel for UPS",
        "when was the last SEV1",
    ]
    incident_templates = [
        "{m} for {fv} right now",
        "{m} for {fv} in the last {nh} hours",
        "tickets mentioning {fv} today",
        "which {e} are affected by {fv}",
        "{m} by hour for {fv} today",
    ]
    default_users = 360
    questions_per_user_week = 5.2
    session_continue = 0.8
    session_max = 15
    habit_count = (1, 3)
    opener_habit = 0.30
    opener_role = 0.42
    oneoff_share = 0.12
    typo_share = 0.03
    drift_share = 0.25
    joiner_share = 0.08
    chain_share = 0.6


SHAPES = {"analytics": Analytics, "operations": Operations}

# ------------------------------------------------------------------------------------------------
# Users, habits and rendering


class Habit:
    __slots__ = ("template", "np", "slots", "prefix", "alt_prefix", "qmark", "weight", "schedule",
                 "chain", "numbers", "active_from", "active_to", "used_day", "used")

    def __init__(self):
        self.used_day = -1
        self.used = 0
        self.chain = []
        self.active_from = 0
        self.active_to = 10 ** 9


class User:
    def __init__(self, uid, role, department, rate, join_day, style):
        self.id = uid
        self.role = role
        self.department = department
        self.rate = rate
        self.join_day = join_day
        self.style = style
        self.habits = []
        self.shift = None


class Generator:
    def __init__(self, shape, users, weeks, seed, start):
        self.d = SHAPES[shape]()
        self.shape = shape
        self.rng = random.Random(f"{shape}:{seed}")
        self.n_users = users if users else self.d.default_users
        self.weeks = weeks
        self.start = start
        self.days = [start + dt.timedelta(days=i) for i in range(7 * weeks)]
        self.seq = 0
        self.standard = {}

    # -- vocabulary ------------------------------------------------------------------------------

    def metric(self, name):
        return surface(self.d.metrics, name, 4)

    def dim(self, name):
        return surface(self.d.dimensions, name, 3)

    def entity(self, name, singular=False):
        return surface(self.d.entities, name, 3 if singular else 2)

    def render_time(self, kind, day, numbers):
        rng = self.rng
        if kind == "last_n_days":
            return f"last {self.pick_number(numbers, [7, 14, 30, 60, 90])} days"
        if kind == "last_n_months":
            return f"last {self.pick_number(numbers, [3, 6, 12, 18])} months"
        if kind == "last_n_hours":
            return f"in the last {self.pick_number(numbers, [2, 4, 6, 12, 24])} hours"
        if kind == "quarter_year":
            q = (day.month - 1) // 3 + 1
            y = day.year
            if rng.random() < 0.4:
                q -= 1
                if q == 0:
                    q, y = 4, y - 1
            return f"Q{q} {y}"
        if kind == "month_year":
            y, m = add_months(day.year, day.month, -rng.choice([0, 1, 1, 2]))
            return f"for {MONTHS[m - 1]} {y}"
        if kind == "for_month":
            y, m = add_months(day.year, day.month, -rng.choice([0, 1, 1]))
            return f"for {MONTHS[m - 1]}"
        if kind == "since_month":
            y, m = add_months(day.year, day.month, -rng.choice([1, 2, 3, 6]))
            return f"since {MONTHS[m - 1]}"
        if kind == "in_year":
            return f"in {day.year - rng.choice([0, 0, 1])}"
        if kind == "week_n":
            return f"for week {day.isocalendar()[1] - rng.choice([0, 1])}"
        if kind == "on_date":
            back = day - dt.timedelta(days=rng.choice([1, 1, 2, 3, 7]))
            return f"on {MONTHS[back.month - 1]} {back.day}"
        return kind

    def pick_number(self, preferred, pool):
        preferred = [p for p in preferred or () if p in pool]
        if preferred and self.rng.random() < 0.75:
            return self.rng.choice(preferred)
        return self.rng.choice(pool)

    def filter_phrase(self, dim, value, fmt):
        return fmt.format(v=value)

    # -- slots -----------------------------------------------------------------------------------

    def choose_slots(self, role_cfg, broad=False):
        """Fixed slot values for a habit (or, broad, for a one-off from the whole catalog)."""
        rng, d = self.rng, self.d
        metrics = [m[0] for m in d.metrics] if broad else role_cfg["metrics"]
        dims = [x[0] for x in d.dimensions] if broad else role_cfg["dims"]
        fdims = list(d.filters) if broad else role_cfg["filters"]
        ents = [e[0] for e in d.entities] if broad else role_cfg["entities"]
        times = d.time_kinds if broad else role_cfg["times"]
        m, m2 = rng.sample(metrics, 2)
        dd, d2 = rng.sample(dims, 2)
        fdim = rng.choice([f for f in fdims if f != "ticker"] or fdims)
        values, fmts = d.filters[fdim]
        fv, fv2 = rng.sample(values, 2)
        tks = d.filters.get("ticker", ([""], ["{v}"]))[0]
        tk, tk2 = rng.sample(tks, 2) if len(tks) > 1 else (tks[0], tks[0])
        if fdim == "ticker" or ("ticker" in fdims and rng.random() < 0.3):
            fdim = "ticker"
            values, fmts = d.filters["ticker"]
            fv, fv2 = tk, tk2
        fmt = rng.choice(fmts)
        return dict(m=m, m2=m2, d=dd, d2=d2, e=rng.choice(ents), fdim=fdim, fv=fv, fv2=fv2,
                    ffmt=fmt, tk=tk, tk2=tk2, tkind=rng.choice(times),
                    numbers=rng.sample([5, 10, 10, 20, 25, 50], 1))

    def render(self, template, slots, day):
        d = self.d
        tkind = slots["tkind"]
        values = dict(
            m=self.metric(slots["m"]), m2=self.metric(slots["m2"]),
            d=self.dim(slots["d"]), d2=self.dim(slots["d2"]),
            e=self.entity(slots["e"]), e1=self.entity(slots["e"], True),
            f=self.filter_phrase(slots["fdim"], slots["fv"], slots["ffmt"]),
            fv=slots["fv"], fv2=slots["fv2"], tk=slots["tk"], tk2=slots["tk2"],
            t=self.render_time(tkind, day, slots.get("tnumbers")),
            tprev=self.rng.choice(["last quarter", "last month", "last week", "the same period "
                                   "last year"]) if self.shape == "analytics" else
            self.rng.choice(["yesterday", "last week", "the previous shift"]),
            n=self.pick_number(slots["numbers"], [3, 5, 10, 20, 50]),
            nm=self.pick_number(slots.get("tnumbers"), [3, 6, 12, 18, 24]),
            nd=self.pick_number(slots.get("tnumbers"), [7, 14, 30, 60, 90]),
            nw=self.rng.choice([2, 4, 6, 8, 12]),
            nh=self.pick_number(slots.get("tnumbers"), [2, 4, 6, 12, 24, 48]),
            nmin=self.rng.choice([5, 10, 15, 30, 60]),
            year=day.year - self.rng.choice([0, 1]),
            month=MONTHS[(day.month - 1 - self.rng.choice([0, 1])) % 12],
            country=self.rng.choice(d.filters.get("country", d.filters.get("warehouse"))[0]),
        )
        text = template.format(**values)
        return " ".join(text.split())

    def finish(self, user, text, np_form, prefix, qmark):
        if np_form and prefix:
            text = prefix + text
        if user.style["caps"]:
            text = text[0].upper() + text[1:]
        if qmark:
            text += "?"
        return text

    # -- users -----------------------------------------------------------------------------------

    def make_standard(self):
        """The role's shared questions, each with the drill-down the role tends to follow."""
        rng, d = self.rng, self.d
        for role, items in d.role_standard.items():
            habits = []
            for tpl, over in items:
                h = Habit()
                h.template, h.np = tpl, True
                h.slots = self.choose_slots(d.roles[role])
                h.slots.update(over)
                h.slots["tnumbers"] = None
                h.prefix = h.alt_prefix = ""
                h.qmark = False
                h.weight = 1.0
                h.schedule = "shift_start" if self.shape == "operations" else "daily"
                for tpl2 in rng.sample(d.followups, rng.choice([1, 2, 2, 3])):
                    h.chain.append((tpl2, True))
                habits.append(h)
            self.standard[role] = habits

    def make_users(self):
        rng, d = self.rng, self.d
        self.make_standard()
        roles = list(d.roles)
        counts = {r: int(round(d.roles[r]["share"] * self.n_users)) for r in roles}
        diff = self.n_users - sum(counts.values())
        counts[roles[0]] += diff
        users = []
        letters = {}
        for r in roles:
            letters[r] = r[0] if r[0] not in letters.values() else r[:2]
        working = [i for i, day in enumerate(self.days) if self.is_workday(day, None)]
        late = [i for i in working if i >= 21] or working[len(working) * 2 // 3:]
        for r in roles:
            cfg = d.roles[r]
            for k in range(counts[r]):
                uid = f"{letters[r]}{k + 1:03d}"
                rate = cfg["rate"] * math.exp(rng.gauss(-0.18, 0.6))
                join = 0
                if rng.random() < d.joiner_share:
                    join = rng.choice(late)
                    rate *= 0.6
                cfg_dims = list(cfg["dims"])
                rng.shuffle(cfg_dims)
                cfg_metrics = list(cfg["metrics"])
                rng.shuffle(cfg_metrics)
                style = dict(caps=rng.random() < 0.6, prefix=rng.choice(d.prefixes),
                             qmark=rng.random() < 0.3, dims=cfg_dims, metrics=cfg_metrics,
                             follow=rng.sample(d.followups, 4))
                u = User(uid, r, rng.choice(cfg["departments"]), rate, join, style)
                if cfg.get("shift"):
                    u.shift = weighted(rng, ["day", "late", "night"], [5, 3, 2])
                self.make_habits(u)
                users.append(u)
        return users

    def new_habit(self, u, slots=None):
        rng, d = self.rng, self.d
        cfg = d.roles[u.role]
        h = Habit()
        pool = d.generic + d.role_templates[u.role]
        if rng.random() < 0.2:
            pool = d.generic + [t for r in d.role_templates for t in d.role_templates[r]]
        h.template, h.np = rng.choice(pool)
        h.slots = slots or self.choose_slots(cfg)
        h.slots["tnumbers"] = [rng.choice([7, 30, 90, 12, 6, 24, 4])]
        h.prefix = u.style["prefix"] if rng.random() < 0.7 else rng.choice(d.prefixes)
        h.alt_prefix = rng.choice(d.prefixes)
        h.qmark = (not h.np and rng.random() < 0.6) or (h.np and u.style["qmark"])
        h.weight = rng.paretovariate(1.3)
        h.schedule = "daily"
        x = rng.random()
        if self.shape == "analytics":
            if x < 0.18:
                h.schedule = "monday"
            elif u.role == "finance" and x < 0.55:
                h.schedule = "month_end"
            elif u.role == "executive" and x < 0.4:
                h.schedule = "monday"
        else:
            if x < 0.15:
                h.schedule = "shift_start"
            elif u.role in ("ops_manager", "logistics") and x < 0.35:
                h.schedule = "monday"
        if rng.random() < d.chain_share:
            steps = 1 if rng.random() < 0.6 else 2
            for _ in range(steps):
                h.chain.append((rng.choice(d.followups), rng.random() < 0.7))
        return h

    def make_habits(self, u):
        rng, d = self.rng, self.d
        n = rng.randint(*d.habit_count)
        u.habits = [self.new_habit(u) for _ in range(n)]
        # Shared role questions some users make their own (team dashboards, runbooks).
        standard = self.standard.get(u.role, [])
        for shared in rng.sample(standard, min(len(standard), rng.choice([0, 1, 1, 2]))):
            h = Habit()
            for attr in Habit.__slots__:
                if hasattr(shared, attr):
                    setattr(h, attr, getattr(shared, attr))
            h.chain = list(shared.chain)
            h.used_day, h.used = -1, 0
            h.weight = rng.paretovariate(1.3)
            u.habits.append(h)
        # Drift: a habit or two replaced by new ones after week 3.
        if self.weeks >= 4 and rng.random() < d.drift_share:
            when = rng.randint(15, min(len(self.days) - 1, 27))
            for old in rng.sample(u.habits, min(len(u.habits), rng.choice([1, 1, 2]))):
                old.active_to = when
                new = self.new_habit(u)
                new.active_from = when
                new.weight = max(new.weight, old.weight)
                u.habits.append(new)

    # -- rhythm ----------------------------------------------------------------------------------

    def is_workday(self, day, user):
        if self.shape == "analytics":
            return day.weekday() < 5
        if user is None or user.shift is None:
            return day.weekday() < 5
        return True  # shift workers: rotas, see day_factor

    def is_month_end(self, i):
        day = self.days[i]
        nxt = [self.days[j] for j in range(i + 1, min(i + 6, len(self.days)))
               if self.days[j].weekday() < 5]
        last_three = any(x.month != day.month for x in nxt[:3]) if nxt else day.day >= 28
        return last_three or (day.day <= 3 and day.weekday() < 5)

    def day_factor(self, i, user):
        day = self.days[i]
        wd = day.weekday()
        if self.shape == "analytics":
            f = {0: 1.35, 1: 1.05, 2: 1.0, 3: 0.95, 4: 0.7}[wd]
            if user.role == "finance" and self.is_month_end(i):
                f *= 1.8
            return f
        if user.shift is None:
            return {0: 1.4, 1: 1.0, 2: 1.0, 3: 0.95, 4: 0.8}.get(wd, 0.0)
        # Shift workers: five days on, two off, rotating by user; weekends lighter.
        h = zlib.crc32(user.id.encode())
        off = (h % 7, (h + 1) % 7)
        if wd in off:
            return 0.0
        return 0.75 if wd >= 5 else 1.0

    def habit_weight(self, h, i, first_of_session):
        if i < h.active_from or i >= h.active_to:
            return 0.0
        day = self.days[i]
        w = h.weight
        if h.used_day == i:
            w *= 0.35 ** h.used  # asked already today: less likely again
        if h.schedule == "monday":
            w *= 6.0 if day.weekday() == 0 else 0.15
        elif h.schedule == "month_end":
            w *= 8.0 if self.is_month_end(i) else 0.3
        elif h.schedule == "shift_start":
            w *= 5.0 if first_of_session else 0.3
        return w

    def session_start(self, user, day):
        rng = self.rng
        if self.shape == "analytics":
            hour = weighted(rng, [h for h, _ in self.d.roles[user.role]["hours"]],
                            [w for _, w in self.d.roles[user.role]["hours"]])
            return dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60),
                               rng.randrange(60))
        if user.shift is None:
            hour = weighted(rng, [7, 8, 9, 10, 11, 13, 14, 15, 16, 17],
                            [1, 4, 3, 2, 2, 1, 2, 2, 1, 1])
            if day.weekday() == 0 and rng.random() < 0.4:
                hour = 8
        else:
            base = {"day": 6, "late": 14, "night": 22}[user.shift]
            # Most questions at hand-over, the rest spread over the eight hours.
            off = 0 if rng.random() < 0.35 else rng.randrange(8)
            hour = base + off
        t = dt.datetime(day.year, day.month, day.day) + dt.timedelta(
            hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))
        return t

    # -- questions -------------------------------------------------------------------------------

    def habit_question(self, u, h, day):
        i = (day - self.days[0]).days
        if h.used_day != i:
            h.used_day, h.used = i, 0
        h.used += 1
        prefix = h.prefix if self.rng.random() < 0.92 else h.alt_prefix
        text = self.render(h.template, h.slots, day)
        return Question(self.finish(u, text, h.np, prefix, h.qmark), dict(h.slots), "habit")

    def role_question(self, u, day):
        rng, d = self.rng, self.d
        standard = self.standard.get(u.role)
        if standard and rng.random() < 0.75:
            h = rng.choice(standard)
            q = self.habit_question(u, h, day)
            q.kind = "role"
            return q, list(h.chain) if rng.random() < 0.7 else []
        # A role-typical question with fresh slots.
        tpl, np_form = rng.choice(d.role_templates[u.role] + d.generic[:6])
        slots = self.choose_slots(d.roles[u.role])
        slots["tnumbers"] = None
        text = self.render(tpl, slots, day)
        return Question(self.finish(u, text, np_form, u.style["prefix"], False), slots,
                        "role"), []

    def oneoff_question(self, u, day):
        rng, d = self.rng, self.d
        slots = self.choose_slots(d.roles[u.role], broad=rng.random() < 0.5)
        slots["tnumbers"] = None
        if rng.random() < 0.5:
            text = self.render(rng.choice(d.oneoff_free), slots, day)
            np_form = False
        else:
            tpl, np_form = rng.choice(d.generic + [t for r in d.role_templates
                                                   for t in d.role_templates[r]])
            text = self.render(tpl, slots, day)
        prefix = rng.choice(d.prefixes)
        return Question(self.finish(u, text, np_form, prefix, rng.random() < 0.3), slots,
                        "oneoff")

    def followup_question(self, u, prev, day, template=None, keep=False):
        rng = self.rng
        slots = dict(prev.slots)
        if not keep:
            # What the follow-up switches to: the user's own favourites first.
            slots["d2"] = self.favourite([x for x in u.style["dims"] if x != slots["d"]],
                                         slots["d2"])
            values = self.d.filters[slots["fdim"]][0]
            slots["fv2"] = self.favourite([v for v in values if v != slots["fv"]], slots["fv2"])
            slots["m2"] = self.favourite([x for x in u.style["metrics"] if x != slots["m"]],
                                         slots["m2"])
        if template is None:
            template = (self.favourite(u.style["follow"], None) if rng.random() < 0.6
                        else rng.choice(self.d.followups))
        tpl = template
        text = self.render(tpl, slots, day)
        if u.style["caps"]:
            text = text[0].upper() + text[1:]
        return Question(text, slots, "followup")

    def favourite(self, ordered, default):
        """The first of `ordered` half of the time, the second a quarter, ..."""
        for x in ordered:
            if self.rng.random() < 0.5:
                return x
        return ordered[0] if ordered else default

    def session(self, u, i, first_of_day):
        """The questions of one session, each with its offset in seconds from the start."""
        rng, d = self.rng, self.d
        day = self.days[i]
        x = rng.random()
        chain = []
        incident = self.incident_on(i) if self.shape == "operations" else None
        if incident and u.role in ("sre", "logistics", "ops_manager", "team_lead") and \
                rng.random() < 0.45:
            q = self.incident_question(u, incident, day)
        elif x < d.opener_habit:
            ws = [self.habit_weight(h, i, first_of_day) for h in u.habits]
            if sum(ws) <= 0:
                q, chain = self.role_question(u, day)
            else:
                h = weighted(rng, u.habits, ws)
                q = self.habit_question(u, h, day)
                if h.chain and rng.random() < 0.75:
                    chain = list(h.chain)
        elif x < d.opener_habit + d.opener_role:
            q, chain = self.role_question(u, day)
        else:
            q = self.oneoff_question(u, day)
        out = [q]
        while len(out) < d.session_max and rng.random() < d.session_continue:
            prev = out[-1]
            if chain:
                tpl, keep = chain.pop(0)
                out.append(self.followup_question(u, prev, day, tpl, keep))
            elif rng.random() < d.followup_share:
                if incident and rng.random() < 0.5 and prev.kind == "incident":
                    out.append(self.incident_question(u, incident, day))
                else:
                    out.append(self.followup_question(u, prev, day))
            elif rng.random() < 0.6 and u.habits:
                ws = [self.habit_weight(h, i, False) for h in u.habits]
                if sum(ws) > 0:
                    h = weighted(rng, u.habits, ws)
                    out.append(self.habit_question(u, h, day))
                    chain = list(h.chain) if rng.random() < 0.5 else []
                else:
                    q, chain = self.role_question(u, day)
                    out.append(q)
            else:
                out.append(self.oneoff_question(u, day))
        return out

    # -- incidents (operations) ------------------------------------------------------------------

    def plan_incidents(self):
        self.incidents = {}
        if self.shape != "operations":
            return
        rng = self.rng
        n = max(1, len(self.days) // 10)
        for _ in range(n):
            start = rng.randrange(len(self.days))
            length = rng.choice([1, 2, 2, 3])
            dim = rng.choice(["service", "carrier", "warehouse"])
            value = rng.choice(self.d.filters[dim][0])
            metric = {"service": ["error_rate", "latency", "incidents"],
                      "carrier": ["late_deliveries", "delivery_time"],
                      "warehouse": ["stockouts", "pick_rate", "orders_shipped"]}[dim]
            for k in range(start, min(len(self.days), start + length)):
                self.incidents[k] = (dim, value, metric)

    def incident_on(self, i):
        return self.incidents.get(i)

    def incident_question(self, u, incident, day):
        rng = self.rng
        dim, value, metrics = incident
        slots = self.choose_slots(self.d.roles[u.role])
        slots.update(m=rng.choice(metrics), fdim=dim, fv=value, ffmt="for {v}",
                     e={"service": "incident_reports", "carrier": "orders",
                        "warehouse": "skus"}[dim], tnumbers=None)
        text = self.render(rng.choice(self.d.incident_templates), slots, day)
        if u.style["caps"]:
            text = text[0].upper() + text[1:]
        return Question(text, slots, "incident")

    # -- the log ---------------------------------------------------------------------------------

    def calibrate(self, users):
        target = self.d.questions_per_user_week * self.weeks * len(users)
        expected = 0.0
        for u in users:
            for i in range(u.join_day, len(self.days)):
                if self.is_workday(self.days[i], u):
                    expected += u.rate * self.day_factor(i, u)
        return target / expected if expected else 1.0

    def response(self, failed):
        rng = self.rng
        ms = int(rng.lognormvariate(5.3, 0.7))
        if failed:
            return {"error": rng.choice(["query timed out", "column not found",
                                         "permission denied on table",
                                         "ambiguous metric"]),
                    "metadata": {"execution_time_ms": ms}}
        rows = rng.choice([1, 4, 5, 10, 12, 20, 50])
        return {"data": [{"value": round(rng.uniform(10, 100000), 2)}],
                "metadata": {"execution_time_ms": ms, "row_count": rows}}

    def generate(self):
        rng, d = self.rng, self.d
        self.plan_incidents()
        users = self.make_users()
        scale = self.calibrate(users)
        mean_session = 1.0 / (1.0 - d.session_continue)
        events = []
        for i, day in enumerate(self.days):
            for u in users:
                if i < u.join_day or not self.is_workday(day, u):
                    continue
                lam = u.rate * scale * self.day_factor(i, u)
                n_sessions = poisson(rng, lam / min(mean_session, d.session_max / 2))
                starts = sorted(self.session_start(u, day) for _ in range(n_sessions))
                for s_idx, t0 in enumerate(starts):
                    t = t0
                    for q in self.session(u, i, s_idx == 0):
                        text = q.text
                        if rng.random() < d.typo_share:
                            text = typo(rng, text)
                        self.emit(events, u, t, text)
                        t += dt.timedelta(seconds=int(rng.uniform(35, 240)))
        events.sort(key=lambda e: (e[0], e[1]))
        return users, [e[2] for e in events]

    def emit(self, events, u, t, text):
        rng = self.rng
        meta = {"connection_id": self.d.connection_id, "role": u.role}
        self.seq += 1
        if rng.random() < 0.05:
            click_t = t - dt.timedelta(seconds=4)
            events.append((click_t, self.seq, {
                "user_id": u.id, "role": u.role, "activity_type": "suggestion_click",
                "suggestion_clicked": text, "created_at": iso(click_t), "metadata": dict(meta)}))
            self.seq += 1
        events.append((t, self.seq, {
            "user_id": u.id, "role": u.role, "activity_type": "query", "query_text": text,
            "created_at": iso(t), "response_data": self.response(rng.random() < 0.03),
            "metadata": dict(meta)}))
        if rng.random() < 0.04:
            self.seq += 1
            fb_t = t + dt.timedelta(seconds=int(rng.uniform(15, 90)))
            events.append((fb_t, self.seq, {
                "user_id": u.id, "role": u.role, "activity_type": "feedback",
                "feedback_rating": weighted(rng, [1, 2, 3, 4, 5], [1, 1, 2, 4, 5]),
                "created_at": iso(fb_t), "metadata": dict(meta)}))


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", choices=sorted(SHAPES), default="analytics")
    ap.add_argument("--users", type=int, default=0,
                    help="users (default: 200 for analytics, 360 for operations)")
    ap.add_argument("--weeks", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", default="2026-08-31", help="first day (YYYY-MM-DD), UTC")
    ap.add_argument("--stats", action="store_true", help="print a summary to stderr")
    args = ap.parse_args(argv)
    if args.users < 0 or args.weeks < 1:
        ap.error("--users must be positive and --weeks at least 1")
    start = dt.date.fromisoformat(args.start)
    g = Generator(args.shape, args.users, args.weeks, args.seed, start)
    users, lines = g.generate()
    out = sys.stdout
    out.write(json.dumps({"catalog": g.d.catalog()}, separators=(",", ":")) + "\n")
    for line in lines:
        out.write(json.dumps(line, separators=(",", ":")) + "\n")
    if args.stats:
        q = sum(1 for x in lines if x["activity_type"] == "query")
        roles = {}
        for u in users:
            roles[u.role] = roles.get(u.role, 0) + 1
        print(f"{args.shape}: {len(users)} users {roles}, {q} queries, {len(lines)} lines, "
              f"{lines[0]['created_at']} .. {lines[-1]['created_at']}", file=sys.stderr)


if __name__ == "__main__":
    main()
