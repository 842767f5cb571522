"""Machine learning on Headwater's own data: document classifiers and topics, record anomalies.

Pure functions over texts and rows (no Kafka, database or blob store here): `documents` (the
document-model API, over `classifier`, `topics` and `text`), `anomaly` (with `ranges`),
`artifacts` (safe skops serialisation) and `training` (the process-pool entry point).
Nothing is downloaded at run time: models are trained only on the service's own data.
"""
