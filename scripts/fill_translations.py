"""Fill empty msgstr entries of the kk and ru catalogues from a JSON file.

Usage: python scripts/fill_translations.py translations.json
The JSON maps each English msgid to {"kk": ..., "ru": ...}; plural entries map to
{"kk": [one, other], "ru": [one, few, many]}. Existing translations are kept.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "app" / "translations"


def main(path: str) -> int:
    table = json.loads(Path(path).read_text(encoding="utf-8"))
    missing = 0
    for lang in ("kk", "ru"):
        po_path = ROOT / lang / "LC_MESSAGES" / "messages.po"
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            filled = any(message.string) if isinstance(message.string, tuple) else bool(message.string)
            if filled:
                continue
            entry = table.get(key, {}).get(lang)
            if entry is None:
                missing += 1
                print(f"missing {lang}: {key!r}", file=sys.stderr)
                continue
            message.string = tuple(entry) if isinstance(message.id, tuple) else entry
        catalog.fuzzy = False
        with po_path.open("wb") as fh:
            write_po(fh, catalog, omit_header=False, sort_output=True, width=100)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
