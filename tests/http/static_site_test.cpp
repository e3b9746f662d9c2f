// static_site: what a URL path reaches, and revalidation.
#include "http/static_site.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace foresight;
namespace fs = std::filesystem;

namespace {

struct web_root {
  fs::path root = fs::temp_directory_path() / ("static-site-" + std::to_string(::getpid()));
  web_root() {
    fs::remove_all(root);
    write("console/index.html", "<!doctype html><title>c</title>");
    write("console/app.js", "export {};");
    write("docs/index.html", "<!doctype html><title>d</title>");
    write("vendor/lib.js", "var x;");
    write("secrets/key.pem", "private");
    write("top.txt", "top");
    fs::create_directories(root / "outside");
    write("outside/real.txt", "real");
    fs::create_symlink(root / "outside/real.txt", root / "console/link.txt");
  }
  ~web_root() { fs::remove_all(root); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(static_files)

BOOST_AUTO_TEST_CASE(pages_and_assets_are_found_with_their_types) {
  web_root w;
  auto site = static_site::load(w.root.string());
  auto* index = site.find("/");
  BOOST_REQUIRE(index != nullptr);
  BOOST_TEST(index->body == "<!doctype html><title>c</title>");
  BOOST_TEST(index->content_type == "text/html; charset=utf-8");
  BOOST_REQUIRE(site.find("/docs") != nullptr);
  BOOST_TEST(site.find("/docs")->body.find("<title>d</title>") != std::string::npos);
  BOOST_REQUIRE(site.find("/console/app.js") != nullptr);
  BOOST_TEST(site.find("/console/app.js")->content_type == "text/javascript; charset=utf-8");
  BOOST_TEST(site.find("/vendor/lib.js") != nullptr);
}

BOOST_AUTO_TEST_CASE(nothing_outside_the_three_folders_is_reachable) {
  web_root w;
  auto site = static_site::load(w.root.string());
  BOOST_TEST(site.find("/secrets/key.pem") == nullptr);
  BOOST_TEST(site.find("/top.txt") == nullptr);
  BOOST_TEST(site.find("/console/../secrets/key.pem") == nullptr);
  BOOST_TEST(site.find("/console/link.txt") == nullptr); // symlinks are not followed
  BOOST_TEST(site.find("/console/missing.js") == nullptr);
  BOOST_TEST(site.find("/console") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_missing_root_serves_nothing) {
  BOOST_TEST(static_site::load("/nonexistent/web").size() == 0u);
  BOOST_TEST(static_site::load("").find("/") == nullptr);
}

BOOST_AUTO_TEST_CASE(etags_follow_the_contents) {
  web_root w;
  auto before = static_site::load(w.root.string()).find("/console/app.js")->etag;
  BOOST_TEST(before.size() == 34u);
  BOOST_TEST(before.front() == '"');
  w.write("console/app.js", "export const changed = 1;");
  auto after = static_site::load(w.root.string()).find("/console/app.js")->etag;
  BOOST_TEST(before != after);
  BOOST_TEST(etag_matches(after, after));
  BOOST_TEST(etag_matches("\"x\", " + after, after));
  BOOST_TEST(etag_matches("W/" + after, after));
  BOOST_TEST(etag_matches("*", after));
  BOOST_TEST(!etag_matches(before, after));
  BOOST_TEST(!etag_matches("", after));
}

BOOST_AUTO_TEST_CASE(types_by_extension) {
  BOOST_TEST(static_site::content_type_for("a.css") == "text/css; charset=utf-8");
  BOOST_TEST(static_site::content_type_for("a.svg") == "image/svg+xml");
  BOOST_TEST(static_site::content_type_for("a.json") == "application/json");
  BOOST_TEST(static_site::content_type_for("Makefile") == "application/octet-stream");
}

BOOST_AUTO_TEST_SUITE_END()
