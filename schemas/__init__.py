"""Wire contracts: every Kafka message and API body Headwater speaks. Imports nothing else of the project."""
