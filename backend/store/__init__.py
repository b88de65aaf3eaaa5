"""DynamoDB storage: one schema, an injected client, the embedded moto server, and a one-transaction unit of work."""
