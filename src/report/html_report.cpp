#include "report/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "analysis/emg_analysis.h"
#include "analysis/muscles.h"
#include "io/atomic_file.h"
#include "core/input_error.h"
#include "report/report_assets.h"

namespace pianokpm {

namespace {

std::string escape_html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON inside <script>: "<" only occurs in its strings, where \u003c reads the same and cannot
// end or confuse the element.
std::string script_safe(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out += c == '<' ? std::string("\\u003c") : std::string(1, c);
  return out;
}

std::string percent_encoded(const std::string& s) {
  std::string out;
  for (unsigned char c : s)
    out += std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '/' ? std::string(1, static_cast<char>(c))
                                                                           : fmt::format("%{:02X}", c);
  return out;
}

std::string base64(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const uint32_t b0 = static_cast<unsigned char>(bytes[i]);
    const uint32_t b1 = i + 1 < bytes.size() ? static_cast<unsigned char>(bytes[i + 1]) : 0;
    const uint32_t b2 = i + 2 < bytes.size() ? static_cast<unsigned char>(bytes[i + 2]) : 0;
    const uint32_t v = (b0 << 16) | (b1 << 8) | b2;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? table[v & 63] : '=';
  }
  return out;
}

// [N, 6] -> six arrays of bin means at the display rate, 4 significant digits.
std::string trace_json(const torch::Tensor& emg, double rate_hz, double display_hz) {
  const torch::Tensor e = emg.to(torch::kFloat).contiguous();
  const int64_t n = e.size(0), channels = e.size(1);
  const double step = rate_hz / display_hz;
  const auto bins = std::max<int64_t>(1, static_cast<int64_t>(std::floor(static_cast<double>(n) / step)));
  const float* p = e.data_ptr<float>();
  std::string out = "[";
  for (int64_t c = 0; c < channels; ++c) {
    out += c ? ",[" : "[";
    for (int64_t b = 0; b < bins; ++b) {
      const auto from = static_cast<int64_t>(std::floor(b * step));
      const auto to = std::clamp<int64_t>(static_cast<int64_t>(std::floor((b + 1) * step)), from + 1, n);
      double sum = 0;
      for (int64_t i = from; i < to; ++i) sum += p[i * channels + c];
      const double mean = sum / static_cast<double>(to - from);
      if (b) out += ",";
      out += std::isfinite(mean) ? fmt::format("{:.4g}", mean) : "null";
    }
    out += "]";
  }
  return out + "]";
}

std::string number_cell(const nlohmann::json& v, int decimals) {
  if (!v.is_number()) return "<td>-</td>";
  return fmt::format("<td>{:.{}f}</td>", v.get<double>(), decimals);
}

std::string analysis_tables(const nlohmann::json& a) {
  std::string h;
  h += "<h3>Each muscle</h3>\n<table class=\"muscles\"><tr><th>muscle</th><th>mean activation</th><th>peak</th>"
       "<th>peak at (s)</th><th>active (% of time)</th><th>bursts</th><th>bursts per minute</th>"
       "<th>mean burst (ms)</th><th>median burst (ms)</th><th>threshold</th></tr>\n";
  for (const auto& m : a.at("muscles")) {
    h += fmt::format("<tr><td>{} ({})</td>", escape_html(m.at("muscle").get<std::string>()),
                     escape_html(m.at("name").get<std::string>()));
    h += number_cell(m.at("mean"), 4) + number_cell(m.at("peak"), 4) + number_cell(m.at("peak_time_s"), 2);
    h += number_cell(100.0 * m.at("active_fraction").get<double>(), 1);
    h += fmt::format("<td>{}</td>", m.at("burst_count").get<int64_t>());
    h += number_cell(m.at("bursts_per_minute"), 1) + number_cell(m.at("mean_burst_ms"), 0) +
         number_cell(m.at("median_burst_ms"), 0) + number_cell(m.at("threshold"), 4) + "</tr>\n";
  }
  h += "</table>\n<p class=\"muted\">A burst is a stretch where the envelope stays above its threshold: "
       "the quietest half second's mean plus 3 standard deviations, and at least a tenth of the way from there "
       "to the peak; bursts shorter than 30 ms are ignored and gaps shorter than 30 ms are bridged.</p>\n";
  h += "<h3>Co-contraction</h3>\n<table class=\"co-contraction\"><tr><th>muscles</th><th>index (%)</th></tr>\n";
  for (const auto& c : a.at("co_contraction")) {
    h += fmt::format("<tr><td>{} and {}</td>", escape_html(c.at("pair")[0].get<std::string>()),
                     escape_html(c.at("pair")[1].get<std::string>()));
    h += number_cell(c.at("index_percent"), 1) + "</tr>\n";
  }
  h += "</table>\n<p class=\"muted\">100 % when both muscles are equally active throughout, 0 % when they are "
       "never active together (Falconer &amp; Winter's index: twice the shared activation over the sum).</p>\n";
  const auto& k = a.at("keystrokes");
  if (k.is_null()) return h;
  h += fmt::format("<h3>Around the keystrokes ({} keystrokes)</h3>\n", k.at("count").get<int64_t>());
  h += "<table class=\"regions\"><tr><th>keyboard octave</th><th>keystrokes</th>";
  for (const auto& m : muscle_infos()) h += "<th>" + m.code + "</th>";
  h += "</tr>\n";
  for (const auto& r : k.at("regions")) {
    h += fmt::format("<tr><td>{}</td><td>{}</td>", escape_html(r.at("region").get<std::string>()),
                     r.at("keystrokes").get<int64_t>());
    for (const auto& m : muscle_infos()) h += number_cell(r.at("mean_activation").at(m.code), 4);
    h += "</tr>\n";
  }
  h += "</table>\n<p class=\"muted\">Mean activation of each muscle from 100 ms before to 100 ms after the keys "
       "of each octave go down.</p>\n";
  if (k.contains("fingers")) {
    h += "<table class=\"fingers\"><tr><th>finger</th><th>keystrokes</th>";
    for (const auto& m : muscle_infos()) h += "<th>" + m.code + "</th>";
    h += "</tr>\n";
    for (const auto& f : k.at("fingers")) {
      h += fmt::format("<tr><td>{}</td><td>{}</td>", escape_html(f.at("finger").get<std::string>()),
                       f.at("keystrokes").get<int64_t>());
      for (const auto& m : muscle_infos()) h += number_cell(f.at("mean_activation").at(m.code), 4);
      h += "</tr>\n";
    }
    h += "</table>\n<p class=\"muted\">The same by the finger whose tip was nearest the key played.</p>\n";
  }
  h += "<table class=\"leads\"><tr><th>muscle</th><th>keystrokes led by a burst</th><th>mean lead (ms)</th>"
       "<th>median lead (ms)</th></tr>\n";
  for (const auto& l : k.at("onset_lead")) {
    h += fmt::format("<tr><td>{}</td><td>{}</td>", escape_html(l.at("muscle").get<std::string>()),
                     l.at("keystrokes_with_onset").get<int64_t>());
    h += number_cell(l.at("mean_ms"), 0) + number_cell(l.at("median_ms"), 0) + "</tr>\n";
  }
  h += "</table>\n<p class=\"muted\">Lead: how long before a key goes down the muscle's latest burst began "
       "(bursts beginning up to 500 ms before count).</p>\n";
  return h;
}

std::string capitalised(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

// One coloured cell per window: red below the threshold, grey to green with the score.
std::string familiarity_strip(const ReportFamiliarity& f, size_t index) {
  const auto n = f.score.size();
  std::string h = fmt::format(
      "<svg class=\"familiarity-strip\" id=\"familiarity-strip-{}\" viewBox=\"0 0 {} 1\" preserveAspectRatio=\"none\" "
      "role=\"img\" aria-label=\"familiarity per window\">",
      index, n);
  for (size_t i = 0; i < n; ++i) {
    const double v = std::clamp(f.score[i], 0.0, 1.0);
    const bool low = v < f.unfamiliar_below;
    const int r = low ? 214 : static_cast<int>(std::lround(170 - 126 * v)),
              g = low ? 39 : static_cast<int>(std::lround(170 - 10 * v)),
              b = low ? 40 : static_cast<int>(std::lround(170 - 126 * v));
    h += fmt::format(
        "<rect x=\"{}\" y=\"0\" width=\"1\" height=\"1\" fill=\"rgb({},{},{})\"><title>{:g}-{:g} s: {:.2f}</title></rect>", i, r,
        g, b, static_cast<double>(i) * f.window_seconds, static_cast<double>(i + 1) * f.window_seconds, v);
  }
  return h + "</svg>\n";
}

std::string familiarity_section(const ReportContent& c) {
  std::string h;
  for (size_t i = 0; i < c.performances.size(); ++i) {
    const auto& f = c.performances[i].familiarity;
    if (!f) continue;
    if (h.empty())
      h = "<h2>How familiar the input was to the model</h2>\n<p>" + escape_html(capitalised(f->explanation)) +
          ". Each cell below is one " + fmt::format("{:g}", f->window_seconds) +
          "-s window: green familiar, grey less so, red unfamiliar (below " + fmt::format("{:g}", f->unfamiliar_below) +
          ").</p>\n";
    if (c.performances.size() > 1) h += "<h3>" + escape_html(c.performances[i].name) + "</h3>\n";
    h += "<p class=\"familiarity-summary\">" + escape_html(f->summary) + "</p>\n" + familiarity_strip(*f, i);
  }
  return h;
}

std::string metrics_table(const ReportContent& c) {
  std::string h = "<table class=\"metrics\"><tr><th>performance</th><th>RMSE</th><th>OTD</th><th>mean Pearson r</th></tr>\n";
  for (const auto& p : c.performances) {
    if (p.metrics.is_null()) continue;
    h += "<tr><td>" + escape_html(p.name) + "</td>" + number_cell(p.metrics.value("rmse", nlohmann::json()), 4) +
         number_cell(p.metrics.value("otd", nlohmann::json()), 4) +
         number_cell(p.metrics.value("pearson_mean", nlohmann::json()), 2) + "</tr>\n";
  }
  if (!c.summary.is_null()) {
    h += "<tr class=\"mean\"><th>mean</th>" + number_cell(c.summary.value("rmse", nlohmann::json()), 4) +
         number_cell(c.summary.value("otd", nlohmann::json()), 4) +
         number_cell(c.summary.value("pearson_mean", nlohmann::json()), 2) + "</tr>\n";
  }
  return h +
         "</table>\n<p class=\"muted\">RMSE: root mean squared difference between estimated and measured "
         "envelopes (lower is better). OTD: optimal transport (Sinkhorn) distance between the two clouds of "
         "six-muscle activation patterns, blind to timing (lower is better). Pearson r: how closely the "
         "estimate rises and falls with the measurement, averaged over the muscles (1 is perfect).</p>\n";
}

}  // namespace

void ReportOptions::check() const {
  if (!(display_rate_hz > 0)) throw std::invalid_argument("display_rate_hz must be positive");
  if (!(press_threshold > 0 && press_threshold <= 1)) throw std::invalid_argument("press_threshold must be in (0, 1]");
  if (max_inline_video_bytes < 0) throw std::invalid_argument("max_inline_video_bytes must be >= 0");
}

bool html_report_available() { return report_assets::uplot_js[0] != '\0'; }

std::string html_report(const ReportContent& c, const ReportOptions& o) {
  o.check();
  if (!html_report_available())
    throw std::runtime_error("this build has no uPlot (npm install in web/, then rebuild) and cannot write reports");
  if (c.performances.empty()) throw std::invalid_argument("a report needs at least one performance");
  const double display_hz = std::min(o.display_rate_hz, c.rate_hz);

  std::string data = fmt::format("{{\"display_rate_hz\":{},\"muscles\":", display_hz);
  nlohmann::json muscles = nlohmann::json::array();
  for (const auto& m : muscle_infos()) muscles.push_back({{"code", m.code}, {"name", m.name}, {"function", m.function}});
  data += muscles.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ",\"performances\":[";
  for (size_t i = 0; i < c.performances.size(); ++i) {
    const ReportPerformance& p = c.performances[i];
    if (!p.estimated.defined() && !p.measured.defined()) throw std::invalid_argument(p.name + ": no EMG to show");
    data += i ? ",{" : "{";
    data += "\"name\":" + nlohmann::json(p.name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    data += ",\"estimated\":" + (p.estimated.defined() ? trace_json(p.estimated, c.rate_hz, display_hz) : "null");
    data += ",\"measured\":" + (p.measured.defined() ? trace_json(p.measured, c.rate_hz, display_hz) : "null");
    const bool band = p.lower.defined() && p.upper.defined();
    data += ",\"lower\":" + (band ? trace_json(p.lower, c.rate_hz, display_hz) : "null");
    data += ",\"upper\":" + (band ? trace_json(p.upper, c.rate_hz, display_hz) : "null");
    data += ",\"keystrokes\":[";
    if (p.keys.defined()) {
      const auto strokes = detect_keystrokes(p.keys, o.press_threshold);
      for (size_t k = 0; k < strokes.size(); ++k)
        data +=
            fmt::format("{}[{:.3f},{}]", k ? "," : "", static_cast<double>(strokes[k].sample) / c.rate_hz, strokes[k].key + 1);
    }
    data += "]}";
  }
  data += "]}";

  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
       "style-src 'unsafe-inline'; media-src data: blob: 'self'; img-src data:\">\n";
  h += "<title>" + escape_html(c.title) + "</title>\n<style>\n" + report_assets::uplot_css + "\n" + report_assets::page_css +
       "</style>\n</head>\n<body>\n";
  h += "<h1>" + escape_html(c.title) + "</h1>\n<p class=\"provenance\">" + escape_html(c.provenance) + "</p>\n";
  if (c.synthetic_model) {
    h += "<p class=\"notice\" id=\"synthetic-notice\"><strong>Trained on synthetic data.</strong> The estimates on this "
         "page come from a model trained only on pianokpm's simulated pianists (no real EMG recordings were available "
         "to train it). They show what such a model infers from the hand's movement and the keys, not a measurement of "
         "this person's muscles.</p>\n";
  }
  for (const auto& p : c.performances) {
    if (!p.familiarity || !p.familiarity->warn) continue;
    const auto& f = *p.familiarity;
    const auto low = std::count_if(f.score.begin(), f.score.end(), [&](double v) { return v < f.unfamiliar_below; });
    h += "<p class=\"notice warning\" id=\"familiarity-warning\"><strong>Unfamiliar input.</strong> " +
         escape_html(fmt::format("{}: {} of {} windows", p.name, low, f.score.size())) +
         " look unlike anything the model was trained on, so " + escape_html(f.consequence) +
         " (see \"How familiar the input was\" below).</p>\n";
    break;
  }
  h += "<h2>What you are looking at</h2>\n<p><strong>Activation</strong> is the envelope of a muscle's "
       "electrical activity (EMG): the signal from electrodes on the skin, rectified and smoothed, so that it rises "
       "when the muscle works harder and falls to near zero at rest. Values are in the normalised units of the data "
       "the model learned from (0 = rest, about 1 = strong effort for that muscle); they are comparable over time "
       "for one muscle, not as forces. Time is in seconds from the start of the recording.</p>\n";
  h += "<table class=\"muscle-names\"><tr><th>short name</th><th>muscle</th><th>what it does</th></tr>\n";
  for (const auto& m : muscle_infos())
    h += "<tr><td>" + m.code + "</td><td>" + m.name + "</td><td>" + m.function + "</td></tr>\n";
  h += "</table>\n";

  if (!c.video_path.empty()) {
    h += "<h2>On the hand</h2>\n<p>Each muscle is drawn where it lies, coloured by its activation at that instant "
         "(dark: rest, yellow: strong); the strip below scrolls the six traces past a cursor at the current time.</p>\n";
    const auto size = std::filesystem::exists(c.video_path) ? static_cast<int64_t>(std::filesystem::file_size(c.video_path)) : -1;
    if (size < 0) throw InputError(c.video_path, "overlay video not found");
    const std::string type = std::filesystem::path(c.video_path).extension() == ".avi" ? "video/x-msvideo" : "video/mp4";
    if (size <= o.max_inline_video_bytes) {
      h += "<video id=\"overlay\" controls muted src=\"data:" + type + ";base64," + base64(read_file(c.video_path)) +
           "\"></video>\n";
    } else {
      const std::string name = std::filesystem::path(c.video_path).filename().string();
      h += "<p>The overlay video is too large to include here: open <a href=\"./" + escape_html(percent_encoded(name)) + "\">" +
           escape_html(name) + "</a>, to be kept beside this file.</p>\n";
    }
  }

  h += "<h2>Muscle activity over time</h2>\n<div class=\"controls\">";
  if (c.performances.size() > 1) {
    h += "<label>performance <select id=\"performance\">";
    for (size_t i = 0; i < c.performances.size(); ++i)
      h += fmt::format("<option value=\"{}\">{}</option>", i, escape_html(c.performances[i].name));
    h += "</select></label> ";
  }
  h += "<button id=\"earlier\">&larr; earlier</button><button id=\"later\">later &rarr;</button>"
       "<button id=\"zoom-in\">zoom in</button><button id=\"zoom-out\">zoom out</button><button id=\"reset\">whole "
       "recording</button> <span class=\"muted\">Showing <span id=\"shown\"></span>. Drag across a chart to zoom into "
       "that time; hover to read values (shown as averages over 1/" +
       fmt::format("{:g}", display_hz) + " s).</span></div>\n<div id=\"traces\"></div>\n";

  h += familiarity_section(c);
  if (!c.summary.is_null() ||
      std::any_of(c.performances.begin(), c.performances.end(), [](const auto& p) { return !p.metrics.is_null(); })) {
    h += "<h2>Estimated against measured</h2>\n" + metrics_table(c);
  }
  for (const auto& p : c.performances) {
    if (p.analysis.is_null()) continue;
    h += "<h2>Analysis" + (c.performances.size() > 1 ? " of " + escape_html(p.name) : std::string()) + "</h2>\n";
    h += "<div class=\"analysis\" data-performance=\"" + escape_html(p.name) + "\">\n" + analysis_tables(p.analysis) + "</div>\n";
  }
  h += "<p class=\"muted\">Made by pianokpm (PianoKPM Net in C++). This page needs no network; it can be passed on as "
       "one file.</p>\n";
  h += "<script type=\"application/json\" id=\"pianokpm-data\">" + script_safe(data) + "</script>\n";
  h += "<script>" + std::string(report_assets::uplot_js) + "</script>\n<script>" + report_assets::page_js + "</script>\n";
  h += "</body>\n</html>\n";
  return h;
}

void write_html_report(const ReportContent& content, const ReportOptions& options, const std::string& out_path) {
  write_file_atomically(out_path, html_report(content, options));
}

}  // namespace pianokpm
