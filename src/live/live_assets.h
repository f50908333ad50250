#pragma once
// The live view's own markup, script and styles, embedded at build time (src/CMakeLists.txt) from
// live_page_body.html, live_page.js and live_page.css; uPlot comes from report/report_assets.h.
namespace pianokpm::live_assets {

extern const char* const page_body;
extern const char* const page_js;
extern const char* const page_css;

}  // namespace pianokpm::live_assets
