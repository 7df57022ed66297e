"""Evaluation surveys: did attitudes toward the other side change?

The pure core of tracktwo's evaluation: an instrument library (feeling thermometer, Ascent of
Man, perspective taking, outgroup trust, competitive victimhood, custom items), questions
filled in per respondent for "the other side", validation and scoring of answer sets, the
statistics (scipy.stats and statsmodels) with small-cell suppression, a CSV format, and SVG
figures. Nothing here touches the database or the web layer; docs/evaluation.md describes
the instruments, the CSV columns, every statistic and the suppression rule.
"""

from tracktwo.parts.surveys.evaluation.analysis import (
    CHANGE_KEYS,
    UNDECLARED,
    analyse,
    validate_responses,
)
from tracktwo.parts.surveys.evaluation.csvio import (
    LONG_COLUMNS,
    WIDE_FIXED_COLUMNS,
    CsvImport,
    Replacement,
    format_responses_csv,
    parse_responses_csv,
    read_responses_csv,
    write_responses_csv,
)
from tracktwo.parts.surveys.evaluation.library import (
    Instrument,
    Item,
    Scale,
    ScaleLabel,
    Scoring,
    builtin_instrument,
    builtin_instrument_ids,
    builtin_instruments,
    custom_likert,
    custom_numeric,
    instrument_from_dict,
    missing_translations,
    read_instrument_file,
    with_item_text,
)
from tracktwo.parts.surveys.evaluation.plots import change_plot_svg, distribution_plot_svg
from tracktwo.parts.surveys.evaluation.responses import (
    GROUPS,
    ResponseSet,
    ScaleScore,
    Survey,
    check_wave,
    score_response,
    validate_response,
    wave_order,
)
from tracktwo.parts.surveys.evaluation.stats import cronbach_alpha, hedges_g_av
from tracktwo.parts.surveys.evaluation.suppression import (
    MIN_CELL_DEFAULT,
    MIN_CELL_FLOOR,
    check_min_cell,
)
from tracktwo.parts.surveys.evaluation.templating import (
    ExpandedItem,
    Side,
    expand_items,
    item_key,
    parse_item_key,
    targets_for,
)

__all__ = [
    "CHANGE_KEYS",
    "GROUPS",
    "LONG_COLUMNS",
    "MIN_CELL_DEFAULT",
    "MIN_CELL_FLOOR",
    "UNDECLARED",
    "WIDE_FIXED_COLUMNS",
    "CsvImport",
    "ExpandedItem",
    "Instrument",
    "Item",
    "Replacement",
    "ResponseSet",
    "Scale",
    "ScaleLabel",
    "ScaleScore",
    "Scoring",
    "Side",
    "Survey",
    "analyse",
    "builtin_instrument",
    "builtin_instrument_ids",
    "builtin_instruments",
    "change_plot_svg",
    "check_min_cell",
    "check_wave",
    "cronbach_alpha",
    "custom_likert",
    "custom_numeric",
    "distribution_plot_svg",
    "expand_items",
    "format_responses_csv",
    "hedges_g_av",
    "instrument_from_dict",
    "item_key",
    "missing_translations",
    "parse_item_key",
    "parse_responses_csv",
    "read_instrument_file",
    "read_responses_csv",
    "score_response",
    "targets_for",
    "validate_response",
    "validate_responses",
    "wave_order",
    "with_item_text",
    "write_responses_csv",
]
