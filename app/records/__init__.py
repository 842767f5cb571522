"""The records domain: infer a dataset's schema, validate and clean batches, key and export records.

Pure functions over JSON rows (no Kafka, database or HTTP): `infer`, `values` (coercion),
`clean` (validation, duplicates, record keys) and `export` (CSV, JSON lines, Parquet).
"""
