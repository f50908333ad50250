#include "live/osc_output.h"

#include <fmt/format.h>

#include <stdexcept>

#include "core/input_error.h"
#include "core/stream_layout.h"
#include "model/model_config.h"

namespace pianokpm::live {

void OscOptions::check() const {
  if (host.empty()) throw std::invalid_argument("--osc: the host is empty");
  const int p = port.empty() ? 0 : std::atoi(port.c_str());
  if (p < 1 || p > 65535 || port.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("--osc: the port must be 1..65535, not '" + port + "'");
  if (!(rate_hz > 0) || rate_hz > kReleaseLayout.emg_rate_hz)
    throw std::invalid_argument(fmt::format("--osc-rate must be in (0, {:g}] rows per second", kReleaseLayout.emg_rate_hz));
}

OscOptions parse_osc_target(const std::string& text) {
  OscOptions o;
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    o.port = text;
  } else {
    o.host = text.substr(0, colon);
    o.port = text.substr(colon + 1);
  }
  return o;
}

OscOutput::OscOutput(const OscOptions& options) : options_(options) {
  options_.check();
  address_ = lo_address_new(options_.host.c_str(), options_.port.c_str());
  if (!address_) throw InputError("--osc " + options_.host + ":" + options_.port, "not a usable UDP address");
}

OscOutput::~OscOutput() {
  if (address_) lo_address_free(address_);
}

void OscOutput::on_start(const SourceInfo& source) { per_hand_ = source.hands.size() > 1; }

void OscOutput::on_emg(const EmgRows& rows, const LiveStats& stats) {
  const auto& names = muscle_names();
  const std::string prefix = per_hand_ ? "/pianokpm/" + rows.hand : "/pianokpm";
  double& next_time_s = next_time_s_.try_emplace(rows.hand, -1.0).first->second;
  const auto& chunk = rows.chunk;
  const float* emg = chunk.emg.data_ptr<float>();
  const int64_t channels = chunk.emg.size(1);
  for (size_t r = 0; r < chunk.times_s.size(); ++r) {
    const double t = chunk.times_s[r];
    if (t < next_time_s) continue;
    next_time_s = (next_time_s < 0 || t - next_time_s > 1.0 / options_.rate_hz ? t : next_time_s) + 1.0 / options_.rate_hz;
    const float* row = emg + r * channels;
    lo_bundle bundle = lo_bundle_new(LO_TT_IMMEDIATE);
    lo_message all = lo_message_new();
    lo_message_add_float(all, static_cast<float>(t));
    lo_message_add_float(all, rows.latency_ms[r]);
    for (int64_t c = 0; c < channels; ++c) lo_message_add_float(all, row[c]);
    lo_bundle_add_message(bundle, (prefix + "/emg").c_str(), all);
    for (int64_t c = 0; c < channels; ++c) {
      lo_message one = lo_message_new();
      lo_message_add_float(one, row[c]);
      lo_bundle_add_message(bundle, (prefix + "/muscle/" + names[static_cast<size_t>(c)]).c_str(), one);
    }
    // A receiver that is not (yet) listening is not an error for UDP: the rows are just not heard.
    lo_send_bundle(address_, bundle);
    lo_bundle_free_recursive(bundle);
    ++sent_;
  }
  lo_send(address_, "/pianokpm/status", "ffii", static_cast<float>(stats.media_time_s), static_cast<float>(stats.fps),
          static_cast<int32_t>(stats.frames_dropped), static_cast<int32_t>(stats.frames_with_hand));
}

}  // namespace pianokpm::live
