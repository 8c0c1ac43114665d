#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Trains a small Tesseract LSTM model for OCR-B MRZ lines from scratch (the comparison design to the
# compact classifier of vision/src/ocr). Only Debian's tesseract-ocr tools and fonts-ocr-b are used:
# text2image renders synthetic MRZ pages, `tesseract ... lstm.train` cuts them into .lstmf lines, and
# lstmtraining trains a net for the 37-character MRZ alphabet.
#
# Usage: scripts/train-tesseract-ocrb.sh [WORKDIR] [ITERATIONS]
#   WORKDIR     scratch folder (default /tmp/ocr-work/tess-train); the model ends up in
#               WORKDIR/ocrb.traineddata (about 1 MB: not committed).
#   ITERATIONS  lstmtraining --max_iterations (default 6000; about 25 min on one core).
# Debian's eng.traineddata is the "fast" integer model, which lstmtraining cannot fine-tune, hence
# training from scratch with a small net.
set -euo pipefail
# One core: the machine is shared, and OpenMP spinning costs more than it gains on this small net.
export OMP_THREAD_LIMIT=1

WORK=${1:-/tmp/ocr-work/tess-train}
ITERATIONS=${2:-6000}
FONT_FILE=/usr/share/fonts/opentype/ocr-b/OCRB.otf
PAGES_PER_SIZE=${GW_TESS_PAGES:-6}

for tool in text2image tesseract unicharset_extractor combine_lang_model lstmtraining python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install tesseract-ocr python3)" >&2; exit 1; }
done
[[ -f $FONT_FILE ]] || { echo "missing $FONT_FILE (apt-get install fonts-ocr-b)" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK"/fonts "$WORK"/pages "$WORK"/lang "$WORK"/ckpt
# Only the regular OCR-B face: fonts-ocr-b ships six faces that fontconfig all calls "OCR B".
ln -s "$FONT_FILE" "$WORK"/fonts/OCRB.otf

# MRZ-like text: names, digits, mixed document numbers and runs of '<' fillers, fixed seed.
python3 - "$WORK/text" <<'EOF'
import random, sys
rng = random.Random(20261124)
letters, digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
def mrz_line():
    n = rng.choice([30, 36, 44]); s = ""
    while len(s) < n:
        k = rng.random()
        if k < 0.35: s += "".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
        elif k < 0.65: s += "".join(rng.choice(digits) for _ in range(rng.randint(1, 9)))
        elif k < 0.8: s += "".join(rng.choice(letters + digits) for _ in range(rng.randint(1, 6)))
        else: s += "<" * rng.randint(1, 12)
    return s[:n]
for i in range(12):
    with open(f"{sys.argv[1]}.{i}.txt", "w") as f:
        f.write("\n".join(mrz_line() for _ in range(60)) + "\n")
EOF

i=0
for ptsize in 9 10 12 14 16 20; do
    for ((p = 0; p < PAGES_PER_SIZE; p++)); do
        txt="$WORK/text.$(((i + p) % 12)).txt"
        base="$WORK/pages/ocrb.$ptsize.$p"
        exposure=$(((p % 3) - 1))
        text2image --text="$txt" --outputbase="$base" --font='OCR B' --fonts_dir="$WORK/fonts" \
            --fontconfig_tmpdir="$WORK" --ptsize="$ptsize" --exposure="$exposure" \
            --degrade_image=true --rotate_image=true --xsize=3000 --ysize=1600 --margin=60 \
            --leading=24 --strip_unrenderable_words=false >/dev/null 2>&1
        tesseract "$base.tif" "$base" --psm 6 lstm.train >/dev/null 2>&1
    done
    i=$((i + 1))
done
ls "$WORK"/pages/*.lstmf | sort >"$WORK/all.txt"
# Every 5th page is held out for lstmtraining's own evaluation.
awk 'NR % 5 != 0' "$WORK/all.txt" >"$WORK/train.txt"
awk 'NR % 5 == 0' "$WORK/all.txt" >"$WORK/eval.txt"

unicharset_extractor --output_unicharset "$WORK/lang/unicharset" --norm_mode 1 "$WORK"/pages/*.box >/dev/null 2>&1
mkdir -p "$WORK/script"
# combine_lang_model insists on a radical-stroke table (used only for Han scripts): one dummy entry.
printf '19968 1 0\n' >"$WORK/script/radical-stroke.txt"
combine_lang_model --input_unicharset "$WORK/lang/unicharset" --script_dir "$WORK/script" \
    --lang ocrb --output_dir "$WORK/lang" >/dev/null 2>&1

start=$(date +%s)
lstmtraining --traineddata "$WORK/lang/ocrb/ocrb.traineddata" \
    --net_spec '[1,36,0,1 Ct3,3,16 Mp3,3 Lfys48 Lfx96 Lrx96 Lfx128 O1c1]' \
    --model_output "$WORK/ckpt/ocrb" --learning_rate 0.002 \
    --train_listfile "$WORK/train.txt" --eval_listfile "$WORK/eval.txt" \
    --max_iterations "$ITERATIONS" --target_error_rate 0.001 >"$WORK/train.log" 2>&1 || true
lstmtraining --stop_training --continue_from "$WORK/ckpt/ocrb_checkpoint" \
    --traineddata "$WORK/lang/ocrb/ocrb.traineddata" --model_output "$WORK/ocrb.traineddata"
echo "trained in $(($(date +%s) - start)) s; $(grep -c . "$WORK/train.txt") training pages"
tail -3 "$WORK/train.log"
echo "model: $WORK/ocrb.traineddata (use: tesseract IMG - --tessdata-dir $WORK -l ocrb --psm 7)"
