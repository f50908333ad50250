#pragma once
// The viewer's page of `pianokpm serve`, embedded at build time (src/CMakeLists.txt) from
// remote_page_body.html, remote_page.js and remote_page.css; uPlot comes from report/report_assets.h.
namespace pianokpm::remote_assets {

extern const char* const page_body;
extern const char* const page_js;
extern const char* const page_css;

}  // namespace pianokpm::remote_assets
