"""Run Splink 4 (DuckDB) on Hudna's normalized export, configured like Hudna.

usage: splink_run.py NORM.csv CLUSTERS_OUT.csv [THRESHOLD]

Fairness: Splink sees the same normalized name parts (cross-script
skeletons exported by `export_norm`), Jaro-Winkler comparisons at the same
thresholds (0.92, 0.80) with term-frequency adjustments, birth year at
0/1/2 years, event date at 0/31/366 days, place and sex exact, u by random sampling, λ from a
deterministic rule, m by EM in three sessions over the same blocking keys
as Hudna's training sessions. Prediction uses Hudna's six blocking keys;
Hudna's `first+father` key is windowed inside oversized blocks, which
Splink cannot do, so for Splink it also requires equal birth year.
"""

import os
import sys
import time

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

norm, out = sys.argv[1], sys.argv[2]
threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
t0 = time.time()
df = pd.read_csv(norm, dtype=str, keep_default_na=False)
for c in ["first", "father", "grandfather", "family", "mother", "place", "sex", "birth_year"]:
    df[c] = df[c].replace("", None)
df["birth_year"] = pd.to_numeric(df["birth_year"], errors="coerce").astype("Int64")
df["event_day"] = pd.to_numeric(df["event_day"], errors="coerce").astype("Int64")
df["place_tokens"] = df["place"].map(lambda p: p.split(" ") if isinstance(p, str) else None)

birth_year = cl.CustomComparison(
    output_column_name="birth_year",
    comparison_levels=[
        cll.NullLevel("birth_year"),
        cll.ExactMatchLevel("birth_year"),
        cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", "within 1 year"),
        cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 2", "within 2 years"),
        cll.ElseLevel(),
    ],
)
event_date = cl.CustomComparison(
    output_column_name="event_day",
    comparison_levels=[
        cll.NullLevel("event_day"),
        cll.ExactMatchLevel("event_day"),
        cll.CustomLevel("abs(event_day_l - event_day_r) <= 31", "within a month"),
        cll.CustomLevel("abs(event_day_l - event_day_r) <= 366", "within a year"),
        cll.ElseLevel(),
    ],
)
place = cl.CustomComparison(
    output_column_name="place",
    comparison_levels=[
        cll.NullLevel("place"),
        cll.ExactMatchLevel("place"),
        cll.CustomLevel("len(list_intersect(place_tokens_l, place_tokens_r)) >= 1", "overlap"),
        cll.ElseLevel(),
    ],
)


def jw(col):
    return cl.JaroWinklerAtThresholds(col, [0.92, 0.80]).configure(term_frequency_adjustments=True)


settings = SettingsCreator(
    link_type="dedupe_only",
    unique_id_column_name="record_id",
    comparisons=[
        jw("first"),
        jw("father"),
        jw("grandfather"),
        jw("family"),
        jw("mother"),
        birth_year,
        event_date,
        place,
        cl.ExactMatch("sex"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("first", "family"),
        block_on("first", "father", "grandfather"),
        block_on("family", "mother"),
        block_on("first", "father", "birth_year"),
        block_on("father", "family", "birth_year"),
        block_on("first", "mother", "birth_year"),
    ],
    retain_intermediate_calculation_columns=False,
    retain_matching_columns=False,
)
# DUCKDB_MEMORY_LIMIT (e.g. 8GB) bounds DuckDB on a shared machine; it spills
# to disk beyond it. Unset: DuckDB's default (80% of RAM). DUCKDB_TEMP_LIMIT
# (e.g. 25GB) bounds what it spills, so that a run fails rather than fill
# the disk. Unset: DuckDB's default (90% of the free space).
db_api = DuckDBAPI()
if os.environ.get("DUCKDB_MEMORY_LIMIT") or os.environ.get("DUCKDB_TEMP_LIMIT"):
    import duckdb

    con = duckdb.connect()
    if os.environ.get("DUCKDB_MEMORY_LIMIT"):
        con.execute(f"SET memory_limit = '{os.environ['DUCKDB_MEMORY_LIMIT']}'")
    if os.environ.get("DUCKDB_TEMP_LIMIT"):
        con.execute(f"SET max_temp_directory_size = '{os.environ['DUCKDB_TEMP_LIMIT']}'")
    db_api = DuckDBAPI(connection=con)
linker = Linker(df, settings, db_api=db_api)
linker.training.estimate_probability_two_random_records_match(
    [block_on("first", "father", "family", "birth_year")], recall=0.6
)
linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("first", "family"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("first", "father"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("family", "mother"))
pred = linker.inference.predict(threshold_match_probability=min(0.05, threshold))
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold_match_probability=threshold)
c = clusters.as_pandas_dataframe()[["record_id", "cluster_id"]]
c.to_csv(out, index=False)
print(f"splink: {len(df)} records, {c['cluster_id'].nunique()} clusters, {time.time() - t0:.1f} s", file=sys.stderr)
