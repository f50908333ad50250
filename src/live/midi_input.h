#pragma once
// Live keystrokes from a MIDI input port (RtMidi, Debian's librtmidi-dev): note-on and note-off
// become LiveKeys notes at the media time they arrive (`media_now`). Other messages are ignored.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "live/live_keys.h"

class RtMidiIn;

namespace pianokpm::live {

class MidiInput {
 public:
  // `port`: an index or part of a port's name. Throws InputError naming it when there is no MIDI
  // system (e.g. no ALSA sequencer) or no such port (the message lists the ports there are).
  MidiInput(const std::string& port, LiveKeys& keys, std::function<double()> media_now);
  ~MidiInput();
  const std::string& port_name() const { return name_; }
  static std::vector<std::string> port_names();

 private:
  static void on_message(double delta_s, std::vector<unsigned char>* message, void* self);
  std::unique_ptr<RtMidiIn> in_;
  LiveKeys& keys_;
  std::function<double()> media_now_;
  std::string name_;
};

}  // namespace pianokpm::live
