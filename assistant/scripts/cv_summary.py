"""Prints the cross-validation summary from `rasa test nlu --cross-validation` reports.

Usage: python assistant/scripts/cv_summary.py var/reports/rasa-nlu-cv
Prints macro/weighted F1 of the intents, the business types below 0.85 and
the regex entities' F1, and writes summary.json beside the reports.
"""

import json
import sys
from pathlib import Path

BUSINESS_TYPES = {
    "pay_bill",
    "bill_inquiry",
    "invoice",
    "new_connection_residential",
    "new_connection_business",
    "capacity_change",
    "ev_charger",
    "solar_pv",
    "name_transfer",
    "tariff_change",
    "meter_relocation",
    "account_closure",
    "meter_issue",
    "fault_report",
    "outage_inquiry",
    "complaint",
    "application_status",
    "online_service_help",
    "general_inquiry",
}


def main(folder: str) -> int:
    out = Path(folder)
    intents = json.loads((out / "intent_report.json").read_text())
    macro = intents["macro avg"]["f1-score"]
    weighted = intents["weighted avg"]["f1-score"]
    per_intent = {
        k: v["f1-score"]
        for k, v in intents.items()
        if isinstance(v, dict) and "f1-score" in v and k not in ("macro avg", "weighted avg", "micro avg")
    }
    business = {k: v for k, v in per_intent.items() if k in BUSINESS_TYPES}
    business_macro = sum(business.values()) / len(business) if business else 0.0
    weak = {k: round(v, 3) for k, v in sorted(business.items(), key=lambda kv: kv[1]) if v < 0.85}
    summary = {
        "intent_macro_f1": round(macro, 4),
        "intent_weighted_f1": round(weighted, 4),
        "business_type_macro_f1": round(business_macro, 4),
        "business_types_below_0.85": weak,
        "lowest_business_types": {
            k: round(v, 3) for k, v in sorted(business.items(), key=lambda kv: kv[1])[:5]
        },
    }
    # the only entity extractor: the regexes for phone and account_number
    path = out / "RegexEntityExtractor_report.json"
    if path.exists():
        report = json.loads(path.read_text())
        summary["RegexEntityExtractor_entity_f1"] = {
            k: round(v["f1-score"], 4)
            for k, v in report.items()
            if isinstance(v, dict) and "f1-score" in v and k not in ("micro avg", "weighted avg")
        }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    print(
        f"cross-validation intent macro F1: {macro:.4f} (weighted {weighted:.4f}); "
        f"business types macro F1: {business_macro:.4f}"
    )
    print(f"business types below 0.85: {weak or 'none'}")
    print(f"lowest: {summary['lowest_business_types']}")
    if "RegexEntityExtractor_entity_f1" in summary:
        print(f"entity F1 (RegexEntityExtractor): {summary['RegexEntityExtractor_entity_f1']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "var/reports/rasa-nlu-cv"))
