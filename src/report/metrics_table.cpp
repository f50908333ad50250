#include "report/metrics_table.h"

#include <fmt/format.h>

#include "analysis/muscles.h"

namespace pianokpm {

namespace {

std::string number(const nlohmann::json& v, const char* spec = "{:.4f}") {
  return v.is_number() ? fmt::format(fmt::runtime(spec), v.get<double>()) : std::string("-");
}

}  // namespace

std::string metrics_markdown(const nlohmann::json& metrics) {
  const nlohmann::json& rows = metrics.at("performances");
  const nlohmann::json& mean = metrics.at("mean");
  std::string md = fmt::format("# {} on `{}` ({} performances)\n\nModel `{}` ({}, {}).\n\n", metrics.at("set").get<std::string>(),
                               metrics.at("split").get<std::string>(), rows.size(), metrics.at("model").get<std::string>(),
                               metrics.at("architecture").get<std::string>(), metrics.at("modality").get<std::string>());
  md += "| performance | RMSE | OTD | onset error (ms) |";
  for (const auto& m : muscle_infos()) md += " r " + m.code + " |";
  md += "\n|---|---|---|---|";
  for (size_t i = 0; i < muscle_infos().size(); ++i) md += "---|";
  md += "\n";
  auto add_row = [&](const std::string& label, const nlohmann::json& r, const nlohmann::json& pearson) {
    md += fmt::format("| {} | {} | {} | {} ", label, number(r.at("rmse")), number(r.at("otd")),
                      number(r.at("onset_error_ms"), "{:.1f}"));
    for (const auto& v : pearson) md += "| " + number(v, "{:.3f}") + " ";
    md += "|\n";
  };
  for (const auto& r : rows) add_row(r.at("name").get<std::string>(), r, r.at("pearson"));
  nlohmann::json mean_pearson = nlohmann::json::array();
  for (const auto& m : muscle_infos()) mean_pearson.push_back(mean.at("pearson").at(m.code));
  add_row("**mean**", mean, mean_pearson);
  if (metrics.contains("interval_level")) {
    md += fmt::format("\nCoverage of the {:.0f}% interval (share of samples inside it): ",
                      100 * metrics.at("interval_level").get<double>());
    for (const auto& [name, v] : mean.at("coverage").items()) md += fmt::format("{} {:.3f}, ", name, v.get<double>());
    md += fmt::format("all {:.3f}; mean width {:.4f}.\n", mean.at("coverage_all").get<double>(),
                      mean.at("interval_width").get<double>());
  }
  if (mean.contains("rmse_offline")) {
    std::string hop;
    if (metrics.contains("stream_hop_s"))
      hop = fmt::format(", one window every {:g} s", metrics.at("stream_hop_s").get<double>());
    md += fmt::format(
        "\nPredicted as `pianokpm live` streams{} (the table's figures): the offline prediction's RMSE is {}, "
        "and the RMSE between the streamed and offline predictions is {}.\n",
        hop, number(mean.at("rmse_offline")), number(mean.at("rmse_to_offline")));
  }
  return md;
}

}  // namespace pianokpm
