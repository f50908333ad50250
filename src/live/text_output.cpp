#include "live/text_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "core/input_error.h"
#include "model/model_config.h"

namespace pianokpm::live {

TextFormat parse_text_format(const std::string& text) {
  if (text == "csv") return TextFormat::kCsv;
  if (text == "ndjson") return TextFormat::kNdjson;
  throw std::invalid_argument("--format must be csv or ndjson, not '" + text + "'");
}

std::string format_row(TextFormat format, double time_s, float latency_ms, const float* emg, const std::string& hand) {
  const auto& names = muscle_names();
  std::string line;
  if (format == TextFormat::kCsv) {
    line = fmt::format("{:.6f},{:.1f}", time_s, latency_ms);
    if (!hand.empty()) line += "," + hand;
    for (size_t c = 0; c < names.size(); ++c) line += fmt::format(",{:.6f}", emg[c]);
    return line;
  }
  line = fmt::format("{{\"time_s\":{:.6f},\"latency_ms\":{:.1f},", time_s, latency_ms);
  if (!hand.empty()) line += fmt::format("\"hand\":\"{}\",", hand);
  line += "\"emg\":{";
  for (size_t c = 0; c < names.size(); ++c) line += fmt::format("{}\"{}\":{:.6f}", c ? "," : "", names[c], emg[c]);
  return line + "}}";
}

TextOutput::TextOutput(const std::string& path, TextFormat format, int max_pending_chunks)
    : path_(path), format_(format), pending_(static_cast<size_t>(std::max(1, max_pending_chunks)), WhenFull::kDropOldest) {}

void TextOutput::on_start(const SourceInfo& source) {
  with_hand_ = source.hands.size() > 1;
  if (path_ == "-") {
    file_ = stdout;
  } else {
    file_ = std::fopen(path_.c_str(), "w");
    if (!file_) throw InputError(path_, "cannot be created");
    owned_ = true;
  }
  if (format_ == TextFormat::kCsv) {
    std::string header = with_hand_ ? "time_s,latency_ms,hand" : "time_s,latency_ms";
    for (const auto& n : muscle_names()) header += "," + n;
    fmt::print(file_, "{}\n", header);
    std::fflush(file_);
  }
  writer_ = std::thread([this] { write_lines(); });
}

TextOutput::~TextOutput() {
  pending_.close();
  if (writer_.joinable()) writer_.join();
  if (owned_ && file_) std::fclose(file_);
}

void TextOutput::write_lines() {
  while (std::optional<std::string> text = pending_.pop()) {
    if (failed_) continue;
    if (std::fwrite(text->data(), 1, text->size(), file_) != text->size() || std::fflush(file_) != 0) failed_ = true;
  }
}

void TextOutput::on_emg(const EmgRows& rows, const LiveStats&) {
  const auto& chunk = rows.chunk;
  const float* emg = chunk.emg.data_ptr<float>();
  const int64_t channels = chunk.emg.size(1);
  std::string text;
  for (size_t r = 0; r < chunk.times_s.size(); ++r)
    text += format_row(format_, chunk.times_s[r], rows.latency_ms[r], emg + r * channels, with_hand_ ? rows.hand : "") + "\n";
  if (failed_) throw InputError(path_, "cannot be written (disk full, or the reader went away?)");
  pending_.push(std::move(text));
}

void TextOutput::on_end(const LiveStats&) {
  pending_.close();
  if (writer_.joinable()) writer_.join();
  if (file_) std::fflush(file_);
  if (failed_) throw InputError(path_, "cannot be written (disk full, or the reader went away?)");
  if (chunks_dropped() > 0)
    fmt::print(stderr, "pianokpm: warning: {}: the reader fell behind; {} model runs' rows were left out\n", path_,
               chunks_dropped());
}

}  // namespace pianokpm::live
