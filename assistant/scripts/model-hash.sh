#!/usr/bin/env bash
# Prints the hash of everything the trained model depends on: domain, NLU
# and dialogue data, the urgency data, pipeline config, jieba dictionary,
# custom components, the text folding they share with the hall
# (kiosk/textfold.py) and the pinned Rasa version. Run from the repository root.
set -euo pipefail
find domain.yml nlu assistant/config.yml assistant/data assistant/dictionary assistant/components kiosk/textfold.py \
     assistant/requirements.txt -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.txt' -o -name '*.py' \) \
  | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16
