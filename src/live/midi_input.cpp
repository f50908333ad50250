#include "live/midi_input.h"

#include <fmt/format.h>
#include <rtmidi/RtMidi.h>

#include "core/input_error.h"

namespace pianokpm::live {

namespace {

std::unique_ptr<RtMidiIn> open_midi_system(const std::string& what) {
  try {
    return std::make_unique<RtMidiIn>(RtMidi::UNSPECIFIED, "pianokpm");
  } catch (const RtMidiError& e) {
    throw InputError(what, "no MIDI system to read from (" + e.getMessage() + ")");
  }
}

}  // namespace

std::vector<std::string> MidiInput::port_names() {
  std::vector<std::string> names;
  std::unique_ptr<RtMidiIn> in = open_midi_system("MIDI input");
  for (unsigned i = 0; i < in->getPortCount(); ++i) names.push_back(in->getPortName(i));
  return names;
}

MidiInput::MidiInput(const std::string& port, LiveKeys& keys, std::function<double()> media_now)
    : in_(open_midi_system("--midi-in " + port)), keys_(keys), media_now_(std::move(media_now)) {
  const unsigned count = in_->getPortCount();
  std::vector<std::string> names;
  for (unsigned i = 0; i < count; ++i) names.push_back(in_->getPortName(i));
  unsigned chosen = count;
  if (!port.empty() && port.find_first_not_of("0123456789") == std::string::npos && std::stoul(port) < count) {
    chosen = static_cast<unsigned>(std::stoul(port));
  } else {
    for (unsigned i = 0; i < count && chosen == count; ++i)
      if (names[i].find(port) != std::string::npos) chosen = i;
  }
  if (chosen == count)
    throw InputError("--midi-in " + port, count == 0
                                              ? "no MIDI input port exists on this machine"
                                              : fmt::format("no such MIDI input port; there are: {}", fmt::join(names, "; ")));
  name_ = names[chosen];
  in_->setCallback(&MidiInput::on_message, this);
  in_->ignoreTypes(true, true, true);
  in_->openPort(chosen, "pianokpm live");
}

MidiInput::~MidiInput() {
  if (in_) {
    in_->cancelCallback();
    in_->closePort();
  }
}

void MidiInput::on_message(double, std::vector<unsigned char>* message, void* self) {
  auto* input = static_cast<MidiInput*>(self);
  if (!message || message->size() < 3) return;
  const unsigned status = (*message)[0] & 0xF0u;
  const int pitch = (*message)[1], velocity = (*message)[2];
  const double now = input->media_now_();
  if (status == 0x90 && velocity > 0)
    input->keys_.note_on(now, pitch, velocity);
  else if (status == 0x80 || (status == 0x90 && velocity == 0))
    input->keys_.note_off(now, pitch);
}

}  // namespace pianokpm::live
