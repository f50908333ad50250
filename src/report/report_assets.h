#pragma once
// Scripts and styles the HTML report inlines, embedded at build time (src/CMakeLists.txt): uPlot
// from web/node_modules (npm package uplot) and the page's own report_page.js / report_page.css.
namespace pianokpm::report_assets {

extern const char* const uplot_js;
extern const char* const uplot_css;
extern const char* const page_js;
extern const char* const page_css;

}  // namespace pianokpm::report_assets
