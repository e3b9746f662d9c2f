// Connection catalogs: list, read, create or replace.
#include "core/payloads.hpp"
#include "core/views.hpp"
#include "http/routes/route_table.hpp"

namespace foresight {

namespace {

std::string catalog_body(const connection_catalog& c) {
  json_writer w;
  write_catalog(w, c);
  return w.take();
}

} // namespace

void handle_list_connections(route_context& ctx, route_call& call) {
  ctx.app.list_catalogs(call.user, call.reply_with<catalog_list>([](catalog_list& list) {
    json_writer w;
    w.begin_object().key("connections").begin_array();
    for (auto& c : list.items)
      write_catalog(w, c);
    w.end_array().key("count").value(static_cast<std::int64_t>(list.items.size()));
    w.end_object();
    return json_response(200, w.take());
  }));
}

void handle_get_connection(route_context& ctx, route_call& call) {
  ctx.app.get_catalog(call.user, call.param(0),
                      call.reply_with<connection_catalog>([](connection_catalog& c) {
                        return json_response(200, catalog_body(c));
                      }));
}

void handle_put_connection(route_context& ctx, route_call& call) {
  connection_catalog c;
  if (auto e = parse_catalog(call.req.body, c))
    return call.fail(e);
  c.id = call.param(0);
  ctx.app.put_catalog(call.user, std::move(c),
                      call.reply_with<connection_catalog>([](connection_catalog& stored) {
                        return json_response(stored.version == 1 ? 201 : 200,
                                             catalog_body(stored));
                      }));
}

} // namespace foresight
