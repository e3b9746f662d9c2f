// The OpenAPI 3.1 contract of every route, http/openapi.json, built into the binary so that
// `GET /openapi.json` always describes the server that answers it.
#pragma once
#include <string_view>

namespace foresight {

std::string_view openapi_document();

} // namespace foresight
