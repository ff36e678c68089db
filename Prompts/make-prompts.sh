#!/bin/sh
# Makes the shipped prompt set: 8 kHz mono 16-bit WAV files read by ccengine (media.prompts).
# Speech by espeak-ng (voice en-us, 150 words/min), converted by sox; the hold music and the beep
# are synthesized by sox. Same tools, same files: run it again after changing a line below.
#   apt-get install -y espeak-ng sox      (make deps installs both)
set -eu
cd "$(dirname "$0")"
say() {  # say NAME "TEXT"
    espeak-ng -v en-us -s 150 -w "/tmp/prompt-$$.wav" "$2"
    sox -R -D "/tmp/prompt-$$.wav" -r 8000 -c 1 -b 16 -e signed-integer "$1.wav" norm -3
    rm -f "/tmp/prompt-$$.wav"
}
say welcome "Thank you for calling. Please hold, and the next available agent will answer."
say caller-number "You are caller number"
say estimated-wait "Your estimated wait is"
say minute "minute"
say minutes "minutes"
say seconds "seconds"
say thank-you "Thank you for waiting. Your call is important to us."
say voicemail-greeting "Nobody can take your call now. Please leave a message after the tone, then hang up or press the pound key."
say invalid-option "That is not a valid option."
for n in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 30 40 50 60 70 80 90; do say "$n" "$n"; done
# A beep: 1 kHz, 250 ms.
sox -R -D -n -r 8000 -c 1 -b 16 -e signed-integer beep.wav synth 0.25 sine 1000 vol 0.5
# Hold music: a slow arpeggio (A minor, F, C, G), 16 notes of half a second, looped by the engine.
notes=""
i=0
for note in A3 C4 E4 C4 F3 A3 C4 A3 C4 E4 G4 E4 G3 B3 D4 B3; do
    i=$((i + 1))
    sox -R -D -n -r 8000 -c 1 -b 16 -e signed-integer "/tmp/note-$$-$i.wav" synth 0.5 pluck "$note" vol 0.4
    notes="$notes /tmp/note-$$-$i.wav"
done
# shellcheck disable=SC2086
sox -R -D $notes music.wav
rm -f $notes
